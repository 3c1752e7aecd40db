"""Discovery without disclosure (docs/firewall.md): when a search finds a child held by another
organisation the user may not see, say only "a possible match is held by <organisation>", with a
way to act on it — never the child's data.

One rule for every place that looks for a child (the case search today; registration candidates,
a hotline's call and matching across nodes later): only for the purposes that exist to find
children (locate_missing_child, family_tracing), and only where the caller's organisation and the
holder have an agreement in force that grants the caller's role something for that purpose;
without one, nothing at all. Each organisation shown is audited once per child matched, naming
both organisations (so each side's DPO sees it) and the child by pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, Purpose

from .access import partner_organisations
from .models import Case
from .ranked import rank

DISCOVERY_PURPOSES = frozenset({Purpose.LOCATE_MISSING_CHILD, Purpose.FAMILY_TRACING})
# At most this many children are looked at: the answer is "held by", not a count.
_CAP = 50
_DISCOVERY_MIN = 0.75


@dataclass(frozen=True)
class PossibleMatch:
    """A possible match held by an organisation the user may not see it at: who holds it, nothing else."""

    holder: Organisation


def partners_for(user: User, purpose: str) -> QuerySet[Organisation]:
    """Organisations with an agreement in force with the user's that grants their role anything for
    ``purpose``."""
    org = user.organisation
    if org is None or purpose not in DISCOVERY_PURPOSES:
        return Organisation.objects.none()
    return partner_organisations(user, org, purpose, timezone.now())


def held_elsewhere(user: User, purpose: str, q: str, visible: QuerySet[Case]) -> list[Case]:
    """The children behind ``possible_matches``: for routing a report to their holders (a hotline's
    call), never to be shown to ``user``. Not audited here: the caller audits what it does."""
    if not q.strip():
        return []
    partners = list(partners_for(user, purpose))
    if not partners:
        return []
    held = (
        Case.objects.filter(organisation__in=partners)
        .exclude(status=CaseStatus.TRANSFERRED)
        .exclude(pk__in=visible.values("pk"))
    )
    # Ranked like the user's own search, but only close agreements say "held by": a partner's
    # caseload is not browsed through loose matches.
    return [r.case for r in rank(held, q, limit=_CAP) if r.evidence.name.score >= _DISCOVERY_MIN]


def possible_matches(user: User, purpose: str, q: str, visible: QuerySet[Case]) -> list[PossibleMatch]:
    """The organisations that hold a child matching the name query ``q`` that ``user`` does not see
    in ``visible``; audited. Empty without a name query or a fitting agreement."""
    hits = held_elsewhere(user, purpose, q, visible)
    if not hits:
        return []
    audit.record_many(
        AuditKind.DISCOVERY,
        [
            {
                "actor": user,
                "purpose": purpose,
                "decision": AuditDecision.ALLOW,
                "reasons": ["discovery-without-disclosure"],
                "peer_org": case.organisation.slug,
                "subject": case.audit_subject,
                "details": {"shown": "possible match held by", "holder": case.organisation.slug},
            }
            for case in hits
        ],
    )
    holders = {case.organisation.pk: case.organisation for case in hits}
    return [PossibleMatch(org) for org in sorted(holders.values(), key=lambda o: (o.country, o.name))]
