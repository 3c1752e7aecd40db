"""Closing a disappearance without a found report — the child came back by themselves, or the
report was made in error — tells every node that received the alert, as closing found does:
``case_closed`` to each recipient, which ends its context and purges its copy."""

from __future__ import annotations

import pytest

from waymark.cases.models import Case
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.threads import missing_alert as alerts
from waymark.missing.models import Disappearance
from waymark.missing.tests.helpers import report
from waymark.policy.models import SharedContext
from waymark.test import create_case
from waymark.vocab import CaseStatus, DisappearanceOutcome

from .test_missing_alert import BOTH, received, sent


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


@pytest.fixture
def reported(people, federation, wire):
    """Amina (fictional) reported missing in Milan, the alert delivered to Calais and Brussels."""
    case = create_case(people.giulia, given_names="Amina", family_name="Test (fictional)")
    report(people.giulia, case)
    case.refresh_from_db()
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=BOTH), node=federation.it)
    dispatch_pending(federation.it, wire)
    return case


def test_came_back_sends_case_closed(people, federation, wire, reported):
    alerts.do_close_missing(
        people.giulia,
        reported,
        alerts.CloseMissingIn(outcome=DisappearanceOutcome.RETURNED, note="Back at the shelter"),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)

    case = Case.objects.get(pk=reported.pk)
    assert case.status == CaseStatus.OPEN
    assert Disappearance.objects.get(case=case).outcome == DisappearanceOutcome.RETURNED
    for org in BOTH:
        assert sent(org).status == "closed"
        copy = received(org)
        assert copy.status == "closed"
        assert copy.data.doc("alert") == {} and copy.facts["purged_at"]
        assert copy.messages.filter(type="case_closed").exists()
    assert not SharedContext.objects.filter(case_id=case.pk, closed_at__isnull=True).exists()


def test_a_report_withdrawn_in_error_sends_case_closed_too(people, federation, wire, reported):
    alerts.do_close_missing(
        people.giulia,
        reported,
        alerts.CloseMissingIn(outcome=DisappearanceOutcome.WITHDRAWN),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    assert {received(org).status for org in BOTH} == {"closed"}
    assert Disappearance.objects.get(case=reported).outcome == DisappearanceOutcome.WITHDRAWN


def test_closing_a_child_not_missing_is_refused_naming_the_status(people, federation, wire, reported):
    alerts.do_close_missing(
        people.giulia,
        reported,
        alerts.CloseMissingIn(outcome=DisappearanceOutcome.RETURNED),
        node=federation.it,
    )
    with pytest.raises(ActionError) as refused:
        alerts.do_close_missing(
            people.giulia,
            Case.objects.get(pk=reported.pk),
            alerts.CloseMissingIn(outcome=DisappearanceOutcome.RETURNED),
            node=federation.it,
        )
    assert "status" in refused.value.errors
