"""Envelopes the inbox refuses: each gets a signed negative receipt with its reason, a logged
refusal, and has no effect."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.utils import timezone

from waymark.core.protocol import jose
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import envelope_sha256, seal
from waymark.core.protocol.keys import NodeKeys, public_jwk
from waymark.core.protocol.messages import MessageType, Notice, body_json, make_header
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.receipts import ReceiptStatus, verify_receipt
from waymark.exchange.inbound import receive
from waymark.exchange.models import InboundRefusal, InboxMessage, Thread
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_registry
from waymark.vocab import DataCategory, Purpose

IT, FR, BE = (proto.node_keys(n) for n in ("node-it", "node-fr", "node-be"))


def notice_header(now=None, **overrides):
    body = Notice(category=DataCategory.CASE_NOTES, subject="Seen at the station", text="Fictional.")
    fields: dict[str, Any] = {
        "type": MessageType.NOTICE,
        "body": body,
        "conversation_id": str(uuid.uuid4()),
        "from_node": "node-it",
        "from_org": "it-cps-milano",
        "to_node": "node-fr",
        "to_org": "fr-ngo-calais",
        "agreement_id": proto.AGREEMENT_ID,
        "purpose": Purpose.CHILD_PROTECTION,
        "now": now or timezone.now(),
    }
    fields.update(overrides)
    return make_header(**fields), body


def sealed_notice(**overrides) -> bytes:
    header, body = notice_header(**overrides)
    return seal(header, body, IT, public_jwk(FR.encryption))


def forged(**header_overrides) -> bytes:
    header, body = notice_header()
    data = header.model_dump(mode="json")
    data.update(header_overrides)
    return proto.forge(data, body_json(body))


def refused(federation, raw: bytes, reason: ReasonCode):
    result = receive(federation.fr, raw)
    assert (result.outcome, result.reason) == ("rejected", reason.value)
    log = InboundRefusal.objects.get(envelope_sha256=envelope_sha256(raw))
    assert log.reason == reason.value
    assert not Thread.objects.filter(kind="notice").exists()
    assert not InboxMessage.objects.filter(status="accepted").exists()
    return result, log


def test_a_valid_envelope_is_accepted(people, federation):
    result = receive(federation.fr, sealed_notice())
    assert result.outcome == "accepted"
    assert Thread.objects.get(kind="notice").data.text("subject") == "Seen at the station"


def test_a_tampered_envelope_is_refused(people, federation):
    parts = sealed_notice().decode().split(".")
    parts[3] = ("B" if parts[3][0] == "A" else "A") + parts[3][1:]
    _, log = refused(federation, ".".join(parts).encode(), ReasonCode.BAD_ENCRYPTION)
    assert log.from_node == "node-it" and not log.authenticated


def test_a_truncated_envelope_is_refused_with_a_receipt_naming_its_hash(people, federation):
    raw = sealed_notice()
    short = raw[: len(raw) // 2]
    result, _log = refused(federation, short, ReasonCode.MALFORMED)
    receipt = verify_receipt(
        result.receipt,
        resolve_signing_key=current_registry().resolve_signing_key,
        receiver_node="node-fr",
        sender_node="unknown",
        message_id=uuid.uuid4(),
        sent_envelope_sha256=envelope_sha256(short),
    )
    assert receipt.status == ReceiptStatus.REJECTED and receipt.reason_code == ReasonCode.MALFORMED


def test_an_expired_envelope_is_refused(people, federation):
    raw = sealed_notice(now=timezone.now() - dt.timedelta(days=9))
    refused(federation, raw, ReasonCode.EXPIRED)


def test_an_envelope_from_the_future_is_refused_for_clock_skew(people, federation):
    raw = sealed_notice(now=timezone.now() + dt.timedelta(hours=1))
    refused(federation, raw, ReasonCode.CLOCK_SKEW)


def test_an_envelope_signed_with_a_key_the_registry_does_not_list_is_refused(people, federation):
    header, body = notice_header()
    raw = proto.forge(header.model_dump(mode="json"), body_json(body), signer=NodeKeys.generate())
    refused(federation, raw, ReasonCode.UNKNOWN_SENDER)


def test_an_envelope_encrypted_for_another_nodes_key_is_refused(people, federation):
    header, body = notice_header()
    raw = proto.forge(header.model_dump(mode="json"), body_json(body), recipient=BE)
    refused(federation, raw, ReasonCode.WRONG_RECIPIENT)


def test_an_inner_signature_with_alg_none_is_refused(people, federation):
    header, body = notice_header()
    message = jose.canonical_json({"header": header.model_dump(mode="json"), "body": body_json(body)})
    protected = {"alg": "none", "kid": IT.signing_kid, "typ": jose.TYP_MESSAGE}
    unsigned = f"{jose.b64url_encode(json.dumps(protected).encode())}.{jose.b64url_encode(message)}."
    raw = proto.encrypt_for(unsigned, FR, wm_message_id=str(header.message_id))
    refused(federation, raw, ReasonCode.ALG_NOT_ALLOWED)


def test_an_envelope_for_immigration_enforcement_is_refused(people, federation):
    refused(federation, forged(purpose="immigration_enforcement"), ReasonCode.FORBIDDEN_PURPOSE)


def test_a_body_carrying_an_undeclared_category_is_refused(people, federation):
    refused(federation, forged(data_categories=["identity"]), ReasonCode.UNDECLARED_CATEGORY)


def test_an_unknown_agreement_is_refused_and_the_refusal_is_kept(people, federation):
    raw = forged(agreement_id="no-such-agreement")
    first, log = refused(federation, raw, ReasonCode.UNKNOWN_AGREEMENT)
    assert log.authenticated
    # Authentic, so the refusal is remembered: a re-send gets the very same negative receipt.
    again = receive(federation.fr, raw)
    assert again.receipt == first.receipt
    assert InboxMessage.objects.get().status == "rejected"


def test_a_sender_organisation_outside_the_agreement_is_refused(people, federation):
    refused(federation, forged(from_org="it-guardians"), ReasonCode.NOT_PARTY)


def test_a_purpose_the_agreement_does_not_grant_is_refused(people, federation):
    refused(federation, forged(purpose="family_tracing"), ReasonCode.NOT_GRANTED)


def test_a_message_under_a_suspended_agreement_is_refused(people, federation):
    federation.publish(
        proto.registry(
            version=2,
            issued_at=timezone.now() - dt.timedelta(minutes=1),
            expires_at=timezone.now() + dt.timedelta(days=7),
            agreements=(
                proto.agreement(
                    status="suspended",
                    valid_from=timezone.now() - dt.timedelta(days=1),
                    valid_until=timezone.now() + dt.timedelta(days=1),
                ),
            ),
        )
    )
    refused(federation, sealed_notice(), ReasonCode.AGREEMENT_INACTIVE)


@pytest.mark.parametrize("same_bytes", [True, False])
def test_a_replayed_message_has_no_second_effect(people, federation, same_bytes):
    header, body = notice_header()
    inner = proto.sign_message({"header": header.model_dump(mode="json"), "body": body_json(body)}, IT)
    first = proto.encrypt_for(inner, FR, wm_message_id=str(header.message_id))
    accepted = receive(federation.fr, first)
    assert accepted.outcome == "accepted"

    # The same bytes again (a re-send), or the same signed message re-wrapped by someone else.
    replay = first if same_bytes else proto.encrypt_for(inner, FR, wm_message_id=str(header.message_id))
    again = receive(federation.fr, replay)

    assert again.outcome == "duplicate" and again.receipt == accepted.receipt
    assert Thread.objects.filter(kind="notice").count() == 1
    log = InboundRefusal.objects.get(envelope_sha256=envelope_sha256(replay))
    assert log.reason == ("duplicate" if same_bytes else "replay")


def test_a_message_signed_with_a_key_revoked_from_the_registry_is_refused(people, federation):
    # The authority re-issues the registry with node-it re-keyed: its old signing key is gone.
    rekeyed = NodeKeys.generate()
    current = current_registry()
    nodes = tuple(
        n.model_copy(update={"signing_jwk": rekeyed.public_signing_jwk()}) if n.node_id == "node-it" else n
        for n in current.nodes
    )
    federation.publish(dated_registry(version=2, nodes=nodes))
    refused(federation, sealed_notice(), ReasonCode.UNKNOWN_SENDER)
