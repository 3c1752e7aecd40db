"""Police alerts on a missing child: requested (the unit's need-to-know context opened, the
protocol's SIS step done, on the timeline, audited), issued with a reference, hit, closed or
withdrawn (the context ends) — only along the lifecycle's table; bad requests change nothing."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.errors import ActionError
from waymark.police.models import PoliceAlert
from waymark.policy.models import SharedContext
from waymark.test import create_case, create_org
from waymark.vocab import ContextSource, PoliceAlertState, Sector

from .helpers import advance, missing_case, request_alert


def test_requesting_an_sis_alert_opens_the_units_context_and_marks_the_protocol_step(people):
    case, d = missing_case(people)
    alert = request_alert(people, case)
    assert alert.state == PoliceAlertState.REQUESTED
    assert alert.issue_clock.state(alert.requested_at).value == "running"
    context = SharedContext.objects.get(source=ContextSource.POLICE_ALERT, source_id=alert.public_id)
    assert context.partner == "be-police-mpu" and context.purpose == "locate_missing_child"
    assert context.closed_at is None
    step = d.steps.get(key="sis_alert_requested")
    assert step.done_at == alert.requested_at and step.done_by == people.giulia
    summaries = [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]
    assert any("Police alert requested from Cellule Personnes Disparues" in s for s in summaries)
    assert AuditEntry.objects.filter(details__action="police_alert_requested").count() == 1


def test_the_lifecycle_runs_to_closed_and_the_context_ends(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    alert = advance(people, alert, "issued", reference="SIS-IT-2026-0042 (fictional)")
    assert alert.issued_at is not None and alert.reference == "SIS-IT-2026-0042 (fictional)"
    assert alert.issue_clock.met_at == alert.issued_at
    alert = advance(people, alert, "hit", place="Bruxelles-Midi (fictional)")
    alert = advance(people, alert, "closed")
    assert alert.state == PoliceAlertState.CLOSED and alert.closed_at is not None
    assert SharedContext.objects.get(source_id=alert.public_id).closed_at == alert.closed_at
    audited = set(AuditEntry.objects.values_list("details__action", flat=True))
    assert {"police_alert_issued", "police_alert_hit", "police_alert_closed"} <= audited


def test_issuing_without_the_police_reference_is_refused_and_changes_nothing(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    with pytest.raises(ActionError) as refused:
        advance(people, alert, "issued", reference="")
    assert "reference" in refused.value.errors
    alert.refresh_from_db()
    assert alert.state == PoliceAlertState.REQUESTED and alert.issued_at is None


def test_a_hit_on_an_alert_never_issued_is_refused(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    with pytest.raises(ActionError, match="requested cannot become hit"):
        advance(people, alert, "hit", place="Lille")


def test_a_withdrawn_request_ends_the_context_and_the_issue_clock(people):
    case, _d = missing_case(people)
    alert = advance(people, request_alert(people, case), "withdrawn")
    assert alert.issue_clock.stopped_at == alert.withdrawn_at
    assert SharedContext.objects.get(source_id=alert.public_id).closed_at is not None
    # A new request of the same kind may follow once the first has ended.
    assert request_alert(people, case).state == PoliceAlertState.REQUESTED


def test_no_police_alert_for_a_child_not_reported_missing(people):
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="not reported missing"):
        request_alert(people, case)
    assert PoliceAlert.objects.count() == 0


def test_the_unit_asked_must_be_police_never_immigration_enforcement(people):
    case, _d = missing_case(people)
    for slug in (people.immigration.slug, people.fr_ngo.slug, "nowhere"):
        with pytest.raises(ActionError) as refused:
            request_alert(people, case, police_org=slug)
        assert "police_org" in refused.value.errors
    assert PoliceAlert.objects.count() == 0
    assert not SharedContext.objects.filter(partner=people.immigration.slug).exists()


def test_one_live_alert_of_each_kind(people):
    case, _d = missing_case(people)
    request_alert(people, case)
    with pytest.raises(ActionError, match="already has a live alert"):
        request_alert(people, case)
    other = create_org("it-police-milano", country="IT", sector=Sector.POLICE)
    assert request_alert(people, case, kind="national_report", police_org=other.slug, sis_category=None)


def test_an_interpol_yellow_notice_only_where_the_child_may_have_left_the_sis_area(people):
    case, _d = missing_case(people)  # route FR, BE; destination SE: all in the SIS area
    with pytest.raises(ActionError, match="Interpol"):
        request_alert(people, case, kind="interpol_yellow", sis_category=None)
    other, _ = missing_case(people, destination_country="GB", route_countries=["FR"])
    assert request_alert(people, other, kind="interpol_yellow", sis_category=None).kind == "interpol_yellow"
