"""The node's key-encryption key: created 0600 in development, required in production."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from waymark.core import sealing
from waymark.test import create_case
from waymark.vault import keys, service
from waymark.vault.keys import KeyringError, load_keyring, parse_keyring

ROOT = Path(__file__).resolve().parents[3]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_a_development_node_creates_its_key_file_on_first_use_with_mode_0600(kek_file):
    assert not kek_file.exists()
    ring = load_keyring()
    assert ring.current_version == 1 and len(ring.current()[1]) == 32
    assert stat.S_IMODE(kek_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(kek_file.parent.stat().st_mode) == 0o700
    assert load_keyring().current() == ring.current()  # the same key next time


def test_production_without_a_kek_refuses_to_open_the_vault(settings, kek_file, people):
    settings.PRODUCTION = True
    settings.WAYMARK_KEK_AUTOCREATE = False
    child = create_case(people.giulia).child
    with pytest.raises(KeyringError, match="WAYMARK_KEK"):
        service.seal_text(child, "cases.event.details", "a disclosure")
    assert not kek_file.exists()  # and it did not invent one


def test_production_settings_refuse_to_start_without_a_kek(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "WAYMARK_KEK"}
    }
    env.update(
        WAYMARK_ENV="production",
        SECRET_KEY="x" * 20 + "a-long-random-value-for-this-test-only-" + "y" * 20,
        ALLOWED_HOSTS="node.example.test",
        DATABASE_URL="postgres://waymark@127.0.0.1:5432/waymark",
        DEBUG="false",
        WAYMARK_KEK_FILE=str(tmp_path / "nowhere" / "kek"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "WAYMARK_KEK" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_kek_in_the_environment_is_used_and_no_file_is_written(monkeypatch, kek_file, people):
    kek = sealing.new_key()
    monkeypatch.setenv(keys.ENV_VAR, b64(kek))
    ring = load_keyring()
    assert ring.current() == (1, kek)
    assert "WAYMARK_KEK" in ring.source and b64(kek) not in repr(ring)
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, "cases.event.details", "x")
    assert service.open_text(child, "cases.event.details", sealed) == "x"
    assert not kek_file.exists()


def test_a_key_file_readable_by_others_is_refused(kek_file):
    load_keyring()
    kek_file.chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        load_keyring()


@pytest.mark.parametrize(
    "text",
    ["", "not base64!", b64(b"short"), f"x:{b64(bytes(32))}", f"1:{b64(bytes(32))},1:{b64(bytes(32))}"],
)
def test_malformed_keyrings_are_refused_with_a_message(text):
    with pytest.raises(KeyringError):
        parse_keyring(text, "$WAYMARK_KEK")


def test_a_keyring_lists_versions_and_the_highest_is_current():
    old, new = sealing.new_key(), sealing.new_key()
    parsed = parse_keyring(f"1:{b64(old)},\n2:{b64(new)}", "test")
    assert parsed == {1: old, 2: new}
    assert keys.Keyring(parsed, "test").current() == (2, new)
    with pytest.raises(KeyringError, match="version 3"):
        keys.Keyring(parsed, "test").kek(3)
