"""Finding 10 (erasure): the erasure conversation as data — a notice, answered once by the
recipient with its confirmation (erased or kept); the notice carries ids, never child data."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pydantic import ValidationError

from waymark.core.protocol import messages as m
from waymark.core.protocol import vocab as wire
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import CONVERSATIONS, ERASURE, Outcome, Side

T = MessageType


def test_finding_10_erasure_is_a_conversation_opened_by_the_notice():
    assert CONVERSATIONS["erasure_notice"] is ERASURE
    assert ERASURE.opens_with == T.ERASURE_NOTICE and ERASURE.opened == "sent"
    assert ERASURE.types == {T.ERASURE_NOTICE, T.ERASURE_DONE}


def test_finding_10_erasure_only_the_recipient_confirms_and_only_once():
    assert ERASURE.sendable("sent", Side.RESPONDER) == [T.ERASURE_DONE]
    assert ERASURE.sendable("sent", Side.OPENER) == []
    assert ERASURE.after_sending("sent", Side.RESPONDER, T.ERASURE_DONE, "kept") == "kept"
    assert ERASURE.on_receive("sent", T.ERASURE_DONE).state == "erased"
    assert ERASURE.on_receive("erased", T.ERASURE_DONE).outcome is Outcome.REFUSE
    assert ERASURE.is_final("erased") and ERASURE.is_final("kept")


def test_finding_10_erasure_notice_carries_no_child_data():
    body = m.ErasureNotice(
        reason_code=m.ErasureReason.ERASURE_REQUEST,
        legal_basis=wire.ErasureBasis.CONSENT_WITHDRAWN,
        erase_by=dt.date(2026, 6, 1),
        message_ids=(uuid.uuid4(), uuid.uuid4()),
        peer_case_reference="FR-2026-0007",
    )
    assert m.categories_used(T.ERASURE_NOTICE, body) == set()
    done = m.ErasureDone(
        outcome=m.ErasureOutcome.KEPT, cases_kept=1, kept_basis=wire.KeepBasis.LEGAL_OBLIGATION
    )
    assert m.categories_used(T.ERASURE_DONE, done) == set()
    assert T.ERASURE_DONE in m.REPLY_TYPES


def test_finding_10_erasure_a_kept_confirmation_says_why_and_only_then():
    with pytest.raises(ValidationError, match="kept_basis"):
        m.ErasureDone(outcome=m.ErasureOutcome.KEPT)
    with pytest.raises(ValidationError, match="kept_basis"):
        m.ErasureDone(outcome=m.ErasureOutcome.ERASED, kept_basis=wire.KeepBasis.LEGAL_CLAIMS)
