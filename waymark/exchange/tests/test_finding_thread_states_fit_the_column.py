"""PostgreSQL finding: the family-tracing state "contact_established" (19 characters) did not fit
``Thread.status`` (16) — SQLite stores it, PostgreSQL refuses it, so a tracing result was a 500
there. Every state of every conversation table must fit the column."""

from __future__ import annotations

from waymark.core.protocol.threads import CONVERSATIONS
from waymark.exchange.models import Thread


def test_every_conversation_state_fits_the_thread_status_column():
    limit = Thread._meta.get_field("status").max_length
    assert limit is not None
    too_long = sorted(s for c in CONVERSATIONS.values() for s in c.states if len(s) > limit)
    assert too_long == []
