"""Migration 0003 seals the threads' text from then on; what was written before it stays readable."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from waymark.exchange.models import Thread

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

    referral = Thread.objects.filter(kind="referral").get()
    assert referral.seal_key == referral.public_id
    assert referral.data.text("reason") == "Legacy reason (fictional)"
    assert referral.data.doc("offer") == {"child": {"given_names": "Legacy"}}
    notice = Thread.objects.filter(kind="notice").get()
    assert (notice.data.text("subject"), notice.data.text("text")) == ("Legacy subject", "Legacy text")

    referral.data.put(response_reason="Answered after the upgrade")
    referral.save()
    referral.refresh_from_db()
    assert referral.sealed["response_reason"].startswith("sealed:")
    assert referral.data.text("response_reason") == "Answered after the upgrade"
