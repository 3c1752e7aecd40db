"""An agreement suspended while messages are queued: the sender, whose registry says so, does not
send the next one — it is cancelled for good and the case is told. (A sender whose registry is
behind gets the receiver's signed refusal instead: test_network_crash.py, test_inbox_refusals.py.)"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.cases.models import Event
from waymark.core.protocol import testing as proto
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import OutboxMessage, OutboxStatus, Thread
from waymark.exchange.threads import notice as notices
from waymark.test import create_case


def test_the_next_message_after_a_suspension_is_not_sent_and_says_why(people, federation, wire):
    case = create_case(people.giulia)
    send = lambda subject: notices.do_send_notice(  # noqa: E731
        people.giulia, case, notices.NoticeIn(to_org="fr-ngo-calais", subject=subject), node=federation.it
    )
    send("before")
    dispatch_pending(federation.it, wire)
    send("queued, then the agreement is suspended")

    now = timezone.now()
    federation.publish(
        proto.registry(
            version=2,
            issued_at=now - dt.timedelta(minutes=1),
            expires_at=now + dt.timedelta(days=7),
            agreements=(
                proto.agreement(
                    status="suspended",
                    valid_from=now - dt.timedelta(days=1),
                    valid_until=now + dt.timedelta(days=1),
                ),
            ),
        )
    )
    dispatch_pending(federation.it, wire)

    first, second = OutboxMessage.objects.order_by("id")
    assert first.status == OutboxStatus.RECEIPTED
    assert second.status == OutboxStatus.CANCELLED
    assert second.receipt_reason == "agreement_inactive"
    assert not second.receipt
    assert [n.data.text("subject") for n in Thread.objects.filter(kind="notice").filter(direction="in")] == [
        "before"
    ]
    timeline = [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]
    assert any("was not sent: agreement_inactive" in s for s in timeline)

    # Final: the dispatcher never tries it again.
    assert dispatch_pending(federation.it, wire) == 0
