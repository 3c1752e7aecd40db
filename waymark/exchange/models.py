"""The exchange's rows: the registry copy, the outbox, the inbox, and the business threads.

Anything that crosses a border is a database row before it is a network call (an
``OutboxMessage`` written in the same transaction as the business change), and anything that
arrives is applied in the same transaction as its ``InboxMessage`` row, unique on
``(from_node, message_id)``: nothing lost, nothing applied twice. Rows are written only by
``actions.py``, ``inbound.py`` and the dispatcher.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case
from waymark.vocab import Purpose

from .sealed import sealed_json, sealed_text

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


class _Thread(models.Model):
    """What every exchanged thread has: the two parties and the terms it travels under."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    conversation_id = models.CharField(max_length=100)
    local_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    peer_node = models.CharField(max_length=NODE_ID_LENGTH)
    peer_org = models.CharField(max_length=ORG_ID_LENGTH)
    peer_org_name = models.CharField(max_length=200, blank=True)
    agreement_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    categories = models.JSONField(default=list)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    peer_case_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The vault key the thread's text is sealed with (exchange/sealed.py): the child's, when the
    # thread was opened about a case held here, else the thread's own (its public id).
    seal_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

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


class ReferralStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")
    REVOKED = "revoked", _("Revoked")


class ReferralAction(models.TextChoices):
    OFFER = "offer", _("Offer")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    DONE = "done", _("Done")
    REVOKE = "revoke", _("Revoke")


class Referral(_Thread):
    """A referral of a child to an organisation on another node: offer, then accept or reject,
    then done; the referrer may revoke until it is done.

    On the receiving side the offer as received (the ``ReferralOffer`` body: child, case
    summary, reason, services) is kept in ``offer`` until someone accepts (a case is then
    registered from it) or rejects, or the referrer revokes (it is then cleared: data
    minimisation).
    """

    status = models.CharField(max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.OFFERED)
    reason_sealed = models.TextField(_("why this referral"), blank=True)
    offer_sealed = models.TextField(blank=True)
    response_reason_sealed = models.TextField(blank=True)
    offer_message_id = models.UUIDField()

    reason = sealed_text("reason")
    offer = sealed_json("offer", dict)
    response_reason = sealed_text("response_reason")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"referral {self.public_id} ({self.status})"


class ReferralStep(models.Model):
    """One message of a referral, on both nodes under the same message id (the reconciler
    counts these as the referral's business effects)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    message_id = models.UUIDField()
    action = models.CharField(max_length=16, choices=ReferralAction.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    reason_sealed = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        # Per direction: a node may send to one of its own organisations, and then holds both
        # ends of the step.
        constraints = [models.UniqueConstraint(fields=["message_id", "direction"], name="referral_step_once")]

    reason = sealed_text("reason")

    def __str__(self) -> str:
        return f"{self.action} of {self.referral_id}"

    def sealing_key(self) -> uuid.UUID:
        return self.referral.sealing_key()


class InfoRequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a reply")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Declined")


class InfoRequest(_Thread):
    """A question to another organisation about a child, and its answer, against the reply
    clock the agreement commits the receiver to."""

    # [{"id", "category", "text"}] and [{"question_id", "category", "text" | "declined"}]
    questions_sealed = models.TextField(blank=True)
    legal_basis = models.CharField(max_length=1000, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    request_message_id = models.UUIDField()
    status = models.CharField(
        max_length=16, choices=InfoRequestStatus.choices, default=InfoRequestStatus.OPEN
    )
    answers_sealed = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    response_message_id = models.UUIDField(null=True, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["request_message_id", "direction"], name="info_request_once"),
            models.UniqueConstraint(fields=["response_message_id", "direction"], name="info_response_once"),
        ]

    questions = sealed_json("questions", list)
    answers = sealed_json("answers", list)

    def __str__(self) -> str:
        return f"information request {self.public_id} ({self.status})"


class Notice(_Thread):
    """A one-way notice to another organisation about a child."""

    message_id = models.UUIDField()
    subject_sealed = models.TextField()
    text_sealed = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message_id", "direction"], name="notice_once")]

    subject = sealed_text("subject")
    text = sealed_text("text")

    def __str__(self) -> str:
        return f"notice {self.public_id}"


class TransferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Transfer(_Thread):
    """A case handed over to an organisation on another node: the child, the case, the care plan
    and the history the sender chose travel in one ``case_transfer``; ownership moves when the
    receiver accepts.

    Sender side: ``case`` is the case handed over; on acceptance it becomes a closed, read-only
    copy (status "transferred", kept until ``cases.Case.retain_until``). Receiver side: the
    offer as received is kept in ``offer`` until someone accepts (a case is opened from it, or
    it is added to a case this organisation holds) or rejects; it is then cleared (data
    minimisation: the accepted data lives in the case, the rejected data nowhere).
    """

    status = models.CharField(max_length=16, choices=TransferStatus.choices, default=TransferStatus.OFFERED)
    reason_sealed = models.TextField(_("why this transfer"), blank=True)
    offer_sealed = models.TextField(blank=True)
    # What travelled, for the people who read the thread later (the offer itself is cleared).
    history_count = models.PositiveIntegerField(default=0)
    offer_message_id = models.UUIDField()
    response_message_id = models.UUIDField(null=True, blank=True)
    response_reason_sealed = models.TextField(blank=True)
    responsible_from = models.DateTimeField(null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["offer_message_id", "direction"], name="transfer_once"),
            models.UniqueConstraint(fields=["response_message_id", "direction"], name="transfer_answer_once"),
        ]

    reason = sealed_text("reason")
    offer = sealed_json("offer", dict)
    response_reason = sealed_text("response_reason")

    def __str__(self) -> str:
        return f"transfer {self.public_id} ({self.status})"
