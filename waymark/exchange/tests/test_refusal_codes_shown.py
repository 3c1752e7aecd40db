"""A peer's refusal reaches the sender's pages as its code with a label: `not_implemented` as
"not taken yet", and a code this version does not know (a newer peer's) still accepted as a
final refusal, kept as it came and shown with a generic label."""

from __future__ import annotations

import json

from django.urls import reverse

from waymark.cases.models import Event
from waymark.core.protocol import jose
from waymark.core.protocol import testing as proto
from waymark.exchange import threads
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import OutboxMessage, OutboxStatus
from waymark.exchange.threads import notice as notices
from waymark.test import create_case
from waymark.vocab import DataCategory

NOTICE = notices.NoticeIn(to_org="fr-ngo-calais", category=DataCategory.CASE_NOTES, subject="Left the centre")


def send_notice(people, federation):
    case = create_case(people.giulia)
    notices.do_send_notice(people.giulia, case, NOTICE, node=federation.it)
    return case


def dashboard(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("exchange:dashboard")).content.decode()


def as_a_newer_peer_refusing(code: str):
    """France answers with a rejection carrying ``code``, signed with its registered key."""

    def reply(node_id: str, receipt: bytes) -> bytes:
        payload = json.loads(jose.b64url_decode(receipt.decode().split(".")[1]))
        payload.update(status="rejected", reason_code=code, reason="refused by a later version")
        signer = proto.node_keys(node_id).signing
        return jose.sign(jose.canonical_json(payload), signer, jose.TYP_RECEIPT).encode()

    return reply


def test_receipt_with_unknown_reason_code_is_accepted_and_shown(client, people, federation, wire):
    case = send_notice(people, federation)
    wire.reply = as_a_newer_peer_refusing("quota_exceeded")

    dispatch_pending(federation.it, wire)

    row = OutboxMessage.objects.get()
    assert (row.status, row.receipt_reason) == (OutboxStatus.REJECTED, "quota_exceeded")
    assert row.receipt_detail == "refused by a later version"
    timeline = [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]
    assert any(s.endswith("refused our notice: quota_exceeded") for s in timeline)
    page = dashboard(client, people.giulia)
    assert "quota_exceeded" in page
    assert "a reason this version of Waymark does not know" in page


def test_a_peer_that_does_not_implement_a_type_is_shown_as_such(
    client, people, federation, wire, monkeypatch
):
    send_notice(people, federation)
    # France runs a version without notices, but the registry still says it takes them.
    monkeypatch.delitem(threads.KINDS, "notice")

    dispatch_pending(federation.it, wire)

    row = OutboxMessage.objects.get()
    assert (row.status, row.receipt_reason) == (OutboxStatus.REJECTED, "not_implemented")
    page = dashboard(client, people.giulia)
    assert "the receiving node does not take this type of message yet" in page
    assert "not_implemented" in page
