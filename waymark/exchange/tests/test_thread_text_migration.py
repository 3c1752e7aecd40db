"""Migration 0003 seals the threads' text from then on; what was written before it stays readable."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from waymark.exchange.models import Notice, Referral

BEFORE = [("exchange", "0002_transfer")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_sealing_read_through_and_new_writes_are_sealed():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    org = old.get_model("accounts", "Organisation").objects.create(
        slug="it-legacy", name="Legacy (fictional)", country="IT", sector="child_protection"
    )
    now = timezone.now()
    thread = {
        "direction": "in",
        "conversation_id": "c-1",
        "local_org": org,
        "peer_node": "node-fr",
        "peer_org": "fr-ngo-calais",
        "agreement_id": "a-1",
        "purpose": "child_protection",
        "created_at": now,
        "updated_at": now,
    }
    old.get_model("exchange", "Referral").objects.create(
        **thread,
        reason="Legacy reason (fictional)",
        offer={"child": {"given_names": "Legacy"}},
        offer_message_id=uuid.uuid4(),
    )
    old.get_model("exchange", "Notice").objects.create(
        **thread, message_id=uuid.uuid4(), subject="Legacy subject", text="Legacy text"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    referral = Referral.objects.get()
    assert referral.seal_key == referral.public_id
    assert referral.reason == "Legacy reason (fictional)"
    assert referral.offer == {"child": {"given_names": "Legacy"}}
    notice = Notice.objects.get()
    assert (notice.subject, notice.text) == ("Legacy subject", "Legacy text")

    referral.response_reason = "Answered after the upgrade"
    referral.save()
    referral.refresh_from_db()
    assert referral.response_reason_sealed.startswith("sealed:")
    assert referral.response_reason == "Answered after the upgrade"
