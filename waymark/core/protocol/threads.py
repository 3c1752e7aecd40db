"""Conversation state machines: for each kind of thread, its states and what each message does.

A conversation is opened by one side (the *opener*) with one message type and answered by the
other (the *responder*). Every later message type belongs to exactly one side, and moves the
thread from some states to one of its targets. The table is the only place a transition is
written: the action that sends asks ``may_send``, the inbound handler asks ``on_receive`` and the
page asks ``sendable`` for its buttons.

Messages of one conversation are delivered in order per direction (the dispatcher keeps order per
conversation), but the two directions cross in flight: a referrer may revoke while the receiver
accepts. ``crossing`` names the states in which a message is still applied when it arrives after
the receiver moved on (revoke wins over an answer it crossed); ``absorbs`` names the states in
which it is recorded but changes nothing (an answer that crossed a revoke). Both sides then end
in the same state; ``waymark/core/tests/test_threads.py`` checks it for every interleaving
Hypothesis finds. A message that fits neither is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from waymark.core.protocol.messages import MessageType

T = MessageType


# Every kind's final state when the receiver refused the opening message (a signed negative
# receipt) or it was never sent (the agreement no longer allowed it): the conversation never
# began on the other side, so nothing more may be sent in it (docs/protocol.md §6.6).
UNDELIVERED = "undelivered"


class Side(StrEnum):
    OPENER = "opener"
    RESPONDER = "responder"

    @property
    def other(self) -> Side:
        return Side.RESPONDER if self is Side.OPENER else Side.OPENER


@dataclass(frozen=True)
class Move:
    """What message ``type``, sent by ``by``, does: from ``source`` states to one of ``targets``
    (the sender names which, from the message; most moves have one target)."""

    type: MessageType
    by: Side
    source: frozenset[str]
    targets: tuple[str, ...]
    crossing: frozenset[str] = frozenset()
    absorbs: frozenset[str] = frozenset()

    @property
    def target(self) -> str:
        return self.targets[0]


class Outcome(StrEnum):
    APPLY = "apply"  # the state moves to the target
    RECORD = "record"  # recorded in the ledger, the state is kept (it crossed a message that wins)
    REFUSE = "refuse"  # does not fit this thread


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    state: str  # the thread's state after the message


@dataclass(frozen=True)
class Conversation:
    """One kind of conversation: its opening message and its moves, as data."""

    kind: str
    opens_with: MessageType
    opened: str  # the state once the opening message is sent (and received)
    moves: tuple[Move, ...] = ()
    final: frozenset[str] = field(default_factory=frozenset)
    # Does a refused (or unsent) opening message end the conversation as UNDELIVERED? Kinds that
    # track each recipient's delivery on their own pages (alerts, erasure notices, audit
    # checkpoints) keep their state and show the refusal there.
    ends_undelivered: bool = True

    def __post_init__(self) -> None:
        types = [self.opens_with, *(m.type for m in self.moves)]
        if len(set(types)) != len(types):
            raise ValueError(f"{self.kind}: a message type may appear once in a conversation")

    @cached_property
    def types(self) -> frozenset[MessageType]:
        return frozenset({self.opens_with, *(m.type for m in self.moves)})

    @cached_property
    def states(self) -> frozenset[str]:
        found = {self.opened, *self.final}
        if self.ends_undelivered:
            found.add(UNDELIVERED)
        for m in self.moves:
            found.update(m.source, m.targets, m.crossing, m.absorbs)
        return frozenset(found)

    def move(self, type: MessageType) -> Move:
        for m in self.moves:
            if m.type == type:
                return m
        raise KeyError(f"{self.kind} has no move {type}")

    def sender(self, type: MessageType) -> Side:
        return Side.OPENER if type == self.opens_with else self.move(type).by

    def may_send(self, state: str, side: Side, type: MessageType) -> bool:
        """May ``side``, seeing the thread in ``state``, send ``type`` now?"""
        if type == self.opens_with or type not in self.types:
            return False
        m = self.move(type)
        return m.by == side and state in m.source

    def after_sending(self, state: str, side: Side, type: MessageType, target: str | None = None) -> str:
        """The state once ``side`` sent ``type``; ``ValueError`` if it may not."""
        if not self.may_send(state, side, type):
            raise ValueError(f"{self.kind}: {side} may not send {type} in state {state}")
        return self._target(self.move(type), target)

    def sendable(self, state: str, side: Side) -> list[MessageType]:
        """What ``side`` may send now, in table order (the page's buttons)."""
        return [m.type for m in self.moves if m.by == side and state in m.source]

    def on_receive(self, state: str, type: MessageType, target: str | None = None) -> Received:
        """What a received ``type`` (sent by the other side) does to a thread seen in ``state``."""
        if type == self.opens_with or type not in self.types:
            return Received(Outcome.REFUSE, state)
        m = self.move(type)
        if state in m.source or state in m.crossing:
            return Received(Outcome.APPLY, self._target(m, target))
        if state in m.absorbs:
            return Received(Outcome.RECORD, state)
        return Received(Outcome.REFUSE, state)

    def is_final(self, state: str) -> bool:
        return state in self.final or (self.ends_undelivered and state == UNDELIVERED)

    def _target(self, m: Move, target: str | None) -> str:
        if target is None:
            return m.target
        if target not in m.targets:
            raise ValueError(f"{self.kind}: {m.type} cannot lead to {target}")
        return target


def _states(*names: str) -> frozenset[str]:
    return frozenset(names)


def _move(
    type: MessageType,
    by: Side,
    source: Iterable[str],
    *targets: str,
    crossing: Iterable[str] = (),
    absorbs: Iterable[str] = (),
) -> Move:
    return Move(type, by, frozenset(source), targets, frozenset(crossing), frozenset(absorbs))


OPENER, RESPONDER = Side.OPENER, Side.RESPONDER

# The referrer offers; the receiver accepts or rejects, and reports done; the referrer may revoke
# until the end. A revoke that crosses an answer wins on both sides (the referrer withdrew the
# child's data: consent withdrawn, sent in error), the answer is recorded.
REFERRAL = Conversation(
    kind="referral",
    opens_with=T.REFERRAL_OFFER,
    opened="offered",
    moves=(
        _move(T.REFERRAL_ACCEPT, RESPONDER, ["offered"], "accepted", absorbs=["revoked"]),
        _move(T.REFERRAL_REJECT, RESPONDER, ["offered"], "rejected", absorbs=["revoked"]),
        _move(T.REFERRAL_DONE, RESPONDER, ["accepted"], "done", absorbs=["revoked"]),
        _move(T.REFERRAL_REVOKE, OPENER, ["offered", "accepted"], "revoked", crossing=["rejected", "done"]),
    ),
    final=_states("rejected", "done", "revoked"),
)

# The holder offers the case; the receiver accepts (ownership moves) or rejects.
TRANSFER = Conversation(
    kind="transfer",
    opens_with=T.CASE_TRANSFER,
    opened="offered",
    moves=(
        _move(T.TRANSFER_ACCEPT, RESPONDER, ["offered"], "accepted"),
        _move(T.TRANSFER_REJECT, RESPONDER, ["offered"], "rejected"),
    ),
    final=_states("accepted", "rejected"),
)

# A question against the reply clock; one response, which answers or declines every question.
INFO_REQUEST = Conversation(
    kind="info_request",
    opens_with=T.INFO_REQUEST,
    opened="open",
    moves=(_move(T.INFO_RESPONSE, RESPONDER, ["open"], "answered", "declined"),),
    final=_states("answered", "declined"),
)

# One message, nothing answers it.
NOTICE = Conversation(kind="notice", opens_with=T.NOTICE, opened="sent", final=_states("sent"))

# An organisation that erased a child tells each recipient of its data, one notice per
# conversation; the recipient erases what it holds as recipient and confirms — erased, or kept
# when its DPO decides to keep a case it is now responsible for (GDPR Art. 17(3)). The
# confirmation may wait for that decision; nothing else is said in the conversation.
ERASURE = Conversation(
    kind="erasure_notice",
    opens_with=T.ERASURE_NOTICE,
    opened="sent",
    moves=(_move(T.ERASURE_DONE, RESPONDER, ["sent"], "erased", "kept"),),
    final=_states("erased", "kept"),
    ends_undelivered=False,  # the DPO's list shows it unconfirmed, with its refusal
)

# A node's signed audit checkpoint to a partner node, which witnesses it; nothing answers it
# (the signed receipt says it arrived). One conversation per pair of nodes, so they arrive in order.
AUDIT_CHECKPOINT = Conversation(
    kind="audit_checkpoint",
    opens_with=T.AUDIT_CHECKPOINT,
    opened="sent",
    final=_states("sent"),
    ends_undelivered=False,  # the witness log keeps its own delivery state
)

# A missing-child alert, one conversation per recipient organisation. While it is "alerted" the
# issuer may update it and the recipient may say it was seen (the human acknowledgement), report
# sightings (as many as there are) and report the child found. The issuer ends it: withdrawn
# (sent in error, or found before anyone answered) or closed (the child found, ``case_closed`` to
# every recipient). What the recipient says after the issuer ended it is recorded, never applied;
# the issuer's end wins over a found report it crossed.
_OPEN_ALERT = ("alerted",)
_ENDED_ALERT = ("found", "withdrawn", "closed")
MISSING_ALERT = Conversation(
    kind="missing_alert",
    opens_with=T.MISSING_ALERT,
    opened="alerted",
    moves=(
        _move(T.MISSING_ALERT_UPDATE, OPENER, _OPEN_ALERT, "alerted", absorbs=_ENDED_ALERT),
        _move(T.MISSING_ALERT_SEEN, RESPONDER, _OPEN_ALERT, "alerted", absorbs=_ENDED_ALERT),
        _move(T.SIGHTING, RESPONDER, _OPEN_ALERT, "alerted", absorbs=_ENDED_ALERT),
        _move(T.FOUND, RESPONDER, _OPEN_ALERT, "found", absorbs=("withdrawn", "closed")),
        _move(T.MISSING_ALERT_WITHDRAW, OPENER, ("alerted", "found"), "withdrawn"),
        _move(T.CASE_CLOSED, OPENER, ("alerted", "found"), "closed"),
    ),
    final=_states("withdrawn", "closed"),
    ends_undelivered=False,  # the alert board shows each recipient's receipt
)

# Privacy-preserving hit / no-hit: one child's encoding asked, candidate tokens and scores
# answered (by the receiving node, at once). Disclosure goes through an information request.
MATCH_QUERY = Conversation(
    kind="match_query",
    opens_with=T.MATCH_QUERY,
    opened="asked",
    moves=(_move(T.MATCH_RESULT, RESPONDER, ["asked"], "answered"),),
    final=_states("answered"),
)

# The outgoing guardian hands a child over to the organisation that will appoint the next one; a
# person there acknowledges it, once. Nothing else is said in the conversation: a correction is a
# new hand-over.
GUARDIAN_HANDOVER = Conversation(
    kind="guardian_handover",
    opens_with=T.GUARDIAN_HANDOVER,
    opened="sent",
    moves=(_move(T.GUARDIAN_HANDOVER_ACK, RESPONDER, ["sent"], "acknowledged"),),
    final=_states("acknowledged"),
)

# Family tracing (purpose family_tracing): the child's side asks an organisation in the
# relative's country to trace them; while the request stays open the tracer sends progress notes
# (any number: the result clock keeps running), then one result — found, not found, or contact
# established (state ``in_contact``: a state fits ``Thread.status``, 16 characters). The requester may withdraw until the result (the child withdrew consent, the
# relative turned up); a withdrawal wins over a result or a note it crossed, which are recorded,
# not applied.
_TRACING_RESULTS = ("found", "not_found", "in_contact")
FAMILY_TRACING = Conversation(
    kind="family_tracing",
    opens_with=T.TRACING_REQUEST,
    opened="requested",
    moves=(
        _move(T.TRACING_PROGRESS, RESPONDER, ["requested"], "requested", absorbs=["withdrawn"]),
        _move(T.TRACING_RESULT, RESPONDER, ["requested"], *_TRACING_RESULTS, absorbs=["withdrawn"]),
        _move(T.TRACING_WITHDRAW, OPENER, ["requested"], "withdrawn", crossing=_TRACING_RESULTS),
    ),
    final=_states(*_TRACING_RESULTS, "withdrawn"),
)

# A Dublin III / AMMR take-charge request (family reunion): the requesting Dublin unit asks, the
# requested one accepts or refuses, once. Silence past the reply period is a tacit acceptance
# (Dublin III Art. 22(7); AMMR Art. 40(2)): the deadline engine flags it on both sides, the
# conversation stays ``awaiting_reply`` (a late reply is still received and recorded as late). A
# correction is a new request.
TAKE_CHARGE = Conversation(
    kind="take_charge",
    opens_with=T.TAKE_CHARGE_REQUEST,
    opened="awaiting_reply",
    moves=(_move(T.TAKE_CHARGE_REPLY, RESPONDER, ["awaiting_reply"], "accepted", "refused"),),
    final=_states("accepted", "refused"),
)

CONVERSATIONS: Mapping[str, Conversation] = {
    c.kind: c
    for c in (
        REFERRAL,
        TRANSFER,
        INFO_REQUEST,
        NOTICE,
        ERASURE,
        AUDIT_CHECKPOINT,
        MISSING_ALERT,
        MATCH_QUERY,
        GUARDIAN_HANDOVER,
        FAMILY_TRACING,
        TAKE_CHARGE,
    )
}
