"""Notices: one message to another organisation about a child; nothing answers it
(``core.protocol.threads.NOTICE``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, StringConstraints

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import NOTICE
from waymark.vocab import DataCategory, EventType

from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import Text, ToPeer, not_blank
from ..timeline import add_event, add_thread_event
from . import register
from .base import Opening, Panel, ThreadKind, peer_fields

T = MessageType


class NoticeIn(ToPeer):
    category: DataCategory = DataCategory.CASE_NOTES
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(not_blank)]
    text: Text = ""


def do_send_notice(user: User, case: Case, data: NoticeIn, *, node: LocalNode | None = None) -> Thread:
    """Send a one-way notice about the case's child to another organisation."""
    body = m.Notice(category=data.category, subject=data.subject, text=data.text)
    prepared = p.prepare(user, case, T.NOTICE, body, data, node=node)
    with transaction.atomic():
        notice, _row = p.open_thread(
            prepared,
            NOTICE,
            user=user,
            case=case,
            body=body,
            summary="Notice to",
            data={"subject": data.subject, "text": data.text},
        )
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Notice sent to {notice.peer_org_name}: {data.subject}",
            details=data.text,
            category=data.category,
            user=user,
            at=prepared.ctx.now,
        )
    return notice


def _on_notice(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.Notice)
    notice = p.open_incoming(NOTICE, opened, registry, now, data={"subject": body.subject, "text": body.text})
    add_thread_event(
        notice,
        type=EventType.NOTE,
        summary=f"Notice from {notice.peer_org_name}: {body.subject}",
        details=body.text,
        category=DataCategory(body.category.value),
        at=now,
    )
    return notice


def _form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "category": post.get("category", DataCategory.CASE_NOTES),
        "subject": post.get("subject", ""),
        "text": post.get("text", ""),
    }


def _received(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING).order_by("-created_at")[:10]


KIND = register(
    ThreadKind(
        conversation=NOTICE,
        slug="notice",
        label=_("Notice"),
        line="exchange/notice/_line.html",
        on_open=_on_notice,
        opening=Opening(NoticeIn, do_send_notice, _form, form="exchange/notice/_open.html", to_thread=False),
        panels=(
            Panel(
                60,
                "notices",
                _("Notices received"),
                _("None."),
                _received,
                "exchange/notice/_panel_line.html",
                child_data=True,
            ),
        ),
        states={"sent": _("Sent")},
        messages={T.NOTICE: _("Notice")},
        order=40,
    )
)
