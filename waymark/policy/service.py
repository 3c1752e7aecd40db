"""The authorisation service: the ONE place Waymark decides who may see or change child data.

Every access to a case's data is a question "may this user do ACTION on CATEGORY of this case
for PURPOSE, now?", answered by the Cedar policies in ``cedar/`` (docs/firewall.md). Callers
never evaluate policies or agreements themselves.

How to use it (views, API, exchange, exports)::

    from waymark.policy import service
    from waymark.vocab import DataCategory as C, Purpose, PolicyAction

    decisions = service.authorize(request.user, case, purpose=Purpose.LOCATE_MISSING_CHILD,
                                  categories=[C.IDENTITY, C.PHOTO], action=PolicyAction.READ)
    if decisions[C.PHOTO].allowed: ...            # else show a visible "withheld" marker
    # every Decision (allow AND deny) goes to the audit log: decision.reasons, .agreement_id,
    # .purpose, .category, .action — this module writes nothing itself.

    # list views: one batch for the whole page
    by_case = service.authorize_cases(user, page_of_cases, purpose=..., categories=[C.IDENTITY])
    by_case[case.pk][C.IDENTITY].allowed

    service.permitted_categories(user, case, purpose=..., action="read")  # frozenset of categories
    service.explain(user, case, purpose, category, action)                # Decision with .explanation

    # facts level (no database), e.g. for a principal on another node (exchange/guard.py):
    service.evaluate(subject, resources, agreements, purpose=..., categories=..., action=..., now=...)
    #   -> [{category: Decision}] aligned with resources; facts are facts.Subject/Resource/AgreementFacts

Contracts:

- ``purpose``, ``categories`` and ``action`` must be values of ``vocab.Purpose``,
  ``vocab.DataCategory`` and ``vocab.PolicyAction``; anything else raises ``ValueError`` (a
  programming error: validate user input at the edge first).
- Deny by default. An inactive user, or one without an organisation or a role, is refused
  without asking Cedar (reasons ``deny-inactive-user``, ``deny-no-organisation``,
  ``deny-no-role``). A refusal no policy explains has the reason ``default-deny``. Any Cedar
  evaluation error refuses (``deny-evaluation-error``, details in ``errors``): fail closed.
- ``Decision.reasons`` are the ``@id``s of the deciding Cedar policies: the permits that
  allowed, or the forbids that refused. ``agreement_id`` is the identifier of the agreement
  under which a cross-organisation access was allowed (None otherwise).
- A case is anything shaped like one (``CaseLike``: ``cases.models.Case`` is one): its owning
  organisation is ``case.organisation``; its guardian is ``case.guardian_id``.
  Pass cases with ``select_related("organisation")`` to keep list views to one query for the
  registry revision (and none at all when every case belongs to the user's organisation).
- Agreements come from the registry cache, refreshed on the first decision after any change
  to an agreement, its parties or grants (``models.RegistryRevision``).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cedarpy
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.vocab import AgreementStatus, CaseStatus, DataCategory, PolicyAction, Purpose

from . import engine
from .facts import AgreementFacts, GrantFacts, Resource, Subject
from .models import Agreement, SharedContext, current_revision

DEFAULT_DENY = "default-deny"
EVALUATION_ERROR = "deny-evaluation-error"
_PURPOSES = frozenset(Purpose.values)
_CATEGORIES = frozenset(DataCategory.values)
_ACTIONS = frozenset(PolicyAction.values)


class CaseLike(Protocol):
    """What the service reads of a case (``cases.models.Case`` is one): which row it is, who holds
    it, its guardian and whether it is a transferred copy. Unsaved probes with a negative ``pk``
    stand for "a case of this organisation"."""

    @property
    def pk(self) -> Any: ...

    @property
    def public_id(self) -> uuid.UUID: ...

    @property
    def reference(self) -> str: ...

    @property
    def organisation(self) -> Organisation: ...

    @property
    def guardian_id(self) -> int | None: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Decision:
    """The answer for one category; everything the audit entry needs."""

    allowed: bool
    category: str
    purpose: str
    action: str
    reasons: list[str]
    errors: list[str] = field(default_factory=list)
    agreement_id: str | None = None
    explanation: str = ""


# --- the pure core: facts in, decisions out ---------------------------------------------------


def _check_vocab(purpose: str, categories: Sequence[str], action: str) -> None:
    if purpose not in _PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if action not in _ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    unknown = [c for c in categories if c not in _CATEGORIES]
    if unknown:
        raise ValueError(f"unknown data categories {unknown!r}")


def candidates(
    subject: Subject, resource: Resource, agreements: Iterable[AgreementFacts]
) -> list[AgreementFacts]:
    """Agreements that bind the user's organisation and the case's (any status, any dates:
    Cedar checks those). Same-organisation access never involves an agreement."""
    return sorted((a for a in agreements if a.binds(subject.org, resource.org)), key=lambda a: a.identifier)


def evaluate(
    subject: Subject,
    resources: Sequence[Resource],
    agreements: Iterable[AgreementFacts],
    *,
    purpose: str,
    categories: Sequence[str],
    action: str,
    now: dt.datetime,
) -> list[dict[str, Decision]]:
    """Decide every (resource, category), in one Cedar batch; results align with ``resources``.

    With several candidate agreements, the request is asked once per agreement (Cedar has no
    "exists" over a set); access is allowed if any of them allows it.
    """
    _check_vocab(purpose, categories, action)
    eng = engine.get_engine()
    agreements = tuple(agreements)
    per_resource = [candidates(subject, r, agreements) for r in resources]
    used = tuple(sorted({a for cs in per_resource for a in cs}, key=lambda a: a.identifier))
    ents = engine.entities(subject, tuple(resources), used)
    now_value = engine.cedar_datetime(now)

    requests: list[dict[str, object]] = []
    slots: list[tuple[int, str, str | None]] = []  # (resource index, category, agreement id)
    for i, (resource, cands) in enumerate(zip(resources, per_resource, strict=True)):
        ids: list[str | None] = [a.identifier for a in cands] or [None]
        for category in categories:
            for agreement_id in ids:
                requests.append(
                    engine.request(
                        subject,
                        resource,
                        action=action,
                        purpose=purpose,
                        category=category,
                        now=now_value,
                        agreement=agreement_id,
                    )
                )
                slots.append((i, category, agreement_id))
    results = cedarpy.is_authorized_batch(requests, eng.policies, ents, eng.schema) if requests else []

    grouped: list[dict[str, list[tuple[str | None, cedarpy.AuthzResult]]]] = [{} for _ in resources]
    for (i, category, agreement_id), result in zip(slots, results, strict=True):
        grouped[i].setdefault(category, []).append((agreement_id, result))
    return [
        {category: _combine(answers, category, purpose, action) for category, answers in by_cat.items()}
        for by_cat in grouped
    ]


def _combine(
    answers: list[tuple[str | None, cedarpy.AuthzResult]], category: str, purpose: str, action: str
) -> Decision:
    errors: list[str] = []
    for _, result in answers:
        errors += [str(e) for e in result.diagnostics.errors]
    if errors:
        # Fail closed: Cedar skips a policy whose evaluation errors, and a skipped forbid would
        # be a hole in the firewall. (The schema and the property tests keep this from happening.)
        return Decision(False, category, purpose, action, [EVALUATION_ERROR], errors)
    for agreement_id, result in answers:
        if result.allowed:
            reasons = sorted(result.diagnostics.reasons)
            via = agreement_id if any(r.startswith("agreement-") for r in reasons) else None
            return Decision(True, category, purpose, action, reasons, errors, via)
    reasons = sorted({r for _, result in answers for r in result.diagnostics.reasons}) or [DEFAULT_DENY]
    return Decision(False, category, purpose, action, reasons, errors)


# --- from the database to facts ----------------------------------------------------------------


def subject_of(user: User) -> Subject | str:
    """The user as facts, or the reason they are refused before any policy is asked."""
    if not user.is_authenticated or not user.is_active:
        return "deny-inactive-user"
    org = user.organisation
    if org is None:
        return "deny-no-organisation"
    if not user.role:
        return "deny-no-role"
    return Subject(str(user.pk), org.slug, org.sector, org.country, user.role)


def resource_of(
    case: CaseLike,
    shared: frozenset[tuple[str, str]] = frozenset(),
    consents: frozenset[tuple[str, str, str]] = frozenset(),
) -> Resource:
    org = case.organisation
    guardian = str(case.guardian_id) if case.guardian_id is not None else None
    return Resource(
        str(case.public_id),
        org.slug,
        org.sector,
        org.country,
        guardian,
        transferred=case.status == CaseStatus.TRANSFERRED,
        missing=case.status == CaseStatus.MISSING,
        shared=shared,
        consents=consents,
    )


# The child's consents live with the case (cases.models.Consent), above this app: the cases app
# registers how to read them (one query for a batch) when it is ready.
ConsentLoader = Callable[[Sequence[Any], str, dt.date], dict[Any, frozenset[tuple[str, str, str]]]]
_consent_loader: ConsentLoader | None = None


def register_consent_loader(loader: ConsentLoader) -> None:
    global _consent_loader
    _consent_loader = loader


def valid_consents(
    cases: Sequence[CaseLike], partner: str, day: dt.date
) -> dict[Any, frozenset[tuple[str, str, str]]]:
    """The consents in force on ``day`` for sharing each case with ``partner`` (one query):
    ``{case.pk: {(partner, purpose, category), ...}}``. Without a loader, none: fail closed."""
    pks = [c for c in cases if isinstance(c.pk, int) and c.pk > 0]
    if not pks or _consent_loader is None:
        return {}
    return _consent_loader(pks, partner, day)


def shared_contexts(cases: Sequence[CaseLike], partner: str) -> dict[Any, frozenset[tuple[str, str]]]:
    """The open need-to-know contexts ``partner`` shares about each case (one query):
    ``{case.pk: {(partner, purpose), ...}}``; cases with none are left out. Unsaved probes
    (negative ``pk``) have none."""
    pks = [c.pk for c in cases if isinstance(c.pk, int) and c.pk > 0]
    if not pks:
        return {}
    found: dict[Any, set[tuple[str, str]]] = {}
    rows = SharedContext.objects.filter(case_id__in=pks, partner=partner, closed_at__isnull=True)
    for case_id, purpose in rows.values_list("case_id", "purpose"):
        found.setdefault(case_id, set()).add((partner, purpose))
    return {pk: frozenset(v) for pk, v in found.items()}


@dataclass(frozen=True)
class _Registry:
    revision: tuple[int, ...]
    agreements: tuple[AgreementFacts, ...]


_registry: _Registry | None = None
_registry_lock = threading.Lock()


def registry_agreements() -> tuple[AgreementFacts, ...]:
    """Every agreement of the registry as facts; one query when nothing changed since last time."""
    global _registry
    revision = current_revision()
    cached = _registry
    if cached is not None and cached.revision == revision:
        return cached.agreements
    with _registry_lock:
        rows = Agreement.objects.prefetch_related("parties", "grants__organisation")
        facts = tuple(
            AgreementFacts(
                identifier=a.identifier,
                status=a.status,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                requires_consent=a.requires_consent,
                parties=frozenset(p.slug for p in a.parties.all()),
                grants=frozenset(
                    GrantFacts(g.organisation.slug, g.role, g.category, g.purpose, g.action)
                    for g in a.grants.all()
                ),
            )
            for a in rows
        )
        _registry = _Registry(revision, facts)
    return facts


def _refused(reason: str, purpose: str, categories: Sequence[str], action: str) -> dict[str, Decision]:
    return {c: Decision(False, c, purpose, action, [reason]) for c in categories}


# --- the API ----------------------------------------------------------------------------------


def authorize_cases(
    user: User,
    cases: Sequence[CaseLike],
    *,
    purpose: str,
    categories: Iterable[str],
    action: str = PolicyAction.READ,
    now: dt.datetime | None = None,
    shared: Mapping[Any, frozenset[tuple[str, str]]] | None = None,
) -> dict[int, dict[str, Decision]]:
    """Decide every category of every case in one batch: ``{case.pk: {category: Decision}}``.

    The need-to-know contexts of other organisations' cases come from the database in one query
    (``shared_contexts``); ``shared`` gives them instead, for unsaved probes ("a case of that
    organisation we share a context about")."""
    categories = list(dict.fromkeys(str(c) for c in categories))
    purpose, action = str(purpose), str(action)
    _check_vocab(purpose, categories, action)
    subject = subject_of(user)
    if isinstance(subject, str):
        return {case.pk: _refused(subject, purpose, categories, action) for case in cases}
    foreign = [c for c in cases if c.organisation.slug != subject.org]
    if shared is None:
        shared = shared_contexts(foreign, subject.org) if foreign else {}
    now = now or timezone.now()
    agreements = registry_agreements() if foreign else ()
    # Consents are read only when an agreement of the user's organisation rests on them.
    consents = (
        valid_consents(foreign, subject.org, timezone.localdate(now))
        if any(a.requires_consent and subject.org in a.parties for a in agreements)
        else {}
    )
    resources = [
        resource_of(case, shared.get(case.pk, frozenset()), consents.get(case.pk, frozenset()))
        for case in cases
    ]
    decided = evaluate(
        subject,
        resources,
        agreements,
        purpose=purpose,
        categories=categories,
        action=action,
        now=now,
    )
    return {case.pk: d for case, d in zip(cases, decided, strict=True)}


def authorize(
    user: User,
    case: CaseLike,
    *,
    purpose: str,
    categories: Iterable[str],
    action: str = PolicyAction.READ,
    now: dt.datetime | None = None,
) -> dict[str, Decision]:
    """Decide each category of one case: ``{category: Decision}``."""
    return authorize_cases(user, [case], purpose=purpose, categories=categories, action=action, now=now)[
        case.pk
    ]


def permitted_categories(
    user: User,
    case: CaseLike,
    *,
    purpose: str,
    action: str = PolicyAction.READ,
    now: dt.datetime | None = None,
) -> frozenset[str]:
    """The categories of this case the user may see (or change) for this purpose."""
    decided = authorize(user, case, purpose=purpose, categories=DataCategory.values, action=action, now=now)
    return frozenset(c for c, d in decided.items() if d.allowed)


def explain(
    user: User,
    case: CaseLike,
    purpose: str,
    category: str,
    action: str = PolicyAction.READ,
    now: dt.datetime | None = None,
) -> Decision:
    """One decision with a plain-language ``explanation`` for a DPO or an administrator."""
    now = now or timezone.now()
    decision = authorize(user, case, purpose=purpose, categories=[category], action=action, now=now)[
        str(category)
    ]
    subject = subject_of(user)
    lines = [_headline(user, case, decision)]
    info = engine.get_engine().info
    for reason in decision.reasons:
        if reason in info:
            verb = "permitted by" if info[reason].effect == "permit" else "refused by"
            lines.append(f"- {verb} policy '{reason}' ({info[reason].file}): {info[reason].description}")
    if decision.agreement_id:
        agreement = next(a for a in registry_agreements() if a.identifier == decision.agreement_id)
        lines.append(f"- under agreement '{agreement.identifier}': {_validity(agreement)}")
    if isinstance(subject, str):
        lines.append(f"- refused before any policy was asked: {_PRE_CEDAR[subject]}")
    elif decision.reasons == [DEFAULT_DENY]:
        lines.append("- no policy permits it (deny by default):")
        shared = shared_contexts([case], subject.org).get(case.pk, frozenset())
        consented = valid_consents([case], subject.org, timezone.localdate(now)).get(case.pk, frozenset())
        resource = resource_of(case, shared, consented)
        lines += [f"  - {why}" for why in _why_not(subject, resource, decision, now)]
    for error in decision.errors:
        lines.append(f"- evaluation error: {error}")
    return Decision(
        decision.allowed,
        decision.category,
        decision.purpose,
        decision.action,
        decision.reasons,
        decision.errors,
        decision.agreement_id,
        "\n".join(lines),
    )


_PRE_CEDAR = {
    "deny-inactive-user": "the account is not active",
    "deny-no-organisation": "the account belongs to no organisation",
    "deny-no-role": "the account has no role",
}


def _headline(user: User, case: CaseLike, d: Decision) -> str:
    org = user.organisation.slug if user.organisation else "no organisation"
    verdict = "ALLOW" if d.allowed else "DENY"
    return (
        f"{verdict}: {user.get_username()} ({user.role or 'no role'}, {org}) {d.action} {d.category} "
        f"of case {case.reference or case.public_id} ({case.organisation.slug}) for {d.purpose}"
    )


def _validity(a: AgreementFacts) -> str:
    return f"{a.status}, valid from {a.valid_from.isoformat()} until {a.valid_until.isoformat()}"


def _why_not(subject: Subject, resource: Resource, d: Decision, now: dt.datetime) -> list[str]:
    """Plain-language reasons no permit matched (descriptive only: Cedar has already decided)."""
    out: list[str] = []
    if subject.org == resource.org:
        out.append(
            f"the case belongs to the user's own organisation, but no rule lets a {subject.role} "
            f"{d.action} {d.category} for {d.purpose}"
        )
        return out
    out.append(f"the case belongs to another organisation ({resource.org})")
    if resource.guardian == subject.uid:
        out.append(
            "the user is the child's guardian, which covers child_protection and best_interests_assessment only"
        )
    binding = candidates(subject, resource, registry_agreements())
    if not binding:
        out.append(f"no cooperation agreement binds {subject.org} and {resource.org}")
    wanted = GrantFacts(subject.org, subject.role, d.category, d.purpose, d.action)
    for a in binding:
        if a.status != AgreementStatus.ACTIVE:
            out.append(f"agreement '{a.identifier}' is {a.status}, not active")
        elif not (a.valid_from <= now < a.valid_until):
            out.append(f"agreement '{a.identifier}' is not in date ({_validity(a)}; now {now.isoformat()})")
        elif wanted not in a.grants:
            out.append(f"agreement '{a.identifier}' has no grant '{wanted.describe()}'")
        elif (subject.org, d.purpose) not in resource.shared:
            out.append(
                f"agreement '{a.identifier}' grants it, but {subject.org} shares no context about this "
                f"child for {d.purpose} (no referral, transfer, information request or alert between "
                "the two organisations about this child, no accepted match): need to know"
            )
        elif d.purpose == Purpose.LOCATE_MISSING_CHILD and not resource.missing:
            out.append(
                f"agreement '{a.identifier}' grants it, but the child is not missing: "
                "locate_missing_child fits a case only while a disappearance is open"
            )
        elif a.requires_consent and (subject.org, d.purpose, d.category) not in resource.consents:
            out.append(
                f"agreement '{a.identifier}' rests on the child's consent, and no consent to {subject.org} "
                f"for {d.purpose} covering {d.category} is recorded, in date and not withdrawn"
            )
    return out
