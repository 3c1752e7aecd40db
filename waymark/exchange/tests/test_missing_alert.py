"""A missing-child alert between the fictional nodes in one database: Italy alerts France and
Belgium; each node acknowledges on receipt, a person marks it seen; France reports a sighting,
Belgium a found report; Italy closes the disappearance and every recipient purges its copy."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from waymark.cases.models import Case, Event
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import envelope_sha256, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import MessageType, make_header
from waymark.core.protocol.receipts import ReceiptStatus, verify_receipt
from waymark.core.protocol.vocab import DataCategory, Purpose
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.inbound import receive
from waymark.exchange.models import AlertNotice, Direction, OutboxMessage, Thread, ThreadMessage
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import missing_alert as alerts
from waymark.policy.models import SharedContext
from waymark.test import create_case, create_user
from waymark.vocab import CaseStatus, EventType, MissingCategory, RiskLevel, Role

BOTH = ["fr-ngo-calais", "be-police-mpu"]


def missing_case(people, **case):
    case_fields = {
        "status": CaseStatus.MISSING,
        "missing_category": MissingCategory.UNACCOMPANIED_MIGRANT,
        "risk_level": RiskLevel.HIGH,
        "caseworker": "giulia",
        **case,
    }
    made = create_case(people.giulia, given_names="Amina", family_name="Test (fictional)", case=case_fields)
    Event.objects.create(
        case=made,
        type=EventType.DISAPPEARANCE,
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        category=DataCategory.CONTACT_LOCATION,
        summary="Left the shelter after dinner",
        location="Milano Centrale",
    )
    return made


def received(org: str) -> Thread:
    return Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING, local_org__slug=org)


def sent(org: str) -> Thread:
    return Thread.objects.get(kind="missing_alert", direction=Direction.OUTGOING, peer_org=org)


@pytest.fixture
def federation(takes_erasure):
    """Every node lists the types this code implements (alerts among them), as ``node_init`` does."""
    return takes_erasure


@pytest.fixture
def alerted(people, federation, wire):
    case = missing_case(people)
    alerts.do_send_alerts(
        people.giulia,
        case,
        alerts.AlertsIn(to_orgs=BOTH, physical_description="Green jacket, 1.55 m"),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return case


def test_an_alert_reaches_each_recipient_with_only_what_locating_the_child_needs(people, alerted):
    for org in BOTH:
        alert = received(org)
        held = alert.data.doc("alert")
        assert held["child"]["given_names"] == "Amina"
        assert held["child"]["physical_description"] == "Green jacket, 1.55 m"
        assert held["last_seen_place"]["description"] == "Milano Centrale"
        assert held["risk_level"] == "high"
        assert alert.case is None  # a recipient holds no case: the alert thread is its copy
        assert DataCategory.HEALTH not in alert.categories
        assert "Amina" not in str(alert.sealed)  # sealed at rest
        assert set(alert.facts) == {"revision"}  # nothing about the child in clear
        # The human acknowledgement is due within an hour for a child at high risk.
        assert alert.due_at is not None and alert.due_at - alert.created_at <= dt.timedelta(hours=1)


def test_each_node_acknowledges_on_receipt_and_the_sender_sees_it_per_recipient(people, alerted):
    rows = {r.alert.peer_org: r for r in alerts.recipients(alerted)}
    assert set(rows) == set(BOTH)
    for row in rows.values():
        assert row.receipt == "receipted" and row.delivered_at is not None
        assert row.seen_at == ""


def test_the_alert_opens_the_need_to_know_context_for_each_partner(people, alerted):
    open_for = set(
        SharedContext.objects.filter(
            case_id=alerted.pk, closed_at__isnull=True, source="missing_alert"
        ).values_list("partner", flat=True)
    )
    assert open_for == set(BOTH)


def test_a_person_marks_it_seen_and_the_sender_sees_it(people, federation, wire, alerted):
    alerts.do_mark_seen(people.claire, received("fr-ngo-calais"), node=federation.fr)
    dispatch_pending(federation.fr, wire)
    rows = {r.alert.peer_org: r for r in alerts.recipients(alerted)}
    assert rows["fr-ngo-calais"].seen_at
    assert rows["be-police-mpu"].seen_at == ""


def test_a_sighting_lands_on_the_owners_timeline_and_notifies_the_caseworker(
    people, federation, wire, alerted
):
    alerts.do_report_sighting(
        people.claire,
        received("fr-ngo-calais"),
        alerts.SightingIn(
            seen_at=timezone.now() - dt.timedelta(minutes=30),
            place="Gare de Lille-Flandres",
            country="FR",
            with_whom="An adult man, about 30",
            confidence="high",
        ),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    sighting = Event.objects.select_related("case__child").get(case=alerted, type=EventType.SIGHTING)
    assert "Gare de Lille-Flandres" in sighting.summary_text
    assert "An adult man" in sighting.details_text
    assert sighting.location.startswith("Gare de Lille-Flandres")
    assert AlertNotice.objects.filter(user=people.giulia, case=alerted).count() == 1
    assert sent("fr-ngo-calais").status == "alerted"


def test_found_then_closed_everywhere_and_every_copy_purged(people, federation, wire, alerted):
    alerts.do_report_found(
        people.luc,
        received("be-police-mpu"),
        alerts.FoundIn(
            found_at=timezone.now(), place="Bruxelles-Midi", safe=True, now_in_care_of="be-police-mpu"
        ),
        node=federation.be,
    )
    dispatch_pending(federation.be, wire)
    assert sent("be-police-mpu").status == "found"
    assert Event.objects.filter(case=alerted, type=EventType.FOUND).exists()

    alerts.do_close_found(people.giulia, alerted, alerts.CloseFoundIn(), node=federation.it)
    dispatch_pending(federation.it, wire)

    assert Case.objects.get(pk=alerted.pk).status == CaseStatus.FOUND
    for org in BOTH:
        copy = received(org)
        assert copy.status == "closed" and sent(org).status == "closed"
        assert copy.data.doc("alert") == {}
        assert copy.facts["purged_at"]
    assert not SharedContext.objects.filter(case_id=alerted.pk, closed_at__isnull=True).exists()
    # A found report for a closed alert gets a clear answer.
    with pytest.raises(ActionError, match="closed"):
        alerts.do_report_found(
            people.claire,
            received("fr-ngo-calais"),
            alerts.FoundIn(found_at=timezone.now()),
            node=federation.fr,
        )
    with pytest.raises(ActionError, match="already recorded as found"):
        alerts.do_close_found(
            people.giulia, Case.objects.get(pk=alerted.pk), alerts.CloseFoundIn(), node=federation.it
        )


def test_an_update_and_a_withdrawal_propagate(people, federation, wire, alerted):
    alerts.do_update_alerts(
        people.giulia, alerted, alerts.AlertFields(physical_description="Now a red cap"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    copy = received("fr-ngo-calais")
    assert copy.facts["revision"] == 1
    assert copy.data.doc("alert")["child"]["physical_description"] == "Now a red cap"

    alerts.do_withdraw_alerts(people.giulia, alerted, alerts.WithdrawIn(), node=federation.it)
    dispatch_pending(federation.it, wire)
    for org in BOTH:
        assert received(org).status == "withdrawn"
        assert received(org).data.doc("alert") == {}


def test_an_alert_to_an_organisation_without_an_agreement_is_refused_and_nothing_leaves(
    people, federation, wire
):
    # The agreement names France only: Belgium has none.
    federation.publish(
        dated_registry(
            version=3,
            nodes=current_registry().nodes,
            agreements=(
                dated_agreement(
                    parties=("it-cps-milano", "fr-ngo-calais"),
                    grants=proto.grants(orgs=("it-cps-milano", "fr-ngo-calais")),
                ),
            ),
        )
    )
    case = missing_case(people)
    with pytest.raises(ActionError, match="be-police-mpu"):
        alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=BOTH), node=federation.it)
    assert not OutboxMessage.objects.exists()
    assert not Thread.objects.filter(kind="missing_alert").exists()


def test_an_alert_is_refused_for_a_child_not_recorded_missing(people, federation):
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="not recorded as missing"):
        alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=BOTH), node=federation.it)


def test_a_sighting_from_a_node_that_never_received_the_alert_gets_a_signed_negative_receipt(
    people, federation, alerted
):
    body = proto.sample_bodies()[MessageType.SIGHTING]
    header = make_header(
        type=MessageType.SIGHTING,
        body=body,
        conversation_id=str(alerted.public_id),
        from_node="node-be",
        from_org="be-police-mpu",
        to_node="node-it",
        to_org="it-cps-milano",
        agreement_id=proto.AGREEMENT_ID,
        purpose=Purpose.LOCATE_MISSING_CHILD,
        now=timezone.now(),
        # Names an alert Belgium never received (its own message id is not the opening one).
        in_reply_to=uuid.uuid4(),
    )
    raw = seal(header, body, proto.node_keys("node-be"), public_jwk(proto.node_keys("node-it").encryption))
    before = ThreadMessage.objects.count(), Event.objects.filter(type=EventType.SIGHTING).count()

    result = receive(federation.it, raw)

    assert (result.outcome, result.reason) == ("rejected", "not_party")
    receipt = verify_receipt(
        result.receipt,
        resolve_signing_key=current_registry().resolve_signing_key,
        receiver_node="node-it",
        sender_node="node-be",
        message_id=header.message_id,
        sent_envelope_sha256=envelope_sha256(raw),
    )
    assert receipt.status == ReceiptStatus.REJECTED
    assert (ThreadMessage.objects.count(), Event.objects.filter(type=EventType.SIGHTING).count()) == before


def test_only_someone_who_may_change_the_case_records_the_child_found(people, federation, wire, alerted):
    hotline = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    # Her role may now write a disappearance's notes (issue 11), but not send what closing the
    # alerts sends: refused, and nothing changes.
    with pytest.raises(ActionError, match="may not"):
        alerts.do_close_found(hotline, alerted, alerts.CloseFoundIn(), node=federation.it)
    assert Case.objects.get(pk=alerted.pk).status == CaseStatus.MISSING
    assert sent("fr-ngo-calais").status == "alerted"


def test_a_reported_disappearance_carries_the_alert_and_closing_found_stops_its_clocks(
    people, federation, wire
):
    """The disappearance report (waymark.missing) is where the alert learns when and where the
    child was last seen, and "found" on the alert closes that report: its protocol clocks stop,
    nobody is reminded of steps for a child who is safe."""
    from waymark.missing.actions import do_report_disappearance
    from waymark.missing.models import Disappearance
    from waymark.missing.schemas import DisappearanceIn

    case = create_case(people.giulia, given_names="Amina", family_name="Test (fictional)")
    seen_at = timezone.now() - dt.timedelta(hours=2)
    do_report_disappearance(
        people.giulia,
        case,
        DisappearanceIn(last_seen_at=seen_at, last_seen_place="Milano Lambrate", missing_category="runaway"),
    )
    case.refresh_from_db()
    assert alerts.last_seen(case).place == "Milano Lambrate"
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=BOTH), node=federation.it)
    dispatch_pending(federation.it, wire)
    assert received("fr-ngo-calais").data.doc("alert")  # the alert went out

    alerts.do_close_found(people.giulia, case, alerts.CloseFoundIn(), node=federation.it)
    report = Disappearance.objects.get(case=case)
    assert report.closed_at is not None and report.outcome == "found"
    assert not report.steps.filter(done_at__isnull=True, stopped_at__isnull=True).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FOUND
