"""The child's accounts (tell it once): the only writers of ``ChildAccount``, and the consent rule.

A child's account from an interview is recorded once — resting on one of the case's consents (to
the recording organisation, for the purpose declared, covering ``disclosure``, in date and not
withdrawn) — and corrected only by a new version that keeps the earlier one. An account received
from a partner (the exchange calls ``do_receive_accounts`` inside its inbound or accept
transaction) is stored with its provenance; the same version received twice is stored once.
Each recorded or received account writes one timeline entry saying whom the child told, where
and when (category disclosure: sealed, shown only to those who may read it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from waymark.accounts.models import User
from waymark.core.protocol.messages import ChildAccountBody
from waymark.errors import ActionError
from waymark.vault import service as vault
from waymark.vault.sealed import sealed_field
from waymark.vocab import AccountOrigin, DataCategory, EventSource, EventType, Purpose

from .actions import create_event
from .models import Case, ChildAccount, Consent
from .schemas import AccountIn

DISCLOSURE = DataCategory.DISCLOSURE


def _seal(case: Case, name: str, text: str) -> str:
    return vault.seal_text(case.child, sealed_field(ChildAccount, name), text)


# ---------------------------------------------------------------------------------------------
# Consent


def consents_covering(case: Case, recipient_org: str, purpose: str, day: dt.date) -> list[Consent]:
    """The case's consents to ``recipient_org`` for ``purpose`` that cover ``disclosure``, in date
    on ``day`` and not withdrawn (newest first)."""
    rows = (
        Consent.objects.filter(
            case=case,
            recipient_org=recipient_org,
            purpose=purpose,
            withdrawn_at__isnull=True,
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("-recorded_at", "-id")
    )
    # The categories are a JSON list: filtered here, the same on SQLite and PostgreSQL.
    return [c for c in rows if DISCLOSURE in c.categories]


def describe_consent(consent: Consent) -> str:
    """A consent in words, as it travels with an account (the receiver holds no consent row)."""
    until = f" until {consent.valid_until:%Y-%m-%d}" if consent.valid_until else ""
    given = f", given by {consent.given_by}" if consent.given_by else ""
    return (
        f"Consent to {consent.recipient_org} for {consent.purpose} from {consent.valid_from:%Y-%m-%d}"
        f"{until}{given}"
    )[:1000]


# ---------------------------------------------------------------------------------------------
# Reading


def accounts_of(case: Case) -> QuerySet[ChildAccount]:
    """Every version of every account of ``case``, newest interview first, with what the
    templates and the API read (the case's child opens the sealed text)."""
    return ChildAccount.objects.filter(case=case).select_related(
        "case__child", "corrected_by", "supersedes", "recorded_by__organisation"
    )


def current_accounts(case: Case) -> QuerySet[ChildAccount]:
    """The latest version of each account of ``case`` (what is offered for sharing)."""
    return accounts_of(case).filter(corrected_by__isnull=True)


# ---------------------------------------------------------------------------------------------
# Record (or correct) an account here


def check_record_account(
    user: User, case: Case, purpose: str, data: AccountIn
) -> tuple[Consent, ChildAccount | None]:
    """The consent it rests on and the account it corrects (if any); ``ActionError`` naming the
    field otherwise. The caller has checked that the user may update ``disclosure`` for
    ``purpose`` on this case (``access_case``)."""
    org = user.organisation
    if org is None:
        raise ActionError("your account belongs to no organisation", field="")
    if purpose == Purpose.IMMIGRATION_ENFORCEMENT:
        raise ActionError("never for immigration enforcement", field="purpose")
    consent = case.consents.filter(pk=data.consent).first()
    if consent is None:
        raise ActionError("this case has no such consent", field="consent")
    day = timezone.localdate()
    if consent not in consents_covering(case, org.slug, purpose, day):
        raise ActionError(
            f"the child's account rests on their consent to {org.slug} for {purpose} covering "
            "disclosure, in date and not withdrawn: this consent does not cover it (record the "
            "child's consent first)",
            field="consent",
        )
    corrected = None
    if data.corrects is not None:
        corrected = ChildAccount.objects.filter(case=case, public_id=data.corrects).first()
        if corrected is None:
            raise ActionError("this case has no such account", field="corrects")
        if ChildAccount.objects.filter(supersedes=corrected).exists():
            raise ActionError(
                "this version was already corrected: correct the latest version", field="corrects"
            )
    return consent, corrected


@transaction.atomic
def do_record_account(user: User, case: Case, purpose: str, data: AccountIn) -> ChildAccount:
    """Record the child's account told to the user's organisation (or a corrected version of one
    held here), and its timeline entry, in one transaction."""
    consent, corrected = check_record_account(user, case, purpose, data)
    if corrected is not None:
        # Two people correcting the same version at once: the second finds it corrected.
        corrected = ChildAccount.objects.select_for_update(of=("self",)).get(pk=corrected.pk)
        if ChildAccount.objects.filter(supersedes=corrected).exists():
            raise ActionError(
                "someone else corrected this account meanwhile; reload the page", field="corrects"
            )
    org = user.organisation
    assert org is not None
    now = timezone.now()
    account_id = uuid.uuid4()
    account = ChildAccount.objects.create(
        public_id=account_id,
        case=case,
        lineage=corrected.lineage if corrected is not None else account_id,
        version=corrected.version + 1 if corrected is not None else 1,
        supersedes=corrected,
        correction_note=_seal(case, "correction_note", data.correction_note),
        origin=AccountOrigin.RECORDED,
        interviewed_at=data.interviewed_at,
        interviewer_name=data.interviewer_name or user.display_name or user.get_username(),
        told_to_org=org.slug,
        told_to_org_name=org.name,
        told_to_country=org.country,
        language=data.language,
        interpreter=data.interpreter,
        interpreter_language=data.interpreter_language,
        words=_seal(case, "words", data.words),
        summary=_seal(case, "summary", data.summary),
        purpose=purpose,
        consent=consent,
        consent_basis=describe_consent(consent),
        original_id=account_id,
        original_recorded_at=now,
        recorded_by=user,
        recorded_at=now,
    )
    version = f" (version {account.version}, corrects the earlier one)" if corrected is not None else ""
    create_event(
        case,
        type=EventType.INTERVIEW,
        occurred_at=data.interviewed_at,
        author=user,
        source=EventSource.CHILD,
        category=DISCLOSURE,
        summary=told_to_line(account)[:280] + version,
        details=data.summary,
    )
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    return account


def told_to_line(account: ChildAccount) -> str:
    """ "Child's account told to ⟨organisation⟩, ⟨country⟩, ⟨date⟩" — its provenance in words."""
    return (
        f"Child's account told to {account.told_to_org_name}, {account.told_to_country}, "
        f"{account.interviewed_at:%Y-%m-%d}"
    )


# ---------------------------------------------------------------------------------------------
# Receive accounts from a partner


@dataclass(frozen=True)
class Provenance:
    """Where received accounts came from: the sending organisation, its node, the conversation."""

    org: str
    org_name: str
    node: str
    via: str  # the thread kind (referral, transfer, request)
    thread: uuid.UUID
    conversation: str
    at: dt.datetime


def do_receive_accounts(
    case: Case, bodies: Sequence[ChildAccountBody], provenance: Provenance
) -> list[ChildAccount]:
    """Store the accounts a partner shared as received accounts of ``case``, with their
    provenance and a timeline entry each. A version already held (the same original, received
    again in another conversation) is not stored twice; a later version of an account held here
    becomes its latest, keeping the earlier. Call inside the caller's transaction (the exchange's
    inbound handler or accept action, which decided that this may be written)."""
    stored: list[ChildAccount] = []
    for body in sorted(bodies, key=lambda b: (str(b.lineage), b.version)):
        if ChildAccount.objects.filter(case=case, original_id=body.original_id).exists():
            continue
        held = (
            ChildAccount.objects.select_for_update(of=("self",))
            .filter(case=case, lineage=body.lineage, corrected_by__isnull=True)
            .first()
        )
        if held is not None and held.version >= body.version:
            continue  # a newer version is held already: an older one arriving late changes nothing
        account = ChildAccount.objects.create(
            case=case,
            lineage=body.lineage,
            version=body.version,
            supersedes=held,
            correction_note=_seal(case, "correction_note", body.correction_note),
            origin=AccountOrigin.RECEIVED,
            interviewed_at=body.interviewed_at,
            interviewer_name=body.interviewer[:200],
            told_to_org=body.told_to_org,
            told_to_org_name=(body.told_to_org_name or body.told_to_org)[:200],
            told_to_country=body.told_to_country,
            language=body.language,
            interpreter=body.interpreter,
            interpreter_language=body.interpreter_language,
            words=_seal(case, "words", body.words),
            summary=_seal(case, "summary", body.summary),
            purpose=body.purpose.value,
            consent=None,
            consent_basis=body.consent[:400],
            original_id=body.original_id,
            original_recorded_at=body.recorded_at,
            received_from_org=provenance.org,
            received_from_org_name=provenance.org_name[:200],
            received_from_node=provenance.node,
            received_via=provenance.via,
            received_thread=provenance.thread,
            received_conversation=provenance.conversation[:128],
            received_at=provenance.at,
            recorded_by=None,
            recorded_at=provenance.at,
        )
        create_event(
            case,
            type=EventType.INTERVIEW,
            occurred_at=provenance.at,
            author=None,
            source=EventSource.PARTNER,
            category=DISCLOSURE,
            summary=received_line(account)[:300],
            details=body.summary,
        )
        stored.append(account)
    if stored:
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return stored


def received_line(account: ChildAccount) -> str:
    """ "Child's account received from ⟨organisation⟩ (node, via): told to ⟨…⟩, ⟨country⟩, ⟨date⟩"."""
    return (
        f"Child's account received from {account.received_from_org_name} "
        f"(node {account.received_from_node}, {account.received_via}): told to "
        f"{account.told_to_org_name}, {account.told_to_country}, {account.interviewed_at:%Y-%m-%d}"
    )
