"""Need to know: the contexts that let another organisation see one child (docs/firewall.md).

An agreement says what a partner organisation may see *of a child it has a reason to see*; a
context is that reason. It is opened by the code that owns the conversation — the exchange when
this organisation shares a thread about the child with the partner (exchange/contexts.py), the
missing-child response when an alert goes out, matching when both sides accept a match — and
closed when the conversation ends (a referral rejected or revoked...). The policy service reads
the open ones in one query per decision batch (``service.shared_contexts``); nothing else
consults them for access.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from waymark.vocab import CaseStatus, ContextSource, Purpose

from .models import SharedContext
from .service import CaseLike


def open_context(
    case: CaseLike,
    *,
    partner: str,
    purpose: str,
    source: ContextSource,
    source_id: uuid.UUID,
    now: dt.datetime | None = None,
) -> SharedContext:
    """``partner`` now shares ``source`` about ``case``'s child for ``purpose`` (idempotent: a
    context already open for the same source is kept; a closed one is reopened)."""
    context, created = SharedContext.objects.get_or_create(
        source=source,
        source_id=source_id,
        case_id=case.pk,
        partner=partner,
        defaults={"purpose": str(Purpose(purpose)), "opened_at": now or timezone.now()},
    )
    if not created and context.closed_at is not None:
        context.closed_at = None
        context.save(update_fields=["closed_at"])
    return context


def close_contexts(source: ContextSource, source_id: uuid.UUID, now: dt.datetime | None = None) -> int:
    """The conversation ``source_id`` ended: the contexts it opened close (how many)."""
    return SharedContext.objects.filter(source=source, source_id=source_id, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )


def close_every_context(source_id: uuid.UUID, now: dt.datetime | None = None) -> int:
    """Every context the conversation ``source_id`` opened closes, whatever its source (one that
    never began: its opening message was refused). How many."""
    return SharedContext.objects.filter(source_id=source_id, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )


def shared_with(partner: str, purpose: str) -> QuerySet[SharedContext]:
    """The open contexts ``partner`` has for ``purpose`` (a list narrows to their cases)."""
    return SharedContext.objects.filter(partner=partner, purpose=purpose, closed_at__isnull=True)


def fits(purpose: str, status: str) -> bool:
    """Does the purpose fit a case in this status (agreements.cedar says the same)?"""
    return purpose != Purpose.LOCATE_MISSING_CHILD or status == CaseStatus.MISSING
