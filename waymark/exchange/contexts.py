"""The need-to-know contexts conversations open and close (policy/contexts.py, docs/firewall.md).

When this organisation sends a message in a thread about one of its cases — opens a referral,
offers a transfer, asks or answers an information request — it shares that child with the
peer organisation for the thread's purpose: the thread opens a context on the case, which lets
the peer's users on this node (a node hosting several organisations) see the child under their
agreement. A context ends when the thread reaches a state a kind declares (a referral rejected
or revoked, a request declined), sent or received. Receiving alone shares nothing of ours.

Kinds declare it in their ``ThreadKind`` (``shares``, ``unshared_in``); ``threads.register``
hands it here, so this module knows no kind by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from waymark.cases.models import Case
from waymark.policy.contexts import close_contexts, close_every_context, open_context
from waymark.vocab import ContextSource

from .models import Thread


@dataclass(frozen=True)
class Sharing:
    source: ContextSource
    ends_in: frozenset[str]


_SHARING: dict[str, Sharing] = {}


def declare(kind: str, source: ContextSource, ends_in: Iterable[str]) -> None:
    _SHARING[kind] = Sharing(source, frozenset(ends_in))


def forget(kind: str) -> None:
    _SHARING.pop(kind, None)


def on_sent(thread: Thread, now: dt.datetime, case: Case | None = None) -> None:
    """We sent a message in ``thread`` (about ``case``, else the thread's): share, or unshare if
    the thread has now ended."""
    sharing = _SHARING.get(thread.kind)
    if sharing is None:
        return
    if thread.status in sharing.ends_in:
        close_contexts(sharing.source, thread.public_id, now)
        return
    case = case or thread.case
    if case is None:
        return
    open_context(
        case,
        partner=thread.peer_org,
        purpose=thread.purpose,
        source=sharing.source,
        source_id=thread.public_id,
        now=now,
    )


def on_received(thread: Thread, now: dt.datetime) -> None:
    """The peer moved ``thread``: if it has ended, the contexts it opened close."""
    sharing = _SHARING.get(thread.kind)
    if sharing is not None and thread.status in sharing.ends_in:
        close_contexts(sharing.source, thread.public_id, now)


def on_undelivered(thread: Thread, now: dt.datetime) -> None:
    """Our opening message of ``thread`` never arrived: whatever it shared, it shares no more
    (whatever the kind declares: the conversation never began)."""
    close_every_context(thread.public_id, now)
