"""The child's accounts in the exchange (tell it once): which may travel, and what arrives.

An account travels only inside the existing conversations — a referral offer, a case transfer,
an information response — never on a channel of its own, and only when all of this holds:
the recipient is not immigration enforcement (the firewall), the sender may read the account
for the purpose, the child consented to sharing ``disclosure`` with that organisation for that
purpose (a consent on the case, whatever the agreement's lawful basis), and an agreement in
force grants the recipient ``disclosure`` for the purpose. Otherwise nothing is sealed, the
sender is told why (``ActionError`` on the field ``accounts``) and the refusal is audited. The
message itself is then checked as any other (``plumbing.prepare`` / ``answer``) and by the
receiver, whose copy is stored as received accounts with their provenance.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases import accounts as case_accounts
from waymark.cases.models import Case, ChildAccount, Consent
from waymark.core.protocol import messages as m
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.vocab import FORBIDDEN_SECTORS
from waymark.core.protocol.vocab import Purpose as WirePurpose
from waymark.errors import ActionError
from waymark.vocab import AuditDecision, AuditKind, DataCategory, EventType, Sector

from . import guard
from . import plumbing as p
from .models import Thread
from .node import LocalNode
from .timeline import add_event

DISCLOSURE = DataCategory.DISCLOSURE


def body_of(account: ChildAccount, sharing: Consent | None = None) -> m.ChildAccountBody:
    """The account as it travels: the version as recorded where it was told, with its provenance,
    and the consents it rests on in words (the one to share with the recipient, then the one it
    was recorded under)."""
    basis = account.consent_basis
    if sharing is not None:
        basis = f"{case_accounts.describe_consent(sharing)}; recorded under: {basis or 'not stated'}"
    return m.ChildAccountBody(
        original_id=account.original_id,
        lineage=account.lineage,
        version=account.version,
        recorded_at=account.original_recorded_at,
        interviewed_at=account.interviewed_at,
        interviewer=account.interviewer_name,
        told_to_org=account.told_to_org,
        told_to_org_name=account.told_to_org_name,
        told_to_country=account.told_to_country,
        language=account.language,
        interpreter=account.interpreter,
        interpreter_language=account.interpreter_language,
        words=account.words_text,
        summary=account.summary_text[:2000],
        purpose=WirePurpose(account.purpose),
        consent=basis[:1000],
        correction_note=account.correction_note_text,
    )


def _refuse(user: User, case: Case, *, to_org: str, purpose: str, reason: str, text: str) -> ActionError:
    """Audit the refusal to send the child's account, and say why (nothing was sent)."""
    audit.record(
        AuditKind.ACCESS_DECISION,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.DENY,
        reasons=[reason],
        peer_org=to_org,
        subject=case.audit_subject,
        categories=[DISCLOSURE],
        details={"action": "send", "what": "child_account"},
    )
    return ActionError(f"{text}: nothing was sent", field="accounts")


def check_may_travel(
    user: User,
    case: Case,
    ids: Sequence[uuid.UUID],
    *,
    to_org: str,
    purpose: str,
    type: MessageType,
    node: LocalNode | None,
    agreement_id: str = "",
) -> tuple[m.ChildAccountBody, ...]:
    """The bodies of the accounts ``ids`` (the latest versions held on ``case``) if they may go to
    ``to_org`` for ``purpose`` in a ``type`` message; ``ActionError`` (audited) saying why not.
    No accounts chosen: nothing to check, nothing travels."""
    if not ids:
        return ()
    wanted = list(dict.fromkeys(ids))
    found = {a.public_id: a for a in case_accounts.current_accounts(case).filter(public_id__in=wanted)}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise ActionError(
            f"not the latest version of an account of this case: {', '.join(unknown)}", field="accounts"
        )
    ctx = p.context(node)
    from_org = p.require_member(user)
    recipient = ctx.registry.organisation(to_org)
    local = Organisation.objects.filter(slug=to_org).values_list("sector", flat=True).first()
    if (recipient is not None and recipient.sector in FORBIDDEN_SECTORS) or (
        local == Sector.IMMIGRATION_ENFORCEMENT
    ):
        # The firewall: a child's account never goes to immigration enforcement, whatever is asked.
        raise _refuse(
            user,
            case,
            to_org=to_org,
            purpose=purpose,
            reason="firewall-sector",
            text="a child's account is never shared with immigration enforcement",
        )
    p.authorise_sending(user, case, purpose, [DISCLOSURE])
    given = case_accounts.consents_covering(case, to_org, purpose, timezone.localdate(ctx.now))
    if not given:
        raise _refuse(
            user,
            case,
            to_org=to_org,
            purpose=purpose,
            reason="no-consent",
            text=f"the child has not consented to sharing their account (disclosure) with {to_org} "
            f"for {purpose}: record their consent first",
        )
    try:
        guard.choose_agreement(
            ctx.registry,
            from_org=from_org,
            to_org=to_org,
            purpose=purpose,
            categories=[DISCLOSURE],
            type=type,
            now=ctx.now,
            agreement_id=agreement_id,
        )
    except ActionError:
        raise _refuse(
            user,
            case,
            to_org=to_org,
            purpose=purpose,
            reason="not-granted",
            text=f"no agreement in force grants {to_org} the child's account (category disclosure) "
            f"for {purpose}",
        ) from None
    return tuple(body_of(found[i], given[0]) for i in wanted)


def receive(case: Case, accounts: Sequence[Any], thread: Thread, at: dt.datetime) -> list[ChildAccount]:
    """Store the accounts a message of ``thread`` carried (bodies, or their JSON as kept in the
    thread's sealed offer) as received accounts of ``case``, with their provenance. Call inside the
    caller's transaction."""
    bodies = [
        a if isinstance(a, m.ChildAccountBody) else m.ChildAccountBody.model_validate(a) for a in accounts
    ]
    if not bodies:
        return []
    return case_accounts.do_receive_accounts(
        case,
        bodies,
        case_accounts.Provenance(
            org=thread.peer_org,
            org_name=thread.peer_org_name,
            node=thread.peer_node,
            via=thread.kind,
            thread=thread.public_id,
            conversation=thread.conversation_id,
            at=at,
        ),
    )


def offered(offer: dict[str, Any]) -> list[dict[str, Any]]:
    """The accounts an offer as kept (a referral's or a transfer's) carries."""
    found: list[dict[str, Any]] = list(offer.get("accounts") or [])
    return found


def note_shared(
    case: Case, shared: Sequence[m.ChildAccountBody], thread: Thread, *, user: User, at: dt.datetime
) -> None:
    """The sender's timeline says which accounts left, to whom and in which conversation (one
    entry per account; disclosure, so sealed and shown only to those who may read it)."""
    for body in shared:
        add_event(
            case,
            type=EventType.INTERVIEW,
            summary=(
                f"Child's account shared with {thread.peer_org_name} ({thread.kind}): told to "
                f"{body.told_to_org_name or body.told_to_org}, {body.told_to_country}, "
                f"{body.interviewed_at:%Y-%m-%d}"
            ),
            category=DISCLOSURE,
            user=user,
            at=at,
        )
