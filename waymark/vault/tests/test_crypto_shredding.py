"""Erasure by crypto-shredding: once the child's key is destroyed, every copy is noise.

The scenario: a caseworker records a trafficking disclosure; a nightly database dump copies the
case rows *and* the vault row; later the child's DPO erases the child. The dump still holds the
ciphertext, but the node no longer holds anything that opens it.

The residual risk is the wrapped key in the dump (or in an old vault backup, or a PostgreSQL dead
tuple): it is wrapped under the node's KEK, which the node still has. That is exactly why the
vault table is kept out of ordinary backups and why the KEK is rotated after erasures: once the
old KEK is retired, the old wrapped key opens with nothing this node holds (last test).
"""

from __future__ import annotations

import pytest

from waymark.audit.service import AuditUnavailable
from waymark.audit.testing import audit_unavailable
from waymark.cases.erasure import do_erase_child
from waymark.core import sealing
from waymark.test import create_case, create_user
from waymark.vault import service
from waymark.vault.keys import load_keyring
from waymark.vault.models import ChildKey
from waymark.vault.rotation import rotate_kek
from waymark.vault.service import SealError, Shredded
from waymark.vocab import Role

FIELD = "cases.event.details"
DISCLOSURE = "Trafficking indicator: debt bondage; the child was told she owes 3000 euros for the crossing."


@pytest.fixture
def dpo(people):
    return create_user("dalia", people.it_cps, Role.DPO)


def take_dump(child_id):
    """What a backup taken now would hold of the vault row (the ciphertexts are kept by the test)."""
    row = ChildKey.objects.get(child_public_id=child_id)
    kek_version, wrapped = row.wrapped()
    return {"wrapped_dek": wrapped, "kek_version": kek_version, "dek_version": row.dek_version}


def everything_the_node_holds():
    """Every key the node can still reach: its KEKs and every live data key it can unwrap."""
    ring = load_keyring()
    keys = list(ring.keys.values())
    for row in ChildKey.objects.filter(shredded_at__isnull=True):
        kek_version, wrapped = row.wrapped()
        aad = sealing.dek_aad(str(row.child_public_id), row.dek_version)
        keys.append(sealing.unwrap_key(ring.kek(kek_version), wrapped, aad))
    return keys


def test_after_shredding_the_child_reads_as_erased(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    service.shred(child, actor=people.sara)
    with pytest.raises(Shredded):
        service.open_text(child, FIELD, sealed)
    with pytest.raises(Shredded):
        service.reveal(child, FIELD, sealed)
    assert service.is_shredded(child)


def test_a_shredded_child_gets_no_new_key(people):
    child = create_case(people.giulia).child
    service.shred(child, actor=people.sara)  # nothing sealed yet: a tombstone all the same
    with pytest.raises(Shredded):
        service.seal_text(child, FIELD, "written after the erasure")
    row = ChildKey.objects.get()
    assert row.shredded_at is not None and row.wrapped_dek is None and row.kek_version is None


def test_a_shred_is_refused_when_it_cannot_be_audited(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    with audit_unavailable(), pytest.raises(AuditUnavailable):
        service.shred(child, actor=people.sara)
    assert service.open_text(child, FIELD, sealed) == DISCLOSURE


def test_shredding_twice_changes_nothing(people):
    child = create_case(people.giulia).child
    service.seal_text(child, FIELD, DISCLOSURE)
    service.shred(child, actor=people.sara)
    first = ChildKey.objects.get().shredded_at
    service.shred(child, actor=people.sara)
    assert ChildKey.objects.get().shredded_at == first


def test_a_cached_key_is_forgotten_when_the_child_is_shredded(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    with service.key_cache():
        assert service.open_text(child, FIELD, sealed) == DISCLOSURE  # now cached
        service.shred(child, actor=people.sara)
        with pytest.raises(Shredded):
            service.open_text(child, FIELD, sealed)


def test_a_dump_taken_before_erasure_cannot_be_read_after_it(people, dpo):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    sealed = service.seal_text(amina, FIELD, DISCLOSURE)
    service.seal_text(yonas, FIELD, "Yonas's own notes stay readable")
    dump = take_dump(amina.public_id)
    amina_id = str(amina.public_id)

    do_erase_child(dpo, amina)

    assert ChildKey.objects.get(child_public_id=amina_id).wrapped_dek is None
    with pytest.raises(Shredded):
        service.open_text(amina_id, FIELD, sealed)
    # Nothing the node still holds opens the dumped ciphertext: not the KEK used as a data key,
    # not any other child's data key.
    aad = sealing.field_aad(amina_id, FIELD)
    for key in everything_the_node_holds():
        with pytest.raises(SealError):
            sealing.open_text(key, sealed, aad)
    # The residual risk, stated as a fact: the dumped *wrapped* key still unwraps under the
    # current KEK. Rotation (next test) is what removes it.
    ring = load_keyring()
    assert ring.kek(dump["kek_version"])  # still held until the KEK is rotated


def test_kek_rotation_after_erasure_makes_old_wrapped_keys_useless(people, dpo, kek_file):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    amina_id = str(amina.public_id)
    sealed_amina = service.seal_text(amina, FIELD, DISCLOSURE)
    sealed_yonas = service.seal_text(yonas, FIELD, "Yonas's notes")
    dump = take_dump(amina_id)  # the old vault backup, holding Amina's wrapped key
    dek_aad = sealing.dek_aad(amina_id, dump["dek_version"])

    do_erase_child(dpo, amina)
    # Before rotation: restoring the wrapped key from the backup would bring Amina's data back.
    old_kek = load_keyring().kek(dump["kek_version"])
    restored_dek = sealing.unwrap_key(old_kek, dump["wrapped_dek"], dek_aad)
    assert sealing.open_text(restored_dek, sealed_amina, sealing.field_aad(amina_id, FIELD)) == DISCLOSURE

    result = rotate_kek()

    assert result.generated and result.rewrapped == 1 and result.retired_versions == (1,)
    ring = load_keyring()
    assert list(ring.keys) == [2]
    assert "1:" not in kek_file.read_text().split("\n", 1)[1]
    # After rotation: no KEK the node holds unwraps the backed-up key...
    for kek in ring.keys.values():
        with pytest.raises(SealError):
            sealing.unwrap_key(kek, dump["wrapped_dek"], dek_aad)
    # ...while the children who were not erased read as before.
    assert service.open_text(yonas, FIELD, sealed_yonas) == "Yonas's notes"
    assert ChildKey.objects.get(child_public_id=yonas.public_id).kek_version == 2
