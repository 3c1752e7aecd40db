"""Issue 9, finding 9: an envelope is sealed once, when it is queued, and lives up to seven days;
the dispatcher used to send it whatever became of its agreement meanwhile. Now each (re)send
first asks the registry whether the agreement still allows it (active, in date, covering the
message): if not, the message is not sent — cancelled, with the reason shown to the sender."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.core.protocol import testing as proto
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import InboxMessage, OutboxMessage, OutboxStatus
from waymark.exchange.reconcile import ledger, reconcile
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import make_due
from waymark.exchange.threads import notice as notices
from waymark.test import create_case, login
from waymark.vocab import AuditDecision, AuditKind


def send(people, federation, case, subject):
    return notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(to_org="fr-ngo-calais", subject=subject, text="Fictional."),
        node=federation.it,
    )


def republish(federation, version, **agreement):
    now = timezone.now()
    fields = {
        "valid_from": now - dt.timedelta(days=1),
        "valid_until": now + dt.timedelta(days=1),
        **agreement,
    }
    federation.publish(
        proto.registry(
            version=version,
            issued_at=now - dt.timedelta(minutes=1),
            expires_at=now + dt.timedelta(days=7),
            agreements=(proto.agreement(**fields),),
        )
    )


def test_finding_9_an_envelope_sealed_before_a_suspension_is_not_sent(client, people, federation, wire):
    case = create_case(people.giulia)
    send(people, federation, case, "sealed while the agreement was active")
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING

    republish(federation, 2, status="suspended")
    dispatch_pending(federation.it, wire)

    row.refresh_from_db()
    assert wire.sent == []  # nothing left this node
    assert not InboxMessage.objects.exists()
    assert row.status == OutboxStatus.CANCELLED
    assert row.receipt_reason == "agreement_inactive"
    assert proto.AGREEMENT_ID in row.receipt_detail and "not active" in row.receipt_detail
    # Final: never tried again, even once the agreement is active again.
    republish(federation, 3, status="active")
    make_due()
    assert dispatch_pending(federation.it, wire) == 0
    assert wire.sent == []

    # The sender sees why: on the case's timeline, on the exchange dashboard, in the audit log.
    timeline = [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]
    assert any("was not sent" in s and "agreement_inactive" in s for s in timeline), timeline
    login(client, people.giulia)
    page = client.get(reverse("exchange:dashboard")).content.decode()
    assert "not sent" in page and "agreement_inactive" in page
    entry = AuditEntry.objects.filter(kind=AuditKind.ENVELOPE_SENT, decision=AuditDecision.DENY).get()
    assert entry.details["message_id"] == str(row.message_id)
    assert entry.details["cancelled"] == "agreement_inactive"
    assert entry.reasons == ["agreement_inactive"]
    # The child's access report says it was not sent.
    login(client, people.giulia)
    report = client.get(reverse("access_report", args=[case.public_id])).content.decode()
    assert "tried to send" in report and "This was not allowed." in report


def test_finding_9_a_retry_stops_once_the_agreement_has_ended(people, federation, wire):
    case = create_case(people.giulia)
    wire.down.add("node-fr")
    send(people, federation, case, "first attempt fails")
    row = OutboxMessage.objects.get()
    dispatch_pending(federation.it, wire)
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1

    now = timezone.now()
    republish(
        federation, 2, valid_from=now - dt.timedelta(days=30), valid_until=now - dt.timedelta(minutes=5)
    )
    wire.down.clear()
    make_due()
    dispatch_pending(federation.it, wire)

    row.refresh_from_db()
    assert row.status == OutboxStatus.CANCELLED
    assert row.receipt_reason == "expired"
    assert wire.sent == []


def test_finding_9_later_messages_of_the_conversation_are_stopped_too(people, federation, wire):
    case = create_case(people.giulia)
    send(people, federation, case, "one")
    send(people, federation, case, "two")
    republish(federation, 2, status="terminated")
    dispatch_pending(federation.it, wire)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.CANCELLED}
    assert wire.sent == []


def test_a_message_the_agreement_still_allows_is_sent(people, federation, wire):
    case = create_case(people.giulia)
    send(people, federation, case, "sent")
    republish(federation, 2, status="active")
    dispatch_pending(federation.it, wire)
    assert OutboxMessage.objects.get().status == OutboxStatus.RECEIPTED


def test_finding_9_a_cancelled_message_reconciles(people, federation, wire):
    case = create_case(people.giulia)
    send(people, federation, case, "stopped")
    republish(federation, 2, status="suspended")
    dispatch_pending(federation.it, wire)

    report = reconcile([ledger("node-it", orgs={"it-cps-milano"})], current_registry())
    assert report.ok, report.problems
    assert report.cancelled == 1
