"""An envelope sealed by one node opens, verified and intact, at the node it is addressed to."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from waymark.core.protocol import jose
from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import envelope_sha256, open_envelope, peek_routing, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import (
    BODY_SCHEMAS,
    REPLY_TYPES,
    Answer,
    CaseClosed,
    CaseSummary,
    CaseTransfer,
    CloseReason,
    EncodedRecord,
    ErasureNotice,
    ErasureReason,
    Found,
    GuardianContact,
    GuardianHandover,
    InfoRequest,
    InfoResponse,
    MatchPair,
    MatchQuery,
    MatchResult,
    MessageType,
    MissingAlert,
    MissingAlertWithdraw,
    Notice,
    Place,
    Question,
    ReferralAccept,
    ReferralDone,
    ReferralOutcome,
    ReferralReject,
    ReferralRevoke,
    RejectReason,
    RevokeReason,
    Sighting,
    TimelineEntry,
    TransferAccept,
    TransferReject,
    WithdrawReason,
)
from waymark.core.protocol.vocab import DataCategory, EventType, MissingCategory, RiskLevel

NOW = fed.NOW
IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")

SAMPLES = {
    MessageType.REFERRAL_OFFER: fed.referral_offer(),
    MessageType.REFERRAL_ACCEPT: ReferralAccept(
        contact="Équipe femmes, +33 3 00 00 00 00", note="We expect her."
    ),
    MessageType.REFERRAL_REJECT: ReferralReject(reason_code=RejectReason.NO_CAPACITY),
    MessageType.REFERRAL_DONE: ReferralDone(outcome=ReferralOutcome.SERVICES_PROVIDED),
    MessageType.REFERRAL_REVOKE: ReferralRevoke(reason_code=RevokeReason.SENT_IN_ERROR),
    MessageType.CASE_TRANSFER: CaseTransfer(
        child=fed.amina(),
        case=CaseSummary(risk_level=RiskLevel.HIGH, unaccompanied=True),
        timeline=(
            TimelineEntry(
                type=EventType.INTERVIEW,
                occurred_at=NOW - dt.timedelta(days=3),
                category=DataCategory.CASE_NOTES,
                summary="First interview with interpreter",
            ),
        ),
        guardian=GuardianContact(name="Marco Rossi (fictional)", organisation="Ufficio Tutori Milano"),
    ),
    MessageType.TRANSFER_ACCEPT: TransferAccept(receiver_case_reference="FR-CAL-77", responsible_from=NOW),
    MessageType.TRANSFER_REJECT: TransferReject(reason_code=RejectReason.OUT_OF_AREA),
    MessageType.INFO_REQUEST: InfoRequest(
        questions=(
            Question(id="q1", category=DataCategory.CONTACT_LOCATION, text="Has she reached Calais?"),
        ),
        reply_by=NOW + dt.timedelta(hours=12),
    ),
    MessageType.INFO_RESPONSE: InfoResponse(
        answers=(
            Answer(question_id="q1", category=DataCategory.CONTACT_LOCATION, text="Yes, at the day centre."),
        )
    ),
    MessageType.NOTICE: Notice(category=DataCategory.CASE_NOTES, text="Guardian visit moved to Friday."),
    MessageType.MISSING_ALERT: MissingAlert(
        child=fed.amina(),
        missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
        risk_level=RiskLevel.HIGH,
        last_seen_at=NOW - dt.timedelta(hours=5),
        last_seen_place=Place(description="Milano Centrale", country="IT"),
    ),
    MessageType.MISSING_ALERT_WITHDRAW: MissingAlertWithdraw(reason_code=WithdrawReason.FOUND),
    MessageType.SIGHTING: Sighting(seen_at=NOW, place=Place(description="Gare de Lille", country="FR")),
    MessageType.FOUND: Found(found_at=NOW, safe=True, now_in_care_of="fr-ngo-calais"),
    MessageType.CASE_CLOSED: CaseClosed(closed_at=NOW, reason_code=CloseReason.DURABLE_SOLUTION),
    MessageType.GUARDIAN_HANDOVER: GuardianHandover(
        guardian=GuardianContact(name="Claire Martin (fictional)"), effective=NOW
    ),
    MessageType.MATCH_QUERY: MatchQuery(
        encoding_version=1, key_id="k-2025", records=(EncodedRecord(ref="r1", bloom_base64="AAEC"),)
    ),
    MessageType.MATCH_RESULT: MatchResult(pairs=(MatchPair(query_ref="r1", candidate_ref="c9", score=0.93),)),
    MessageType.ERASURE_NOTICE: ErasureNotice(
        reason_code=ErasureReason.RETENTION_ENDED, erase_by=(NOW + dt.timedelta(days=30)).date()
    ),
}


def test_every_message_type_that_travels_has_a_sample():
    assert set(SAMPLES) == set(BODY_SCHEMAS)
    assert MessageType.RECEIPT not in BODY_SCHEMAS


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_message_type_arrives_as_it_was_sent(kind):
    body = SAMPLES[kind]
    in_reply_to = uuid.uuid4() if kind in REPLY_TYPES else None
    header = fed.header_for(body, type=kind, in_reply_to=in_reply_to)
    raw = seal(header, body, IT, public_jwk(FR.encryption))

    opened = open_envelope(raw, FR, fed.KeyRing(), NOW, expected_to_node="node-fr")

    assert opened.header == header
    assert opened.body == body
    assert opened.sender_kid == IT.signing_kid
    assert opened.envelope_sha256 == envelope_sha256(raw)


def test_a_typical_referral_is_about_two_kilobytes_and_hides_the_child():
    body = fed.referral_offer()
    raw = seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))

    assert 2_000 < len(raw) < 8_000
    assert b"Amina" not in raw
    assert b"child_protection" not in raw  # the purpose is inside the encryption too


def test_the_routing_fields_can_be_read_before_decrypting():
    body = fed.referral_offer()
    header = fed.header_for(body)
    raw = seal(header, body, IT, public_jwk(FR.encryption))

    routing = peek_routing(raw)

    assert (routing.from_node, routing.to_node, routing.message_id) == (
        "node-it",
        "node-fr",
        header.message_id,
    )
    assert routing.sender_kid == IT.signing_kid
    assert routing.recipient_kid == FR.encryption_kid


def test_the_receiver_keeps_the_senders_signature_as_evidence():
    body = fed.referral_offer()
    raw = seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))

    opened = open_envelope(raw, FR, fed.KeyRing(), NOW)

    payload, kid = jose.verify(opened.signed_message, jose.TYP_MESSAGE, lambda k: public_jwk(IT.signing))
    assert kid == IT.signing_kid
    assert b"Amina" in payload


def test_two_seals_of_one_message_differ_but_both_open():
    body = fed.referral_offer()
    header = fed.header_for(body)
    first = seal(header, body, IT, public_jwk(FR.encryption))
    second = seal(header, body, IT, public_jwk(FR.encryption))

    assert first != second  # fresh ephemeral key and IV each time
    assert (
        open_envelope(first, FR, fed.KeyRing(), NOW).header
        == open_envelope(second, FR, fed.KeyRing(), NOW).header
    )
