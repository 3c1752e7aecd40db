"""Migration 0004 moves every referral (and its steps), request, notice and transfer written under
the per-kind schema (0003, text sealed) into threads and the ledger: everything stays readable,
statuses, clocks and facts carry over, and the sealed tokens are copied, not re-sealed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from waymark.exchange.models import Thread
from waymark.exchange.reconcile import applied_message_ids
from waymark.vault import service as vault

BEFORE = [("exchange", "0003_seal_thread_text")]


def sealed(key: uuid.UUID, field: str, text: str) -> str:
    return vault.seal_text(key, field, text)


@pytest.mark.django_db(transaction=True)
def test_threads_written_under_the_per_kind_schema_read_the_same_after_the_ledger_migration():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    org = old.get_model("accounts", "Organisation").objects.create(
        slug="it-legacy", name="Legacy (fictional)", country="IT", sector="child_protection"
    )
    now = timezone.now()

    def thread(direction: str) -> dict:
        key = uuid.uuid4()
        return {
            "public_id": key,
            "seal_key": key,
            "direction": direction,
            "conversation_id": f"c-{key}",
            "local_org": org,
            "peer_node": "node-fr",
            "peer_org": "fr-ngo-calais",
            "peer_org_name": "Association (fictional)",
            "agreement_id": "a-1",
            "purpose": "child_protection",
            "created_at": now,
            "updated_at": now,
        }

    r = thread("out")
    offer_id, accept_id = uuid.uuid4(), uuid.uuid4()
    referral = old.get_model("exchange", "Referral").objects.create(
        **r,
        status="accepted",
        reason_sealed=sealed(r["public_id"], "exchange.referral.reason", "Uncle in Calais (fictional)"),
        response_reason_sealed=sealed(r["public_id"], "exchange.referral.response_reason", "Welcome"),
        offer_message_id=offer_id,
    )
    step = old.get_model("exchange", "ReferralStep")
    step.objects.create(
        referral=referral,
        message_id=offer_id,
        action="offer",
        direction="out",
        at=now,
        reason_sealed=sealed(r["public_id"], "exchange.referralstep.reason", "Uncle in Calais (fictional)"),
    )
    step.objects.create(referral=referral, message_id=accept_id, action="accept", direction="in", at=now)

    q = thread("in")
    request_id, response_id = uuid.uuid4(), uuid.uuid4()
    due = now + dt.timedelta(hours=24)
    old.get_model("exchange", "InfoRequest").objects.create(
        **q,
        questions_sealed=sealed(
            q["public_id"],
            "exchange.inforequest.questions",
            '[{"category": "health", "id": "q1", "text": "Asthma?"}]',
        ),
        answers_sealed=sealed(
            q["public_id"], "exchange.inforequest.answers", '[{"question_id": "q1", "text": "Yes"}]'
        ),
        legal_basis="Art. 6(1)(e) (fictional)",
        due_at=due,
        request_message_id=request_id,
        status="answered",
        answered_at=now,
        response_message_id=response_id,
    )

    n = thread("in")
    notice_id = uuid.uuid4()
    old.get_model("exchange", "Notice").objects.create(
        **n,
        message_id=notice_id,
        subject_sealed=sealed(n["public_id"], "exchange.notice.subject", "Seen at the station"),
        text_sealed="",
    )

    t = thread("out")
    transfer_id, answer_id = uuid.uuid4(), uuid.uuid4()
    old.get_model("exchange", "Transfer").objects.create(
        **t,
        status="accepted",
        reason_sealed=sealed(t["public_id"], "exchange.transfer.reason", "Moving to Calais"),
        history_count=3,
        offer_message_id=transfer_id,
        response_message_id=answer_id,
        responsible_from=now,
        answered_at=now,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    moved = Thread.objects.get(public_id=r["public_id"])
    assert (moved.kind, moved.status, moved.opened_message_id) == ("referral", "accepted", offer_id)
    assert moved.data.text("reason") == "Uncle in Calais (fictional)"
    assert moved.data.text("response_reason") == "Welcome"
    assert [(m.type, m.direction, m.note) for m in moved.messages.all()] == [
        ("referral_offer", "out", "Uncle in Calais (fictional)"),
        ("referral_accept", "in", ""),
    ]

    asked = Thread.objects.get(public_id=q["public_id"])
    assert (asked.kind, asked.status, asked.due_at, asked.facts) == (
        "info_request",
        "answered",
        due,
        {"legal_basis": "Art. 6(1)(e) (fictional)"},
    )
    assert asked.data.doc("questions", list)[0]["text"] == "Asthma?"
    assert asked.data.doc("answers", list) == [{"question_id": "q1", "text": "Yes"}]
    # The request came in; we sent the response.
    assert [(m.type, m.direction) for m in asked.messages.all()] == [
        ("info_request", "in"),
        ("info_response", "out"),
    ]

    notice = Thread.objects.get(public_id=n["public_id"])
    assert (notice.kind, notice.status, notice.data.text("subject")) == (
        "notice",
        "sent",
        "Seen at the station",
    )

    transfer = Thread.objects.get(public_id=t["public_id"])
    assert (transfer.kind, transfer.facts["history_count"]) == ("transfer", 3)
    assert transfer.data.text("reason") == "Moving to Calais"
    assert [(m.type, m.direction) for m in transfer.messages.all()] == [
        ("case_transfer", "out"),
        ("transfer_accept", "in"),
    ]

    # What arrived here is what the reconciler counts as applied, once each.
    assert applied_message_ids() == {
        str(accept_id): 1,
        str(request_id): 1,
        str(notice_id): 1,
        str(answer_id): 1,
    }
