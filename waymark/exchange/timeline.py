"""Exchange entries on a case's timeline (cases.Event), on the sending and the receiving node.

Written inside the exchange action or inbound transaction that caused them. An entry caused by
a peer has no local author; its source is "partner organisation".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.actions import create_event
from waymark.cases.models import Case, Event
from waymark.vocab import DataCategory, EventSource, EventType

from .models import Thread


def add_event(
    case: Case,
    *,
    type: EventType,
    summary: str,
    details: str = "",
    category: DataCategory = DataCategory.CASE_NOTES,
    user: User | None = None,
    at: dt.datetime | None = None,
) -> Event:
    at = at or timezone.now()
    # Through the case actions' event writer: it seals summary and details (special categories).
    event = create_event(
        case,
        type=type,
        occurred_at=at,
        author=user,
        source=EventSource.STAFF if user is not None else EventSource.PARTNER,
        category=category,
        summary=summary[:300],
        details=details,
    )
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return event


def add_thread_event(thread: Thread, **fields: Any) -> Event | None:
    """``add_event`` on the case the thread is about, if it is about one held here."""
    return add_event(thread.case, **fields) if thread.case is not None else None
