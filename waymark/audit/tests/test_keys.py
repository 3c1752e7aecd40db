"""Audit keys are private files, created once, never database rows."""

from __future__ import annotations

import stat

from waymark.audit import keys, service
from waymark.audit.models import AuditEntry, Checkpoint


def test_keys_are_created_on_first_use_with_mode_0600(audit_keys, log):
    service.checkpoint()
    for name in ("audit-signing.pem", "pseudonym.key"):
        path = audit_keys / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit_keys.stat().st_mode) == 0o700


def test_an_existing_key_is_reused_not_replaced(audit_keys, case):
    first = service.pseudonym(case.child.public_id)
    pem = (audit_keys / "pseudonym.key").read_bytes()
    keys.forget_cached_keys()
    assert service.pseudonym(case.child.public_id) == first
    assert (audit_keys / "pseudonym.key").read_bytes() == pem


def test_private_keys_never_reach_the_database(audit_keys, log):
    service.checkpoint()
    pseudonym_key = (audit_keys / "pseudonym.key").read_text().strip()
    private_pem = (audit_keys / "audit-signing.pem").read_text()
    assert "PRIVATE KEY" in private_pem
    rows = [str(v) for v in AuditEntry.objects.values()] + [str(v) for v in Checkpoint.objects.values()]
    assert not any(pseudonym_key in row or "PRIVATE KEY" in row for row in rows)
