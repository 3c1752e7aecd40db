"""Recording a 116 000 call, one outcome each: added to a case the hotline may see, passed to the
organisation holding a possible match (the discovery rule), a new case. The call is sealed at
rest, on the case's timeline where it lands, audited; bad input names the field and writes nothing."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case, Event
from waymark.errors import ActionError, Refused
from waymark.hotline import actions
from waymark.hotline.access import check_operator, lookup
from waymark.hotline.models import Call
from waymark.hotline.schemas import NewCaseIn
from waymark.missing.models import Disappearance, Notification
from waymark.test import create_case, share
from waymark.vocab import AuditKind, CallOutcome, CaseStatus, DataCategory, EventSource, EventType

from .helpers import LOCATE, call, create_hotline


@pytest.fixture
def hotline(people):
    return create_hotline(people)


@pytest.fixture
def yonas(people):
    return create_case(people.giulia, given_names="Yonas", family_name="Tesfamariam", nationality="ER")


def test_a_call_is_added_to_a_case_the_hotline_shares_and_lands_on_its_timeline(people, hotline, yonas):
    share(yonas, hotline.org, LOCATE, missing=True)
    seen = actions.check_attach(hotline.elena, yonas.public_id, LOCATE)
    recorded = actions.do_attach_call(hotline.elena, seen, call())
    assert recorded.outcome == CallOutcome.ATTACHED and recorded.case == yonas
    entry = Event.objects.get(case=yonas, source=EventSource.HOTLINE)
    assert entry.type == EventType.SIGHTING and entry.category == DataCategory.CONTACT_LOCATION
    assert entry.location == "Milano Centrale, platform 21"
    # The caller's name and number stay in the call record, sealed under the child's key.
    assert "Rosa" not in (entry.summary + entry.details)
    row = Call.objects.get(pk=recorded.pk)
    assert row.seal_key == yonas.child.public_id
    assert "Rosa" not in row.caller_name_sealed and "333" not in row.caller_phone_sealed
    assert row.caller_name == "Rosa Bianchi (fictional)" and row.caller_phone == "+39 333 000 0000"
    assert AuditEntry.objects.filter(kind=AuditKind.OTHER, details__action="hotline_call").exists()


def test_a_call_is_not_added_to_a_case_the_hotline_may_not_see(people, hotline, yonas):
    with pytest.raises(ActionError) as refused:
        actions.check_attach(hotline.elena, yonas.public_id, LOCATE)
    assert "case" in refused.value.errors
    assert not Call.objects.exists()


def test_a_call_is_passed_to_the_holder_of_a_possible_match_whose_people_are_notified(people, hotline, yonas):
    found = lookup(hotline.elena, LOCATE, "Yonas Tesfamariam")
    assert found.cases == [] and [o.slug for o in found.holders] == ["it-cps-milano"]
    recorded = actions.do_pass_call(hotline.elena, call(), "it-cps-milano")
    assert recorded.outcome == CallOutcome.PASSED and recorded.passed_to == people.it_cps
    assert recorded.case is None and recorded.seal_key == recorded.public_id
    [note] = Notification.objects.filter(user=people.giulia)
    assert (
        "116 000 call" in note.text
        and "Yonas" not in note.text
        and note.url.endswith(f"{recorded.public_id}/")
    )
    passed = AuditEntry.objects.get(kind=AuditKind.OTHER, details__action="hotline_call_passed")
    assert passed.peer_org == "it-cps-milano" and passed.child_pseudonym


def test_the_holder_adds_a_passed_call_to_its_own_case(people, hotline, yonas):
    recorded = actions.do_pass_call(hotline.elena, call(), "it-cps-milano")
    seen = actions.check_attach(people.giulia, yonas.public_id, LOCATE)
    actions.do_take_passed_call(people.giulia, recorded, seen)
    row = Call.objects.get(pk=recorded.pk)
    assert row.case == yonas and row.seal_key == yonas.child.public_id
    assert row.known.startswith("Saw a boy") and row.caller_name == "Rosa Bianchi (fictional)"
    assert Event.objects.filter(case=yonas, source=EventSource.HOTLINE).count() == 1
    with pytest.raises(ActionError):  # once only
        actions.do_take_passed_call(people.giulia, row, seen)


def test_a_call_is_not_passed_where_no_possible_match_is_held(people, hotline, yonas):
    with pytest.raises(ActionError) as refused:
        actions.do_pass_call(hotline.elena, call(child_name="Somebody Else"), "it-cps-milano")
    assert "to_org" in refused.value.errors
    with pytest.raises(ActionError) as refused:
        actions.do_pass_call(hotline.elena, call(child_name=""), "it-cps-milano")
    assert "call.child_name" in refused.value.errors
    assert not Call.objects.exists() and not Notification.objects.exists()


def test_a_new_case_is_opened_in_the_hotline_and_the_child_reported_missing(people, hotline):
    recorded = actions.do_open_case(
        hotline.elena, NewCaseIn(call=call(child_name="Amina Tesfay"), missing_category="runaway")
    )
    case = recorded.case
    assert case is not None
    assert case.organisation == hotline.org and case.status == CaseStatus.MISSING
    assert (case.child.given_names, case.child.family_name) == ("Amina", "Tesfay")
    report = Disappearance.objects.get(case=case)
    assert report.missing_category == "runaway" and report.last_seen_place == "Milano Centrale, platform 21"
    assert report.circumstances.startswith("Saw a boy")
    assert recorded.outcome == CallOutcome.NEW_CASE
    assert Event.objects.filter(case=case, source=EventSource.HOTLINE).exists()


def test_a_new_case_needs_the_childs_name_and_writes_nothing_without_it(people, hotline):
    with pytest.raises(ActionError) as refused:
        actions.do_open_case(hotline.elena, NewCaseIn(call=call(child_name="")))
    assert "call.child_name" in refused.value.errors
    assert not Case.objects.filter(organisation=hotline.org).exists() and not Call.objects.exists()


def test_only_a_hotline_operator_records_calls_and_only_to_locate_a_child(people, hotline):
    with pytest.raises(Refused):
        check_operator(people.giulia, LOCATE)
    with pytest.raises(Refused):
        check_operator(people.ivan, LOCATE)
    with pytest.raises(Refused):
        check_operator(hotline.elena, "child_protection")
    check_operator(hotline.elena, LOCATE)
