"""Header and body are validated on the way in: unknown fields, wrong types, unknown schema
versions and replies without the message they answer are refused as schema_invalid."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import open_envelope
from waymark.core.protocol.messages import MAX_LIFETIME, Header, MessageType, body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode

FR = fed.node_keys("node-fr")


def good() -> tuple[dict[str, Any], dict[str, Any]]:
    body = fed.referral_offer()
    return fed.header_for(body).model_dump(mode="json"), body_json(body)


def refusal(header: dict[str, Any], body: dict[str, Any]) -> EnvelopeRefused:
    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(fed.forge(header, body), FR, fed.KeyRing(), fed.NOW)
    return caught.value


def test_an_unknown_body_field_is_refused():
    header, body = good()
    body["child"]["religion"] = "not a field we exchange"

    refused = refusal(header, body)

    assert refused.reason == ReasonCode.SCHEMA_INVALID
    assert "body.child.religion" in refused.detail


def test_the_refusal_never_quotes_the_childs_data():
    header, body = good()
    body["child"]["nationality"] = "Amina's secret"

    refused = refusal(header, body)

    assert refused.reason == ReasonCode.SCHEMA_INVALID
    assert "Amina" not in refused.detail


def test_an_unknown_header_field_is_refused():
    header, body = good()
    header["priority"] = "urgent"

    assert refusal(header, body).reason == ReasonCode.SCHEMA_INVALID


def test_a_future_schema_version_is_refused():
    header, body = good()
    header["schema_version"] = 2

    refused = refusal(header, body)

    assert refused.reason == ReasonCode.SCHEMA_INVALID
    assert "schema_version" in refused.detail


def test_a_reply_must_name_the_message_it_answers():
    header, _ = good()
    header["type"] = MessageType.REFERRAL_REJECT.value

    assert refusal(header, {"reason_code": "no_capacity"}).reason == ReasonCode.SCHEMA_INVALID


def test_a_body_of_another_type_is_refused():
    header, _ = good()
    header["type"] = MessageType.NOTICE.value

    assert refusal(header, {"reason_code": "no_capacity"}).reason == ReasonCode.SCHEMA_INVALID


def test_times_must_carry_a_time_zone():
    header, body = good()
    header["created"] = "2025-06-02T09:30:00"

    assert refusal(header, body).reason == ReasonCode.SCHEMA_INVALID


def test_times_are_normalised_to_utc():
    header = fed.header_for(fed.referral_offer(), now=fed.NOW.astimezone(dt.timezone(dt.timedelta(hours=2))))

    assert header.created.utcoffset() == dt.timedelta(0)
    assert header.created == fed.NOW


def test_an_envelope_may_not_live_longer_than_the_maximum():
    with pytest.raises(ValidationError):
        fed.header_for(fed.referral_offer(), lifetime=MAX_LIFETIME + dt.timedelta(seconds=1))


def test_receipts_are_not_a_message_an_envelope_can_carry():
    header, body = good()
    header["type"] = "receipt"

    assert refusal(header, body).reason == ReasonCode.SCHEMA_INVALID


def test_a_header_is_immutable():
    header = Header.model_validate(good()[0])

    with pytest.raises(ValidationError):
        header.message_id = uuid.uuid4()  # type: ignore[misc]
