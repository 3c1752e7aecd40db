"""What an accepted message does on the receiving node, for every kind of conversation.

Runs inside the inbox transaction (``inbound.receive``): the business rows, the inbox row and the
audit entries commit together. It is given only verified, validated messages whose agreement,
purpose and categories this node has already checked. The kind's table (``core/protocol/threads``)
decides whether a message fits its thread; a message that does not (an answer to something never
sent to that organisation, or to a thread that has moved on) raises ``Refusal`` and gets a signed
negative receipt; nothing is written. A type no registered kind takes is refused as such.
"""

from __future__ import annotations

import datetime as dt

from waymark.cases.models import Case
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import Outcome

from . import contexts, threads
from .models import Direction
from .plumbing import Refusal, note_of, record, thread_answered

__all__ = ["Refusal", "apply"]


def apply(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """Apply an accepted message; returns the local case it landed on (if any)."""
    h = opened.header
    kind = threads.for_type(h.type)
    if kind is None:
        raise Refusal(ReasonCode.NOT_IMPLEMENTED, f"this node does not implement {h.type.value} messages yet")
    conversation = kind.conversation
    if h.type == conversation.opens_with:
        return kind.on_open(opened, registry, now).case
    what = str(kind.label).lower()
    thread = thread_answered(conversation, h, what)
    received = conversation.on_receive(thread.status, h.type, kind.target(opened.body))
    if received.outcome is Outcome.REFUSE:
        raise Refusal(ReasonCode.NOT_PARTY, f"the {what} was already {thread.status}")
    record(
        thread,
        message_id=h.message_id,
        direction=Direction.INCOMING,
        type=h.type,
        at=now,
        note=note_of(opened.body),
    )
    thread.status = received.state
    thread.updated_at = now
    effect = kind.on_message.get(h.type)
    if effect is not None:
        effect(thread, opened, received, now)
    thread.save()
    contexts.on_received(thread, now)
    return thread.case
