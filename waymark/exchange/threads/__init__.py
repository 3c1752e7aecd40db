"""The kinds of conversation this node takes part in, one module each (``referral.py``,
``transfer.py``, …), registered here when the exchange app is ready.

Everything that needs the list of kinds or message types — the inbound handlers, the pages, the
dashboards, the reconciler, shredding, the demo agreements, the registry's list of types this node
implements — iterates ``KINDS``; nothing lists them by hand. A module is a kind when it calls
``register``; ``load`` imports every module of this package.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import TYPE_CHECKING

from waymark.core.protocol.messages import MessageType

from .. import contexts
from ..models import Thread, ThreadMessage

if TYPE_CHECKING:
    from .base import ThreadKind

KINDS: dict[str, ThreadKind] = {}


def register(kind: ThreadKind) -> ThreadKind:
    name = kind.conversation.kind
    taken = implemented_types() & kind.conversation.types
    if name in KINDS or taken:
        raise ValueError(f"thread kind {name} clashes with one registered ({sorted(taken)})")
    KINDS[name] = kind
    if kind.shares is not None:
        contexts.declare(name, kind.shares, kind.unshared_in)
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)
    contexts.forget(name)


def load() -> None:
    """Import every kind module of this package (each registers itself)."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


def kind(name: str) -> ThreadKind:
    return KINDS[name]


def by_slug(slug: str) -> ThreadKind | None:
    return next((k for k in KINDS.values() if k.slug == slug), None)


def for_type(type: MessageType) -> ThreadKind | None:
    return next((k for k in KINDS.values() if type in k.conversation.types), None)


def implemented_types() -> frozenset[MessageType]:
    """Every message type this node takes (and may send)."""
    return frozenset(t for k in KINDS.values() for t in k.conversation.types)


def declared_types() -> list[str]:
    """``implemented_types()`` as the registry's node entry lists them (sorted values)."""
    return sorted(t.value for t in implemented_types())


def ledger(thread: Thread, rows: Iterable[ThreadMessage] | None = None) -> list[ThreadMessage]:
    """The thread's messages, oldest first: its opening message, then the ledger's ``rows``
    (default: ``thread.messages``; pass them with what the page reads select_related). The
    thread row stands for its opening message unless a row holds it (``models.ThreadMessage``):
    that one is built here, not saved."""
    stored = list(thread.messages.all() if rows is None else rows)
    if any(m.message_id == thread.opened_message_id and m.direction == thread.direction for m in stored):
        return stored
    opening = ThreadMessage(
        thread=thread,
        message_id=thread.opened_message_id,
        direction=thread.direction,
        type=KINDS[thread.kind].conversation.opens_with,
        at=thread.created_at,
        by_id=thread.opened_by_id,
    )
    return [opening, *stored]
