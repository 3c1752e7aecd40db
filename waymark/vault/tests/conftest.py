from __future__ import annotations

from pathlib import Path

import pytest

from waymark.vault import keys


@pytest.fixture(autouse=True)
def kek_file(settings, tmp_path, monkeypatch) -> Path:
    """Every vault test gets its own key file under tmp_path, created on first use."""
    monkeypatch.delenv(keys.ENV_VAR, raising=False)
    path = tmp_path / "keys" / "kek"
    settings.WAYMARK_KEK_FILE = path
    settings.WAYMARK_KEK_AUTOCREATE = True
    settings.PRODUCTION = False
    monkeypatch.setattr(keys, "_cache", None)
    # The audit log's own keys (erasures are audited) also live under tmp_path.
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    return path
