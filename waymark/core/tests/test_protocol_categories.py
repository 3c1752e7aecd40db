"""A body may carry only the data categories its header declares: the sender refuses to seal
anything else and the receiver refuses to accept it."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import (
    Answer,
    CaseSummary,
    CaseTransfer,
    ChildSummary,
    InfoResponse,
    MessageType,
    Notice,
    ReferralOffer,
    ReferralReject,
    RejectReason,
    TimelineEntry,
    body_json,
    categories_used,
    check_categories,
)
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode
from waymark.core.protocol.vocab import DataCategory, EventType

IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")
C = DataCategory


def test_a_referral_uses_exactly_the_categories_of_the_fields_it_fills():
    body = ReferralOffer(
        child=ChildSummary(given_names="Amina", nationality="ER"),
        case=CaseSummary(unaccompanied=False),
    )

    assert categories_used(MessageType.REFERRAL_OFFER, body) == {"identity", "legal_status", "family"}


def test_empty_fields_carry_nothing():
    assert (
        categories_used(MessageType.REFERRAL_REJECT, ReferralReject(reason_code=RejectReason.OTHER)) == set()
    )
    assert categories_used(
        MessageType.REFERRAL_REJECT, ReferralReject(reason_code=RejectReason.OTHER, note="No bed tonight")
    ) == {"case_notes"}


def test_free_text_takes_the_category_its_author_gave_it():
    assert categories_used(MessageType.NOTICE, Notice(category=C.HEALTH, text="Asthma; inhaler.")) == {
        "health"
    }
    answers = InfoResponse(
        answers=(
            Answer(question_id="q1", category=C.DISCLOSURE, text="She described the debt."),
            Answer(question_id="q2", category=C.HEALTH, declined="not_held"),
        )
    )
    assert categories_used(MessageType.INFO_RESPONSE, answers) == {"disclosure"}


def test_timeline_entries_count_each_with_its_own_category():
    body = CaseTransfer(
        child=ChildSummary(given_names="Amina"),
        case=CaseSummary(),
        timeline=(
            TimelineEntry(
                type=EventType.HEALTH,
                occurred_at=fed.NOW - dt.timedelta(days=1),
                category=C.HEALTH,
                summary="Seen by a doctor",
                location="Milano",
            ),
        ),
    )

    assert categories_used(MessageType.CASE_TRANSFER, body) == {"identity", "health", "contact_location"}


def test_categories_used_needs_the_body_of_the_type():
    with pytest.raises(TypeError):
        categories_used(MessageType.NOTICE, fed.referral_offer())


def test_the_sender_refuses_to_seal_a_photo_the_header_does_not_declare():
    body = ReferralOffer(child=ChildSummary(given_names="Amina", photo_base64="iVBORw0KGgo="))
    header = fed.header_for(body, data_categories=[C.IDENTITY])

    with pytest.raises(EnvelopeRefused) as caught:
        seal(header, body, IT, public_jwk(FR.encryption))

    assert caught.value.reason == ReasonCode.UNDECLARED_CATEGORY
    assert "photo" in caught.value.detail


def test_the_receiver_refuses_a_body_with_an_undeclared_category():
    body = fed.referral_offer()
    header = fed.header_for(body, data_categories=[C.IDENTITY])
    raw = fed.forge(header.model_dump(mode="json"), body_json(body))

    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(raw, FR, fed.KeyRing(), fed.NOW)

    assert caught.value.reason == ReasonCode.UNDECLARED_CATEGORY
    assert caught.value.routing is not None


def test_declaring_more_than_is_carried_is_allowed():
    body = ReferralReject(reason_code=RejectReason.NO_CAPACITY)
    header = fed.header_for(
        body,
        type=MessageType.REFERRAL_REJECT,
        in_reply_to=fed.header_for(fed.referral_offer()).message_id,
        data_categories=[C.CASE_NOTES],
    )

    check_categories(header, body)  # no exception
    opened = open_envelope(seal(header, body, IT, public_jwk(FR.encryption)), FR, fed.KeyRing(), fed.NOW)
    assert opened.header.data_categories == (C.CASE_NOTES,)
