"""Issue 9, finding 8 (d): threads written before the exchange sealed its text (exchange 0003)
kept plain text, which read through ``vault.reveal``. Migration 0007 seals it, so the plain-text
fallback could go: plain text in a thread is now refused as tampering."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.utils import timezone

from waymark.exchange.models import Direction, Thread, ThreadMessage
from waymark.vault import service as vault


def legacy_thread(org, **sealed: str) -> Thread:
    now = timezone.now()
    thread = Thread(
        kind="referral",
        direction=Direction.INCOMING,
        status="offered",
        conversation_id="c-legacy",
        local_org=org,
        peer_node="node-it",
        peer_org="it-cps-milano",
        agreement_id="a-1",
        purpose="child_protection",
        opened_message_id=uuid.uuid4(),
        created_at=now,
        updated_at=now,
    )
    thread.save(force_insert=True)
    # Written as a node did before sealing: plain tokens in the column.
    Thread.objects.filter(pk=thread.pk).update(sealed=sealed)
    thread.refresh_from_db()
    return thread


def test_finding_8_the_migration_seals_legacy_thread_text_and_plain_text_is_refused_after(people):
    thread = legacy_thread(
        people.fr_ngo, reason="Legacy reason (fictional)", offer='{"child": {"given_names": "Legacy"}}'
    )
    message = ThreadMessage.objects.create(
        thread=thread,
        message_id=uuid.uuid4(),
        direction=Direction.INCOMING,
        type="referral_offer",
        at=timezone.now(),
    )
    ThreadMessage.objects.filter(pk=message.pk).update(note_sealed="Legacy note (fictional)")
    with pytest.raises(vault.SealError):
        thread.data.text("reason")

    migration = importlib.import_module("waymark.exchange.migrations.0007_seal_legacy_thread_text")
    migration.seal_legacy_text(apps, None)

    thread = Thread.objects.get(pk=thread.pk)
    assert all(vault.is_sealed(token) for token in thread.sealed.values())
    assert thread.data.text("reason") == "Legacy reason (fictional)"
    assert thread.data.doc("offer") == {"child": {"given_names": "Legacy"}}
    message = ThreadMessage.objects.select_related("thread").get(pk=message.pk)
    assert vault.is_sealed(message.note_sealed) and message.note == "Legacy note (fictional)"

    # Afterwards a plain token planted in the database is refused, not shown.
    Thread.objects.filter(pk=thread.pk).update(sealed={**thread.sealed, "reason": "planted"})
    with pytest.raises(vault.SealError):
        Thread.objects.get(pk=thread.pk).data.text("reason")
