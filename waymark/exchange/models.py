"""The exchange's rows: the registry copy, the outbox, the inbox, and the business threads.

Anything that crosses a border is a database row before it is a network call (an
``OutboxMessage`` written in the same transaction as the business change), and anything that
arrives is applied in the same transaction as its ``InboxMessage`` row, unique on
``(from_node, message_id)``: nothing lost, nothing applied twice. Rows are written only by
the thread modules (``threads/``), ``inbound.py`` and the dispatcher.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case
from waymark.vocab import Purpose

from .sealed import SealedData, reveal_text, seal_value

NODE_ID_LENGTH = 64
ORG_ID_LENGTH = 64


class RegistryCopy(models.Model):
    """A signed registry document that verified when it was stored.

    The newest serial is the one in force. It is verified again (signature and expiry) before
    every send and receive, so a copy edited in the database or past its expiry stops the
    exchange instead of being trusted.
    """

    serial = models.PositiveBigIntegerField(unique=True)
    document = models.TextField()
    sha256 = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_from = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-serial"]

    def __str__(self) -> str:
        return f"registry #{self.serial}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    RECEIPTED = "receipted", _("Delivered (receipt)")
    REJECTED = "rejected", _("Refused by the receiver")
    # Never sent (again): before a (re)send the registry no longer let the agreement carry it
    # (suspended, ended, changed). Final, like a refusal; the reason is in ``receipt_reason``.
    CANCELLED = "cancelled", _("Not sent: the agreement no longer allows it")


OUTBOX_OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxMessage(models.Model):
    """One sealed envelope to one peer node, and what became of it.

    The envelope is sealed once, when the row is written, so every retry sends the same bytes
    and the receiver's duplicate check returns the same receipt (whose ``envelope_sha256`` then
    matches). It is encrypted for the receiver only: this node keeps the business rows, not a
    readable copy of the message.
    """

    message_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    conversation_id = models.CharField(max_length=100)
    to_node = models.CharField(max_length=NODE_ID_LENGTH)
    to_org = models.CharField(max_length=ORG_ID_LENGTH)
    from_org = models.CharField(max_length=ORG_ID_LENGTH)
    message_type = models.CharField(max_length=32)
    agreement_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    categories = models.JSONField(default=list)
    summary = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    envelope = models.TextField()
    envelope_sha256 = models.CharField(max_length=64)

    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A claim is a lease: a dispatcher killed while holding it leaves a row that becomes
    # claimable again once ``claimed_at`` is older than the lease.
    # NULL, not "", when unclaimed: the claim is "UPDATE … WHERE claimed_by IS NULL".
    claimed_by = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    receipted_at = models.DateTimeField(null=True, blank=True)
    receipt = models.TextField(blank=True)
    receipt_reason = models.CharField(max_length=64, blank=True)
    receipt_detail = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["to_node", "status", "next_attempt_at"]),
            models.Index(fields=["to_node", "conversation_id", "id"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id} → {self.to_node}"


class InboxStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Refused")


class InboxMessage(models.Model):
    """An envelope from an authenticated peer, and the signed receipt it got.

    Written in the same transaction as the business effect (or, for a refusal of an
    authenticated message, alone). A second delivery of the same message gets ``receipt``
    back unchanged and changes nothing.
    """

    from_node = models.CharField(max_length=NODE_ID_LENGTH)
    message_id = models.UUIDField()
    conversation_id = models.CharField(max_length=100)
    from_org = models.CharField(max_length=ORG_ID_LENGTH)
    to_org = models.CharField(max_length=ORG_ID_LENGTH)
    message_type = models.CharField(max_length=32)
    agreement_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40)
    categories = models.JSONField(default=list)
    envelope_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=InboxStatus.choices)
    reason = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    receipt = models.TextField()
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField()
    times_received = models.PositiveIntegerField(default=1)
    last_received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_node", "message_id"], name="inbox_once_per_message")
        ]
        indexes = [models.Index(fields=["-received_at"])]

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id} ← {self.from_node}"


class InboundRefusal(models.Model):
    """Every envelope refused at the door, with its reason (evidence, and the DPO's alert list).

    ``from_node`` and ``message_id`` are what the envelope claimed; they are trustworthy only
    when ``authenticated`` (the signature verified).
    """

    at = models.DateTimeField()
    reason = models.CharField(max_length=64)
    detail = models.CharField(max_length=500, blank=True)
    envelope_sha256 = models.CharField(max_length=64)
    from_node = models.CharField(max_length=NODE_ID_LENGTH, blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    authenticated = models.BooleanField(default=False)
    remote_addr = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"refused {self.reason} at {self.at:%Y-%m-%d %H:%M}"


class CaseLink(models.Model):
    """A conversation with a peer, tied to the local case it is about.

    The conversation id is the originating case's public id as both nodes know it; messages in
    that conversation land on ``case``'s timeline.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exchange_links")
    peer_node = models.CharField(max_length=NODE_ID_LENGTH)
    peer_org = models.CharField(max_length=ORG_ID_LENGTH)
    conversation_id = models.CharField(max_length=100)
    peer_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "peer_node", "peer_org", "conversation_id"], name="case_link_once"
            ),
        ]
        indexes = [models.Index(fields=["peer_node", "peer_org", "conversation_id"])]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.peer_node}/{self.conversation_id}"


