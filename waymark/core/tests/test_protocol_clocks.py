"""Expired envelopes and senders whose clocks run ahead beyond the tolerance are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import DEFAULT_MAX_SKEW, open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode

IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")
MINUTE = dt.timedelta(minutes=1)


def sealed(created: dt.datetime, lifetime: dt.timedelta = dt.timedelta(days=1)) -> bytes:
    body = fed.referral_offer()
    return seal(fed.header_for(body, now=created, lifetime=lifetime), body, IT, public_jwk(FR.encryption))


def open_at(raw: bytes, now: dt.datetime, max_skew: dt.timedelta = DEFAULT_MAX_SKEW):
    return open_envelope(raw, FR, fed.KeyRing(), now, max_skew=max_skew)


def test_a_sender_a_little_ahead_of_us_is_tolerated():
    now = fed.NOW

    assert open_at(sealed(now + DEFAULT_MAX_SKEW - MINUTE), now).header.created > now


def test_a_sender_further_ahead_than_the_tolerance_is_refused():
    now = fed.NOW
    with pytest.raises(EnvelopeRefused) as caught:
        open_at(sealed(now + DEFAULT_MAX_SKEW + MINUTE), now)

    assert caught.value.reason == ReasonCode.CLOCK_SKEW


def test_the_tolerance_is_the_receivers_choice():
    now = fed.NOW
    with pytest.raises(EnvelopeRefused) as caught:
        open_at(sealed(now + 2 * MINUTE), now, max_skew=MINUTE)

    assert caught.value.reason == ReasonCode.CLOCK_SKEW


def test_an_envelope_past_its_expiry_is_refused():
    raw = sealed(fed.NOW, lifetime=dt.timedelta(hours=1))
    with pytest.raises(EnvelopeRefused) as caught:
        open_at(raw, fed.NOW + dt.timedelta(hours=1) + DEFAULT_MAX_SKEW + MINUTE)

    assert caught.value.reason == ReasonCode.EXPIRED


def test_an_envelope_just_inside_its_lifetime_opens():
    raw = sealed(fed.NOW, lifetime=dt.timedelta(hours=1))

    assert open_at(raw, fed.NOW + dt.timedelta(minutes=59)).header.expires > fed.NOW


def test_a_naive_clock_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        open_at(sealed(fed.NOW), fed.NOW.replace(tzinfo=None))
