"""Checkpoints are signed with the node's Ed25519 key; a forged or altered one fails."""

from __future__ import annotations

import base64
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from waymark.audit import keys, notes, service
from waymark.audit.models import AuditHead, Checkpoint
from waymark.audit.testing import tamper
from waymark.audit.tests.conftest import read


def test_a_checkpoint_signs_the_current_head(log):
    cp = service.checkpoint()
    head = AuditHead.objects.get()
    assert (cp.tree_size, cp.root_hash) == (head.tree_size, head.root_hash)
    assert service.verify_checkpoint(cp)


def test_the_note_is_a_c2sp_checkpoint_any_verifier_can_check(settings, log):
    cp = service.checkpoint()
    note = service.checkpoint_note(cp).note()
    origin, size, root_b64, blank, signature_line, end = note.split("\n")
    assert (origin, size, blank, end) == (settings.WAYMARK_AUDIT_ORIGIN, str(len(log)), "", "")
    assert base64.b64decode(root_b64).hex() == cp.root_hash
    assert signature_line.startswith(f"\u2014 {settings.WAYMARK_AUDIT_ORIGIN} ")
    parsed = notes.parse_note(note)
    assert notes.verify(parsed, keys.public_key_bytes())
    # The verifier key line partners receive names the same key hash.
    name, key_hash, _ = service.verifier_key().split("+", 2)
    assert (name, key_hash) == (settings.WAYMARK_AUDIT_ORIGIN, cp.key_id)


def test_a_checkpoint_signed_by_another_key_fails(log):
    intruder = Ed25519PrivateKey.generate()
    cp = service.checkpoint()
    forged = notes.sign(
        cp.origin, cp.tree_size, bytes.fromhex(cp.root_hash), intruder, keys.public_key_bytes()
    )
    assert forged.key_id.hex() == cp.key_id  # claims to be ours...
    assert not notes.verify(forged, keys.public_key_bytes())  # ...but is not


def test_a_forged_checkpoint_in_the_database_fails_verification(log):
    cp = service.checkpoint()
    read_back = notes.parse_note(service.checkpoint_note(cp).note())
    bad_signature = bytes([read_back.signature[0] ^ 1]) + read_back.signature[1:]
    tamper(
        "UPDATE audit_checkpoint SET signature = %s WHERE id = %s",
        [base64.b64encode(bad_signature).decode(), cp.pk],
    )
    assert not service.verify_checkpoint(Checkpoint.objects.get(pk=cp.pk))
    result = service.verify()
    assert not result.ok
    assert result.message == f"checkpoint {cp.pk} (tree size {len(log)}) has an invalid signature"


def test_a_checkpoint_whose_root_was_changed_fails(log):
    cp = service.checkpoint()
    tamper("UPDATE audit_checkpoint SET root_hash = %s WHERE id = %s", ["ab" * 32, cp.pk])
    assert not service.verify_checkpoint(Checkpoint.objects.get(pk=cp.pk))
    assert "invalid signature" in service.verify().message


def test_a_checkpoint_from_another_node_key_fails(settings, tmp_path, log):
    cp = service.checkpoint()
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "other-node.pem"
    keys.forget_cached_keys()
    assert not service.verify_checkpoint(cp)


def test_the_checkpoint_command_signs_and_skips_when_nothing_changed(people, case, log):
    out = io.StringIO()
    call_command("audit_checkpoint", "--note", stdout=out)
    assert f"{len(log)} entries" in out.getvalue() and "\u2014 " in out.getvalue()
    out = io.StringIO()
    call_command("audit_checkpoint", "--if-changed", stdout=out)
    assert out.getvalue().startswith("unchanged")
    read(people.giulia, case)
    call_command("audit_checkpoint", "--if-changed", stdout=io.StringIO())
    assert list(Checkpoint.objects.values_list("tree_size", flat=True)) == [len(log), len(log) + 1]
    assert service.verify().checkpoints == 2


def test_an_empty_log_can_be_checkpointed(db):
    cp = service.checkpoint()
    assert cp.tree_size == 0
    assert service.verify().ok


def test_a_corrupt_head_is_not_signed(log):
    AuditHead.objects.filter(pk=1).update(root_hash="00" * 32)
    with pytest.raises(service.AuditUnavailable):
        service.checkpoint()