class Direction(models.TextChoices):
    OUTGOING = "out", _("Sent")
    INCOMING = "in", _("Received")


class Thread(models.Model):
    """One conversation with an organisation on another node (or this one) about a child.

    Every kind of conversation (referral, case transfer, information request, notice, and the
    kinds to come) is a row here: the two parties, the terms it travels under, its ``status`` (a
    state of the kind's table in ``core/protocol/threads.py``), and its messages in the ledger
    (``ThreadMessage``). What a kind keeps about the child (a reason, an offer, questions and
    answers) is sealed at rest in ``sealed`` (``thread.data``, see ``sealed.py``); what it keeps in
    clear (codes, counts, dates — never child data) is in ``facts``. Adding a kind adds no column.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=32)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=16)
    conversation_id = models.CharField(max_length=100)
    # Every index is written on every message: these two foreign keys are served by the
    # composite indexes in Meta, whose first column they are.
    local_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    peer_node = models.CharField(max_length=NODE_ID_LENGTH)
    peer_org = models.CharField(max_length=ORG_ID_LENGTH)
    peer_org_name = models.CharField(max_length=200, blank=True)
    agreement_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    categories = models.JSONField(default=list)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    peer_case_reference = models.CharField(max_length=64, blank=True)
    # The message that opened the thread: every answer names it in ``in_reply_to``.
    opened_message_id = models.UUIDField()
    # The reply clock's due time, for kinds that have one.
    due_at = models.DateTimeField(null=True, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    sealed = models.JSONField(default=dict, blank=True)
    # Who acted: shown on the page, never looked up by user (no index; deleting a user scans).
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The vault key the thread's text is sealed with: the child's, when the thread was opened
    # about a case held here, else the thread's own (its public id).
    seal_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["opened_message_id", "direction"], name="thread_once"),
        ]
        indexes = [
            models.Index(fields=["local_org", "kind", "direction", "status"]),
            models.Index(fields=["case", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sealing_key()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "seal_key"}
        super().save(*args, **kwargs)

    def sealing_key(self) -> uuid.UUID:
        if self.seal_key is None:
            case = self.case if self.case_id is not None else None
            self.seal_key = case.child.public_id if case is not None else self.public_id
        return self.seal_key

    @property
    def seal_label(self) -> str:
        """The vault's name for this kind's sealed values: ``exchange.<kind without _>``."""
        return f"exchange.{self.kind.replace('_', '')}"

    @property
    def data(self) -> SealedData:
        """The child data this thread keeps, sealed at rest (read and write by name)."""
        return SealedData(self, "sealed", self.seal_label)


class ThreadMessage(models.Model):
    """The ledger: one message of a thread, on both nodes under the same message id (the
    reconciler counts the received ones as the business effects of what arrived).

    The thread row stands for its opening message (``opened_message_id``, ``created_at``,
    ``opened_by``): a ledger row holds it only when it said something in words (a referral's
    reason) or was written before that rule. Read a thread's messages with ``threads.ledger``,
    their ids with ``message_ids`` — never ``thread.messages`` alone."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    message_id = models.UUIDField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    type = models.CharField(max_length=32)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # What the message said in words (a reason, a note), sealed like the thread's data.
    note_sealed = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        # Per direction: a node may send to one of its own organisations, and then holds both
        # ends of the message.
        constraints = [
            models.UniqueConstraint(fields=["message_id", "direction"], name="thread_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id} of {self.thread_id}"

    @property
    def note(self) -> str:
        return reveal_text(self.thread, f"{self.thread.seal_label}step.reason", self.note_sealed)

    @note.setter
    def note(self, value: str) -> None:
        self.note_sealed = seal_value(self.thread, f"{self.thread.seal_label}step.reason", value or "")


class AlertNotice(models.Model):
    """An in-app notice to a case's caseworker or guardian: a sighting or a found report arrived
    in a missing-child alert about their case. Says what happened in words, never the child's
    data (the case page shows that, through the policy)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"notice to {self.user_id} about case {self.case_id}"


def message_ids(
    threads: QuerySet[Thread] | Iterable[Thread], direction: str
) -> list[tuple[int, uuid.UUID, dt.datetime]]:
    """``(thread pk, message id, at)`` of every message of ``threads`` in ``direction``, oldest
    first: the ledger's rows and the opening messages the thread rows stand for (a thread's
    opening goes in the thread's own direction)."""
    if not isinstance(threads, QuerySet):
        threads = Thread.objects.filter(pk__in=[t.pk for t in threads])
    found = list(
        ThreadMessage.objects.filter(thread__in=threads, direction=direction).values_list(
            "thread_id", "message_id", "at"
        )
    )
    seen = {mid for _, mid, _ in found}
    openings = threads.filter(direction=direction).values_list("pk", "opened_message_id", "created_at")
    found += [row for row in openings if row[1] not in seen]
    return sorted(found, key=lambda row: (row[2], row[0]))
