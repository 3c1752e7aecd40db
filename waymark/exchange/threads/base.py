"""What a kind of conversation declares: its table, what each received message does here, the
forms people answer with, how it is opened from a case, its page and its dashboard panels."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from pydantic import BaseModel

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.clocks import Clock, ClockRule
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import Body, MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import Conversation, Received
from waymark.vocab import ContextSource, Role, Sector

from ..models import Direction, Thread
from ..plumbing import side_of

# A received opening message: write the thread (``plumbing.open_incoming``) and its effects.
OnOpen = Callable[[Opened, Registry, dt.datetime], Thread]
# A received later message the table allowed (``received.outcome`` says whether it moved the
# thread or was only recorded): its effects beyond the ledger and the status.
OnMessage = Callable[[Thread, Opened, Received, dt.datetime], None]
# The form data of a page as the action's input schema expects it.
FormData = Callable[[QueryDict, Thread | None], dict[str, Any]]


def form_fields(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    """The posted fields as they are (one value each)."""
    return {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}


def peer_fields(post: QueryDict) -> dict[str, Any]:
    """The fields every opening form has: to whom, for what purpose, under which agreement."""
    return {k: post.get(k, "") for k in ("to_org", "purpose", "agreement_id")}


@dataclass(frozen=True)
class Action:
    """A form on the thread page that sends ``type``: ``do(user, thread, parsed)``.

    A local action (``type`` None) sends nothing: it changes the thread here (naming a
    hand-over's incoming guardian). The conversation's table does not know it, so ``local`` says
    who may take it on the thread now; ``label`` and ``rules`` describe its API operation."""

    type: MessageType | None
    schema: builtins.type[BaseModel]
    do: Callable[..., Thread]
    data: FormData = form_fields
    to_case: bool = False  # once done, show the case it landed on (an accepted transfer)
    local: Callable[[User, Thread], bool] | None = None
    label: str = ""
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignee:
    """Someone outside the exchange's roles whom the receiving organisation names on an incoming
    thread of a kind (a hand-over's incoming guardian): their user id is the thread's
    ``facts[fact]`` (a user id is no child data). They find the threads naming them — no other
    (``access.threads_of``) —, read each as the policy lets them read a case of theirs in that
    role (``access.decide_threads``), and take the actions the kind's own checks let them take."""

    role: Role
    fact: str

    def may_be(self, user: User) -> bool:
        """Could ``user`` be named at all: active, in this role, in an organisation that is not
        immigration enforcement (the firewall)?"""
        org = user.organisation
        return (
            user.is_active
            and org is not None
            and org.sector != Sector.IMMIGRATION_ENFORCEMENT
            and user.role == self.role
        )

    def named(self, user: User, thread: Thread) -> bool:
        """Is ``user`` the one named on ``thread``, an incoming thread of their organisation?"""
        return (
            self.may_be(user)
            and thread.direction == Direction.INCOMING
            and thread.local_org_id == user.organisation_id
            and thread.facts.get(self.fact) == user.pk
        )


@dataclass(frozen=True)
class Opening:
    """The form on a case's exchange page that opens a thread: ``do(user, case, parsed)``."""

    schema: type[BaseModel]
    do: Callable[..., Thread]
    data: FormData
    form: str  # template of the form
    # May this user open one about this case now (beyond the exchange role)? The form is hidden otherwise.
    shown: Callable[[User, Case, Sequence[Thread]], bool] = lambda _user, _case, _threads: True
    # Where to go once sent: the thread's page (True) or back to the case's exchange page.
    to_thread: bool = True
    # What the form template needs besides the case page's context (its choices).
    context: Mapping[str, Any] = field(default_factory=dict)
    # Offered to people outside the exchange's roles when ``shown`` says so (the ward's guardian
    # hands them over); ``shown`` is then the whole check, and ``prepare`` checks it again.
    beyond_exchange_roles: bool = False


@dataclass(frozen=True)
class Panel:
    """A section of the exchange dashboard: rows of this kind's threads, one line template."""

    order: int
    id: str
    title: Promise
    empty: Promise
    rows: Callable[[QuerySet[Thread]], Any]  # the user's threads of this kind → rows to show
    line: str  # template of one row ("t" is the thread)
    # The line shows child data (a notice's subject): each row is decided and audited, and the
    # line template shows it only ``{% if t.pk in shown %}``.
    child_data: bool = False


@dataclass(frozen=True)
class ThreadKind:
    conversation: Conversation
    slug: str  # the kind in URLs ("request" for info_request)
    label: Promise  # what people call one ("Referral")
    line: str  # template of one thread on a case's exchange page ("t" is the thread)
    on_open: OnOpen
    on_message: Mapping[MessageType, OnMessage] = field(default_factory=dict)
    # For a received answer with several possible targets (answered / declined): which one.
    target: Callable[[Body], str | None] = lambda _body: None
    actions: Mapping[str, Action] = field(default_factory=dict)
    opening: Opening | None = None
    page: str = ""  # template of the thread page ("" when the kind has none)
    page_context: Callable[[Thread], dict[str, Any]] = lambda _thread: {}
    panels: Sequence[Panel] = ()
    # The kind's states and message types as people read them (pages, dashboards).
    states: Mapping[str, Promise] = field(default_factory=dict)
    # The clock on an open thread's answer (``Thread.due_at`` is its due time), if the kind has one.
    clock: ClockRule | None = None
    messages: Mapping[str, Promise] = field(default_factory=dict)
    order: int = 100  # where its forms and lines come on a case's page
    # Need to know (exchange/contexts.py): sending in a thread of this kind about a case shares the
    # child with the peer as this context source, until the thread reaches a state of ``unshared_in``.
    shares: ContextSource | None = None
    unshared_in: frozenset[str] = frozenset()
    # Categories a reader may be refused while still reading (and answering) the thread: their
    # fields are redacted with a marker by ``redact`` instead of withholding the whole thread (a
    # police officer reads a missing child's identity and description, not the case notes).
    redactable: frozenset[str] = frozenset()
    redact: Callable[[dict[str, Any], frozenset[str]], dict[str, Any]] = lambda ctx, _refused: ctx
    # Who finds, opens and answers threads of this kind, when not the exchange's roles
    # (``plumbing.EXCHANGE_ROLES``): a take-charge request is Dublin officers' business only.
    roles: frozenset[str] = frozenset()
    # Who, outside the exchange's roles, may be named on an incoming thread of this kind (and then
    # finds it): a guardian hand-over's incoming guardian.
    assignee: Assignee | None = None

    @property
    def name(self) -> str:
        return self.conversation.kind

    def clock_of(self, thread: Thread) -> Clock | None:
        """The thread's answer clock: running while it waits, met once it moved on."""
        if self.clock is None or thread.due_at is None:
            return None
        clock = self.clock.until(thread.due_at, started_at=thread.created_at)
        if thread.status == self.conversation.opened:
            return clock
        return clock.met(max(thread.answered_at or thread.updated_at, thread.created_at))

    def sendable(self, thread: Thread, user: User | None = None) -> set[str]:
        """The names of the actions this side may take now (the page's forms): the messages the
        table allows, and the local actions ``user`` may take (none without a user)."""
        allowed = set(self.conversation.sendable(thread.status, side_of(thread)))
        return {
            name
            for name, action in self.actions.items()
            if (
                action.type in allowed
                if action.type is not None
                else user is not None and action.local is not None and action.local(user, thread)
            )
        }
