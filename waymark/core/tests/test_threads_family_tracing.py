"""The family-tracing table (``core.protocol.threads.FAMILY_TRACING``): who says what, and what a
withdrawal does to a result it crossed. The random interleavings run in ``test_threads.py``."""

from __future__ import annotations

import pytest

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import CONVERSATIONS, FAMILY_TRACING, Outcome, Side

T = MessageType


def test_it_is_registered_with_the_other_conversations() -> None:
    assert CONVERSATIONS["family_tracing"] is FAMILY_TRACING
    assert FAMILY_TRACING.opens_with == T.TRACING_REQUEST and FAMILY_TRACING.opened == "requested"


def test_only_the_tracer_sends_progress_and_the_result() -> None:
    for type in (T.TRACING_PROGRESS, T.TRACING_RESULT):
        assert FAMILY_TRACING.may_send("requested", Side.RESPONDER, type)
        assert not FAMILY_TRACING.may_send("requested", Side.OPENER, type)
    assert not FAMILY_TRACING.may_send("requested", Side.RESPONDER, T.TRACING_WITHDRAW)
    assert FAMILY_TRACING.may_send("requested", Side.OPENER, T.TRACING_WITHDRAW)


def test_progress_notes_keep_the_request_open_as_many_times_as_needed() -> None:
    # The request stays open (its result clock keeps running) however many notes come.
    state = "requested"
    for _ in range(3):
        state = FAMILY_TRACING.after_sending(state, Side.RESPONDER, T.TRACING_PROGRESS)
    assert state == "requested"
    assert FAMILY_TRACING.on_receive("requested", T.TRACING_PROGRESS).outcome is Outcome.APPLY
    assert FAMILY_TRACING.sendable("requested", Side.RESPONDER) == [T.TRACING_PROGRESS, T.TRACING_RESULT]


@pytest.mark.parametrize("outcome", ["found", "not_found", "in_contact"])
def test_the_result_names_its_outcome_and_ends_the_tracing(outcome: str) -> None:
    assert FAMILY_TRACING.after_sending("requested", Side.RESPONDER, T.TRACING_RESULT, outcome) == outcome
    assert FAMILY_TRACING.on_receive("requested", T.TRACING_RESULT, outcome).state == outcome
    assert FAMILY_TRACING.is_final(outcome)
    assert FAMILY_TRACING.sendable(outcome, Side.RESPONDER) == []
    assert FAMILY_TRACING.sendable(outcome, Side.OPENER) == []


def test_a_result_is_given_once() -> None:
    assert FAMILY_TRACING.on_receive("found", T.TRACING_RESULT, "in_contact").outcome is Outcome.REFUSE
    with pytest.raises(ValueError):
        FAMILY_TRACING.after_sending("found", Side.RESPONDER, T.TRACING_RESULT, "found")
    with pytest.raises(ValueError, match="cannot lead"):
        FAMILY_TRACING.on_receive("requested", T.TRACING_RESULT, "withdrawn")


def test_a_withdrawal_that_crosses_a_result_wins_on_both_sides() -> None:
    at_requester = FAMILY_TRACING.on_receive("withdrawn", T.TRACING_RESULT, "found")
    at_tracer = FAMILY_TRACING.on_receive("found", T.TRACING_WITHDRAW)
    assert (at_requester.outcome, at_requester.state) == (Outcome.RECORD, "withdrawn")
    assert (at_tracer.outcome, at_tracer.state) == (Outcome.APPLY, "withdrawn")
    # A note that crossed it is recorded, not applied; nothing is said after a result.
    assert FAMILY_TRACING.on_receive("withdrawn", T.TRACING_PROGRESS).outcome is Outcome.RECORD
    assert FAMILY_TRACING.on_receive("found", T.TRACING_PROGRESS).outcome is Outcome.REFUSE
    assert not FAMILY_TRACING.may_send("found", Side.OPENER, T.TRACING_WITHDRAW)
