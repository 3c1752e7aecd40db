"""Template filters for exchange pages: a thread's state and a ledger message as people read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from waymark.core.clocks import Clock
from waymark.core.protocol.threads import UNDELIVERED
from waymark.exchange import threads
from waymark.exchange.models import Thread, ThreadMessage

register = template.Library()


@register.filter
def state(thread: Thread) -> Any:
    """The thread's state in words (its kind's label for it)."""
    if thread.status == UNDELIVERED:
        return _("not delivered")
    kind = threads.KINDS.get(thread.kind)
    return kind.states.get(thread.status, thread.status) if kind else thread.status


@register.filter
def message(row: ThreadMessage) -> Any:
    """What a ledger message was, in words (its kind's label for the type)."""
    kind = threads.KINDS.get(row.thread.kind)
    return kind.messages.get(row.type, row.type) if kind else row.type


@register.filter
def thread_clock(thread: Thread) -> Clock | None:
    """The thread's answer clock (a reply due), if its kind has one."""
    kind = threads.KINDS.get(thread.kind)
    return kind.clock_of(thread) if kind else None
