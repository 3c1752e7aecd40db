"""Erasing a child: key shredded, child, cases and identity rows deleted, in one transaction."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from waymark.audit import service as audit
from waymark.audit.models import AuditEntry
from waymark.audit.service import AuditUnavailable
from waymark.audit.testing import audit_unavailable
from waymark.cases import actions
from waymark.cases.erasure import check_erase_child, do_erase_child
from waymark.cases.models import CarePlan, Case, Child, ChildName, Consent, Event, Identifier, NameKey
from waymark.cases.schemas import AliasIn, EventIn
from waymark.errors import ActionError, NotFound
from waymark.test import create_case, create_user
from waymark.vault import service
from waymark.vault.models import ChildKey
from waymark.vocab import AuditKind, DataCategory, EventType, Role


@pytest.fixture
def dpo(people):
    return create_user("dalia", people.it_cps, Role.DPO)


def test_the_dpo_erases_a_child_and_only_that_child(people, dpo):
    case = create_case(people.giulia, given_names="Amina", family_name="Yusuf")
    other = create_case(people.giulia, given_names="Yonas", family_name="Tesfay")
    actions.do_add_alias(people.giulia, case, AliasIn(full_name="Mina"))
    actions.do_add_event(
        people.giulia,
        case,
        EventIn(type=EventType.NOTE, category=DataCategory.CASE_NOTES, summary="Interview", details="x"),
    )
    service.seal_text(case.child, "cases.event.details", "disclosure")
    child_id, case_id = case.child.public_id, case.public_id

    result = do_erase_child(dpo, case.child)

    assert result.child_public_id == child_id and result.case_public_ids == (case_id,)
    assert not Child.objects.filter(public_id=child_id).exists()
    assert not Case.objects.filter(public_id=case_id).exists()
    assert not Event.objects.filter(case__public_id=case_id).exists()
    assert not ChildName.objects.filter(full_name__in=["Mina", "Amina Yusuf"]).exists()
    assert service.is_shredded(child_id)
    # The other child is untouched.
    assert Case.objects.filter(pk=other.pk).exists()
    assert NameKey.objects.filter(child=other.child).exists()


def test_a_child_with_nothing_sealed_is_still_tombstoned(people, dpo):
    case = create_case(people.giulia)
    child_id = case.child.public_id
    do_erase_child(dpo, case.child)
    with pytest.raises(service.Shredded):
        service.seal_text(child_id, "cases.event.details", "written after the erasure")


def test_every_related_row_goes(people, dpo):
    case = create_case(people.giulia)
    child = case.child
    Identifier.objects.create(child=child, scheme="unhcr", value="FICT-000-111")
    CarePlan.objects.update_or_create(case=case, defaults={"needs": "sealed later"})
    Consent.objects.create(
        case=case, recipient_org="fr-ngo-calais", purpose="child_protection", valid_from="2025-01-01"
    )
    do_erase_child(dpo, child)
    for model in (Identifier, CarePlan, Consent, NameKey, ChildName):
        assert not model.objects.exists(), model.__name__


@pytest.mark.parametrize("who", ["giulia", "sara"])
def test_colleagues_who_are_not_the_dpo_are_refused(people, who):
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="data protection officer"):
        do_erase_child(getattr(people, who), case.child)
    assert Child.objects.filter(pk=case.child.pk).exists()
    assert not ChildKey.objects.exists()


@pytest.mark.parametrize("who", ["claire", "luc", "marco", "ivan"])
def test_other_organisations_are_refused_as_if_the_child_did_not_exist(people, who):
    case = create_case(people.giulia, case={"guardian": "marco"})
    with pytest.raises(NotFound):
        check_erase_child(getattr(people, who), case.child)


def test_a_dpo_of_another_organisation_is_refused(people):
    french_dpo = create_user("odile", people.fr_ngo, Role.DPO)
    case = create_case(people.giulia)
    with pytest.raises(NotFound):
        do_erase_child(french_dpo, case.child)


def test_an_immigration_enforcement_dpo_is_refused_even_for_its_own_records(people):
    immigration_dpo = create_user("igor", people.immigration, Role.DPO)
    # Such an organisation cannot register children; a row put there by mistake stays put.
    child = Child.objects.create(organisation=people.immigration, given_names="Amina", is_fictional=True)
    with pytest.raises(NotFound):
        do_erase_child(immigration_dpo, child)
    assert Child.objects.filter(pk=child.pk).exists()


def test_an_inactive_dpo_is_refused(people, dpo):
    dpo.is_active = False
    dpo.save()
    case = create_case(people.giulia)
    with pytest.raises(NotFound):
        do_erase_child(dpo, case.child)


def test_if_the_audit_log_is_down_nothing_is_shredded_or_deleted(people, dpo):
    case = create_case(people.giulia)
    sealed = service.seal_text(case.child, "cases.event.details", "disclosure")
    with audit_unavailable(), pytest.raises(AuditUnavailable):
        do_erase_child(dpo, case.child)
    assert Child.objects.filter(pk=case.child.pk).exists()
    assert not service.is_shredded(case.child)
    assert service.open_text(case.child, "cases.event.details", sealed) == "disclosure"


def test_the_erasure_is_audited_by_pseudonym_without_a_name(people, dpo):
    case = create_case(people.giulia, given_names="Amina", family_name="Yusuf")
    service.seal_text(case.child, "cases.event.details", "disclosure")
    pseudonym = audit.pseudonym(case.child.public_id)
    do_erase_child(dpo, case.child)
    entries = list(AuditEntry.objects.filter(child_pseudonym=pseudonym).order_by("seq"))
    assert [e.kind for e in entries] == [AuditKind.KEY_DELETION, AuditKind.ERASURE]
    assert all(e.actor == "dalia" for e in entries)
    assert entries[1].details == {
        "cases": [str(case.public_id)],
        "references": [case.reference],  # what the DPO's erasure page lists the erasure by
        "why": "request",
    }
    logged = " ".join(f"{e.details} {e.case_reference} {e.actor}" for e in entries)
    assert "Amina" not in logged and "Yusuf" not in logged


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")


def test_the_photo_file_is_deleted_after_commit(
    people, dpo, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = create_case(people.giulia)
    child = actions.do_set_photo(people.giulia, case, actions.check_photo(_png()))
    path = child.photo.path
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_erase_child(dpo, child)
    assert os.path.exists(path)  # not before the transaction commits
    for callback in callbacks:
        callback()
    assert not os.path.exists(path)
