"""The conversation tables: sends and deliveries in any interleaving never reach an illegal state,
never refuse a message the other side was allowed to send, and both sides end in the same state."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import (
    CONVERSATIONS,
    GUARDIAN_HANDOVER,
    INFO_REQUEST,
    MISSING_ALERT,
    REFERRAL,
    TAKE_CHARGE,
    TRANSFER,
    Conversation,
    Outcome,
    Side,
)

KINDS = sorted(CONVERSATIONS)


@dataclass
class Party:
    side: Side
    state: str | None = None
    seen: set[int] = field(default_factory=set)  # the inbox: message ids already applied


@dataclass
class World:
    conversation: Conversation
    opener: Party = field(default_factory=lambda: Party(Side.OPENER))
    responder: Party = field(default_factory=lambda: Party(Side.RESPONDER))
    # In flight, in order per direction: (message id, type, target)
    to_responder: deque[tuple[int, MessageType, str | None]] = field(default_factory=deque)
    to_opener: deque[tuple[int, MessageType, str | None]] = field(default_factory=deque)
    delivered: list[tuple[Party, tuple[int, MessageType, str | None]]] = field(default_factory=list)
    next_id: int = 0

    def party(self, side: Side) -> Party:
        return self.opener if side is Side.OPENER else self.responder

    def channel(self, to: Side) -> deque[tuple[int, MessageType, str | None]]:
        return self.to_responder if to is Side.RESPONDER else self.to_opener

    def open(self) -> None:
        self.opener.state = self.conversation.opened
        self._post(Side.RESPONDER, self.conversation.opens_with, None)

    def _post(self, to: Side, type: MessageType, target: str | None) -> None:
        self.next_id += 1
        self.channel(to).append((self.next_id, type, target))

    def send(self, side: Side, pick: int, target_pick: int) -> None:
        me = self.party(side)
        if me.state is None:
            return
        options = self.conversation.sendable(me.state, side)
        if not options:
            return
        type = options[pick % len(options)]
        targets = self.conversation.move(type).targets
        target = targets[target_pick % len(targets)]
        me.state = self.conversation.after_sending(me.state, side, type, target)
        assert me.state in self.conversation.states
        self._post(side.other, type, target)

    def deliver(self, to: Side) -> None:
        channel = self.channel(to)
        if not channel:
            return
        message = channel.popleft()
        self._apply(self.party(to), message)

    def redeliver(self, pick: int) -> None:
        """A duplicate (the sender did not get the receipt): the inbox absorbs it."""
        if self.delivered:
            party, message = self.delivered[pick % len(self.delivered)]
            before = party.state
            self._apply(party, message)
            assert party.state == before

    def _apply(self, party: Party, message: tuple[int, MessageType, str | None]) -> None:
        message_id, type, target = message
        if message_id in party.seen:
            return
        party.seen.add(message_id)
        self.delivered.append((party, message))
        if type == self.conversation.opens_with:
            assert party.state is None
            party.state = self.conversation.opened
            return
        assert party.state is not None
        received = self.conversation.on_receive(party.state, type, target)
        assert received.outcome is not Outcome.REFUSE, (self.conversation.kind, party.state, type)
        party.state = received.state
        assert party.state in self.conversation.states

    def drain(self) -> None:
        while self.to_responder or self.to_opener:
            self.deliver(Side.RESPONDER)
            self.deliver(Side.OPENER)


steps = st.lists(
    st.tuples(
        st.sampled_from(["send-opener", "send-responder", "to-responder", "to-opener", "duplicate"]),
        st.integers(0, 7),
        st.integers(0, 3),
    ),
    max_size=40,
)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=300, deadline=None)
@given(plan=steps)
def test_any_interleaving_converges_on_one_legal_state(kind: str, plan: list[tuple[str, int, int]]) -> None:
    world = World(CONVERSATIONS[kind])
    world.open()
    for step, pick, target in plan:
        if step == "send-opener":
            world.send(Side.OPENER, pick, target)
        elif step == "send-responder":
            world.send(Side.RESPONDER, pick, target)
        elif step == "to-responder":
            world.deliver(Side.RESPONDER)
        elif step == "to-opener":
            world.deliver(Side.OPENER)
        else:
            world.redeliver(pick)
    world.drain()
    assert world.opener.state == world.responder.state
    assert world.opener.state in CONVERSATIONS[kind].states


def test_a_revoke_that_crosses_a_reject_wins_on_both_sides() -> None:
    # The referrer revoked while the receiver rejected; each gets the other's message late.
    assert REFERRAL.after_sending("offered", Side.OPENER, MessageType.REFERRAL_REVOKE) == "revoked"
    assert REFERRAL.after_sending("offered", Side.RESPONDER, MessageType.REFERRAL_REJECT) == "rejected"
    at_referrer = REFERRAL.on_receive("revoked", MessageType.REFERRAL_REJECT)
    at_receiver = REFERRAL.on_receive("rejected", MessageType.REFERRAL_REVOKE)
    assert (at_referrer.outcome, at_referrer.state) == (Outcome.RECORD, "revoked")
    assert (at_receiver.outcome, at_receiver.state) == (Outcome.APPLY, "revoked")


def test_only_the_side_a_message_belongs_to_may_send_it() -> None:
    assert REFERRAL.may_send("offered", Side.RESPONDER, MessageType.REFERRAL_ACCEPT)
    assert not REFERRAL.may_send("offered", Side.OPENER, MessageType.REFERRAL_ACCEPT)
    assert not REFERRAL.may_send("offered", Side.RESPONDER, MessageType.REFERRAL_REVOKE)
    assert not REFERRAL.may_send("offered", Side.OPENER, MessageType.REFERRAL_OFFER)  # opens only


def test_the_buttons_are_what_the_table_allows() -> None:
    assert REFERRAL.sendable("offered", Side.RESPONDER) == [
        MessageType.REFERRAL_ACCEPT,
        MessageType.REFERRAL_REJECT,
    ]
    assert REFERRAL.sendable("accepted", Side.RESPONDER) == [MessageType.REFERRAL_DONE]
    assert REFERRAL.sendable("accepted", Side.OPENER) == [MessageType.REFERRAL_REVOKE]
    assert REFERRAL.sendable("done", Side.OPENER) == []
    assert TRANSFER.sendable("accepted", Side.RESPONDER) == []


def test_an_answer_to_a_transfer_already_answered_is_refused() -> None:
    assert TRANSFER.on_receive("rejected", MessageType.TRANSFER_ACCEPT).outcome is Outcome.REFUSE
    assert TRANSFER.on_receive("offered", MessageType.TRANSFER_ACCEPT).state == "accepted"


def test_a_response_names_its_target_among_the_moves_targets() -> None:
    assert INFO_REQUEST.on_receive("open", MessageType.INFO_RESPONSE, "declined").state == "declined"
    with pytest.raises(ValueError, match="cannot lead"):
        INFO_REQUEST.on_receive("open", MessageType.INFO_RESPONSE, "revoked")


def test_a_type_of_another_conversation_is_refused() -> None:
    assert REFERRAL.on_receive("offered", MessageType.TRANSFER_ACCEPT).outcome is Outcome.REFUSE
    assert REFERRAL.on_receive("offered", MessageType.REFERRAL_OFFER).outcome is Outcome.REFUSE


def test_a_conversation_refuses_a_type_listed_twice() -> None:
    from waymark.core.protocol.threads import Move

    with pytest.raises(ValueError, match="once"):
        Conversation(
            kind="broken",
            opens_with=MessageType.NOTICE,
            opened="sent",
            moves=(Move(MessageType.NOTICE, Side.OPENER, frozenset({"sent"}), ("sent",)),),
        )


# --- the missing-child alert -------------------------------------------------------------------


def test_a_recipient_may_report_many_sightings_while_the_alert_is_open() -> None:
    state = "alerted"
    for _ in range(3):
        state = MISSING_ALERT.after_sending(state, Side.RESPONDER, MessageType.SIGHTING)
    assert state == "alerted"
    assert MISSING_ALERT.on_receive("alerted", MessageType.SIGHTING).outcome is Outcome.APPLY
    assert MISSING_ALERT.sendable("alerted", Side.RESPONDER) == [
        MessageType.MISSING_ALERT_SEEN,
        MessageType.SIGHTING,
        MessageType.FOUND,
    ]


def test_only_the_issuer_updates_withdraws_or_closes_an_alert() -> None:
    for type in (
        MessageType.MISSING_ALERT_UPDATE,
        MessageType.MISSING_ALERT_WITHDRAW,
        MessageType.CASE_CLOSED,
    ):
        assert MISSING_ALERT.may_send("alerted", Side.OPENER, type)
        assert not MISSING_ALERT.may_send("alerted", Side.RESPONDER, type)
    for type in (MessageType.SIGHTING, MessageType.FOUND, MessageType.MISSING_ALERT_SEEN):
        assert not MISSING_ALERT.may_send("alerted", Side.OPENER, type)


def test_a_found_report_that_crosses_a_withdrawal_is_recorded_and_the_withdrawal_wins() -> None:
    at_issuer = MISSING_ALERT.on_receive("withdrawn", MessageType.FOUND)
    at_recipient = MISSING_ALERT.on_receive("found", MessageType.MISSING_ALERT_WITHDRAW)
    assert (at_issuer.outcome, at_issuer.state) == (Outcome.RECORD, "withdrawn")
    assert (at_recipient.outcome, at_recipient.state) == (Outcome.APPLY, "withdrawn")


def test_nothing_is_said_in_a_closed_alert_but_late_words_are_recorded() -> None:
    assert MISSING_ALERT.sendable("closed", Side.RESPONDER) == []
    assert MISSING_ALERT.sendable("closed", Side.OPENER) == []
    assert MISSING_ALERT.on_receive("closed", MessageType.SIGHTING).outcome is Outcome.RECORD
    # A found report after the recipient reported it found once is not a second state change.
    assert MISSING_ALERT.on_receive("found", MessageType.SIGHTING).outcome is Outcome.RECORD


def test_only_the_receiving_organisation_acknowledges_a_handover_once() -> None:
    ack = MessageType.GUARDIAN_HANDOVER_ACK
    assert GUARDIAN_HANDOVER.may_send("sent", Side.RESPONDER, ack)
    assert not GUARDIAN_HANDOVER.may_send("sent", Side.OPENER, ack)
    assert GUARDIAN_HANDOVER.after_sending("sent", Side.RESPONDER, ack) == "acknowledged"
    assert not GUARDIAN_HANDOVER.may_send("acknowledged", Side.RESPONDER, ack)
    # A second acknowledgement arriving is refused, and the outgoing guardian has no button.
    assert GUARDIAN_HANDOVER.on_receive("acknowledged", ack).outcome is Outcome.REFUSE
    assert GUARDIAN_HANDOVER.sendable("sent", Side.OPENER) == []
    assert GUARDIAN_HANDOVER.is_final("acknowledged") and not GUARDIAN_HANDOVER.is_final("sent")


def test_only_the_requested_unit_replies_to_a_take_charge_request_once() -> None:
    reply = MessageType.TAKE_CHARGE_REPLY
    assert TAKE_CHARGE.may_send("awaiting_reply", Side.RESPONDER, reply)
    assert not TAKE_CHARGE.may_send("awaiting_reply", Side.OPENER, reply)
    assert TAKE_CHARGE.sendable("awaiting_reply", Side.OPENER) == []
    assert TAKE_CHARGE.after_sending("awaiting_reply", Side.RESPONDER, reply, "refused") == "refused"
    assert TAKE_CHARGE.on_receive("awaiting_reply", reply, "accepted").state == "accepted"
    # One reply: a second is refused; a reply leads to accepted or refused only.
    assert TAKE_CHARGE.on_receive("accepted", reply).outcome is Outcome.REFUSE
    with pytest.raises(ValueError):
        TAKE_CHARGE.after_sending("awaiting_reply", Side.RESPONDER, reply, "awaiting_reply")
    assert TAKE_CHARGE.is_final("accepted") and TAKE_CHARGE.is_final("refused")
    # Silence past the reply period (a tacit acceptance) is the deadline engine's, not a state.
    assert not TAKE_CHARGE.is_final("awaiting_reply")
