"""Issue 9, finding 8 (d): ``vault.reveal`` took plain text where a sealed value belongs, so
whoever can write the database could downgrade a sealed value to text of their choosing and the
pages would show it as the child's record. Legacy plain text was sealed by migration (cases 0003,
exchange 0007); now plain text in a sealed column is refused as tampering."""

from __future__ import annotations

import uuid

import pytest

from waymark.cases.models import CarePlan, Case
from waymark.test import create_case
from waymark.vault import service
from waymark.vault.sealed import ERASED, reveal, sealed_field

FIELD = "cases.case.risk_reasons"


def test_finding_8_reveal_refuses_plain_text(people):
    child = create_case(people.giulia).child
    service.seal_text(child, FIELD, "the child has a key")
    with pytest.raises(service.SealError):
        service.reveal(child, FIELD, "planted by a database writer")
    with pytest.raises(service.SealError):
        service.reveal(uuid.uuid4(), FIELD, "planted for a child without a key")


def test_finding_8_the_column_descriptors_refuse_plain_text_too(people):
    with pytest.raises(service.SealError):
        reveal(uuid.uuid4(), "cases.event.details", "plain")


def test_finding_8_blank_and_the_erased_marker_still_read(people):
    child = create_case(people.giulia).child
    assert service.reveal(child, FIELD, "") == ""
    # What cases 0003 wrote for a child already erased when it sealed: says nothing about them.
    assert service.reveal(child, FIELD, ERASED) == ERASED


def test_finding_8_a_case_downgraded_to_plain_text_in_the_database_is_refused(people):
    case = create_case(
        people.giulia, case={"risk_reasons": "Approached by an adult near the station (fictional)."}
    )
    Case.objects.filter(pk=case.pk).update(risk_reasons="Nothing to worry about")
    with pytest.raises(service.SealError):
        _ = Case.objects.get(pk=case.pk).risk_reasons_text


def test_finding_8_a_care_plan_downgraded_to_plain_text_is_refused(people):
    case = create_case(people.giulia)
    plan = CarePlan.objects.get(case=case)
    CarePlan.objects.filter(pk=plan.pk).update(
        needs=service.seal_text(case.child, sealed_field(CarePlan, "needs"), "Schooling (fictional)")
    )
    assert (
        CarePlan.objects.select_related("case__child").get(pk=plan.pk).needs_text == "Schooling (fictional)"
    )
    CarePlan.objects.filter(pk=plan.pk).update(needs="planted")
    with pytest.raises(service.SealError):
        _ = CarePlan.objects.select_related("case__child").get(pk=plan.pk).needs_text
