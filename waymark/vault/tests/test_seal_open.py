"""Special categories are sealed per child: each child's text opens only as that child's."""

from __future__ import annotations

import pytest
from django.db import transaction

from waymark.core import sealing
from waymark.test import create_case
from waymark.vault import service
from waymark.vault.models import ChildKey
from waymark.vault.service import KeyMissing, SealError

DISCLOSURE = "She said the driver in Ventimiglia kept her phone and asked for 3000 euros."
FIELD = "cases.event.details"


def test_a_caseworker_seals_a_disclosure_and_it_opens_for_the_same_child(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    assert service.is_sealed(sealed)
    assert DISCLOSURE not in sealed
    assert service.open_text(child, FIELD, sealed) == DISCLOSURE
    assert service.open_text(child.public_id, FIELD, sealed) == DISCLOSURE


def test_the_first_seal_creates_one_wrapped_key_for_the_child(people):
    child = create_case(people.giulia).child
    assert not ChildKey.objects.exists()
    service.seal_text(child, FIELD, "first")
    service.seal_text(child, "cases.case.risk_reasons", "second")
    key = ChildKey.objects.get()
    assert key.child_public_id == child.public_id
    assert key.kek_version == 1 and key.shredded_at is None
    assert len(key.wrapped()[1]) == 1 + 12 + 32 + 16


def test_each_child_has_their_own_key(people):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    service.seal_text(amina, FIELD, "a")
    service.seal_text(yonas, FIELD, "b")
    wrapped = {k.wrapped()[1] for k in ChildKey.objects.all()}
    assert len(wrapped) == 2


def test_another_childs_key_cannot_open_it(people):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    sealed = service.seal_text(amina, FIELD, DISCLOSURE)
    service.seal_text(yonas, FIELD, "something about Yonas")
    # Pasting Amina's ciphertext into Yonas's record: his key and his id both refuse it.
    with pytest.raises(SealError):
        service.open_text(yonas, FIELD, sealed)


def test_even_with_the_right_key_the_child_binding_refuses_a_moved_ciphertext(people):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    sealed = service.seal_text(amina, FIELD, DISCLOSURE)
    amina_dek = service._data_key(str(amina.public_id), create=False)[1]
    with pytest.raises(SealError):
        sealing.open_text(amina_dek, sealed, sealing.field_aad(str(yonas.public_id), FIELD))
    assert sealing.open_text(amina_dek, sealed, sealing.field_aad(str(amina.public_id), FIELD)) == DISCLOSURE


def test_a_ciphertext_moved_to_another_field_does_not_open(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    with pytest.raises(SealError):
        service.open_text(child, "cases.careplan.needs", sealed)


def test_a_tampered_value_is_an_error_not_empty_text(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    with pytest.raises(SealError):
        service.open_text(child, FIELD, tampered)


def test_blank_stays_blank_and_creates_no_key(people):
    child = create_case(people.giulia).child
    assert service.seal_text(child, FIELD, "") == ""
    assert not ChildKey.objects.exists()
    assert service.reveal(child, FIELD, "") == ""


def test_reveal_opens_sealed_text_and_refuses_plain_text(people):
    child = create_case(people.giulia).child
    assert service.reveal(child, FIELD, service.seal_text(child, FIELD, DISCLOSURE)) == DISCLOSURE
    with pytest.raises(SealError):
        service.reveal(child, FIELD, "written around the application")


def test_sealed_data_for_a_child_without_a_key_row_is_an_incident_not_an_erasure(people):
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, DISCLOSURE)
    ChildKey.objects.all().delete()  # e.g. a database restored without its vault table
    with pytest.raises(KeyMissing):
        service.open_text(child, FIELD, sealed)


def test_a_rolled_back_action_leaves_no_key_and_the_next_seal_still_opens(people):
    child = create_case(people.giulia).child
    with service.key_cache():
        with pytest.raises(RuntimeError), transaction.atomic():
            first = service.seal_text(child, FIELD, "never committed")
            assert service.open_text(child, FIELD, first) == "never committed"
            raise RuntimeError("the action failed after sealing")
        assert not ChildKey.objects.exists()
        sealed = service.seal_text(child, FIELD, DISCLOSURE)
    assert service.open_text(child, FIELD, sealed) == DISCLOSURE


def test_within_a_request_the_key_is_unwrapped_once(people, django_assert_num_queries):
    child = create_case(people.giulia).child
    values = [service.seal_text(child, FIELD, f"note {i}") for i in range(5)]
    with service.key_cache(), django_assert_num_queries(1):
        assert [service.open_text(child, FIELD, v) for v in values] == [f"note {i}" for i in range(5)]


def test_several_fields_are_sealed_with_one_key_lookup(people, django_assert_max_num_queries):
    """A thread's named values are written together (``SealedData.put``): the child's key is read
    once for all of them, and each opens as its own field only."""
    child = create_case(people.giulia).child
    service.seal_text(child, FIELD, "the key exists")
    texts = {
        FIELD: DISCLOSURE,
        "cases.case.risk_reasons": "Approached at the station",
        "cases.child.notes": "",
    }
    with django_assert_max_num_queries(1):
        sealed = service.seal_texts(child, texts)
    assert sealed["cases.child.notes"] == ""
    assert service.open_text(child, FIELD, sealed[FIELD]) == DISCLOSURE
    with pytest.raises(SealError):
        service.open_text(child, FIELD, sealed["cases.case.risk_reasons"])
    # Nothing to seal: no key work at all, and a child without a key gets none.
    other = create_case(people.giulia, given_names="Amanuel").child
    assert service.seal_texts(other, {FIELD: ""}) == {FIELD: ""}
    assert not ChildKey.objects.filter(child_public_id=other.public_id).exists()
