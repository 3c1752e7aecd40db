"""Migration exchange 0005: the conversations under way when need to know arrived share their
child as if they had been sent today — open referrals, transfers and requests in which this node
sent something about one of its cases; not the ended ones, not the ones only received."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from waymark.exchange.models import Direction, Thread, ThreadMessage
from waymark.policy.models import SharedContext
from waymark.test import create_case, create_personas

BEFORE = [("exchange", "0004_threads_ledger"), ("policy", "0002_breakglass")]


def thread(people, case, kind: str, status: str, direction: str, sent: bool) -> Thread:
    now = timezone.now()
    row = Thread.objects.create(
        kind=kind,
        direction=direction,
        status=status,
        conversation_id=str(uuid.uuid4()),
        local_org=people.it_cps,
        peer_node="node-fr",
        peer_org="fr-ngo-calais",
        agreement_id="a-1",
        purpose="child_protection",
        case=case,
        opened_message_id=uuid.uuid4(),
        created_at=now,
        updated_at=now,
    )
    ThreadMessage.objects.create(
        thread=row,
        message_id=row.opened_message_id,
        direction=Direction.OUTGOING if sent else Direction.INCOMING,
        type="referral_offer",
        at=now,
    )
    return row


@pytest.mark.django_db(transaction=True)
def test_open_conversations_we_sent_in_share_their_child_after_the_migration():
    people = create_personas()
    case = create_case(people.giulia)
    offered = thread(people, case, "referral", "offered", Direction.OUTGOING, sent=True)
    asked = thread(people, case, "info_request", "open", Direction.OUTGOING, sent=True)
    thread(people, case, "referral", "rejected", Direction.OUTGOING, sent=True)  # ended
    thread(people, case, "info_request", "open", Direction.INCOMING, sent=False)  # only received
    thread(people, None, "referral", "offered", Direction.INCOMING, sent=False)  # about no case here

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    found = {(c.source, c.source_id, c.case_id, c.partner, c.purpose) for c in SharedContext.objects.all()}
    assert found == {
        ("referral", offered.public_id, case.pk, "fr-ngo-calais", "child_protection"),
        ("info_request", asked.public_id, case.pk, "fr-ngo-calais", "child_protection"),
    }
