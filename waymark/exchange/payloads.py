"""What travels: the child, the case, the care plan and the history as the protocol's bodies
describe them, built from the case here; and the child of a received offer as this node
registers them. One place for every payload, whichever conversation carries it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from waymark.accounts.models import User
from waymark.cases import actions as case_actions
from waymark.cases.access import access_case, check_may_register
from waymark.cases.models import CarePlan, Case, Event, NameKind
from waymark.cases.schemas import AliasIn, CaseIn, ChildIn, IdentifierIn, RegisterChildIn
from waymark.core.protocol import messages as m
from waymark.errors import ActionError, NotFound, field_errors
from waymark.vault import service as vault
from waymark.vault.sealed import sealed_field
from waymark.vocab import DataCategory, PolicyAction


def child_summary(case: Case, include: Iterable[str]) -> m.ChildSummary:
    """The child as the referral describes them: identity always, legal status if included."""
    child = case.child
    wanted = set(include)
    fields: dict[str, object] = {
        "given_names": child.given_names,
        "family_name": child.family_name,
        "name_latin": child.name_latin,
        "aliases": tuple(child.names.filter(kind=NameKind.ALIAS).values_list("full_name", flat=True)),
        "sex": child.sex,
        "birth_date": child.birth_date,
        "birth_date_precision": child.birth_date_precision
        if (child.birth_date or child.assessed_age_min is not None)
        else None,
        "assessed_age_min": child.assessed_age_min,
        "assessed_age_max": child.assessed_age_max,
        "languages": tuple(child.languages or ()),
        "is_fictional": child.is_fictional,
    }
    if DataCategory.LEGAL_STATUS in wanted:
        fields["nationality"] = child.nationality
        fields["identifiers"] = tuple(
            m.IdentifierBody(scheme=i.scheme, value=i.value, issued_by=i.issued_by)
            for i in child.identifiers.all()
        )
    return m.ChildSummary.model_validate(fields)


def case_summary(case: Case, include: Iterable[str]) -> m.CaseSummary:
    wanted = set(include)
    fields: dict[str, object] = {}
    if DataCategory.CASE_NOTES in wanted:
        fields.update(
            status=case.status,
            missing_category=case.missing_category or None,
            risk_level=case.risk_level,
            risk_reasons=vault.reveal(case.child, "cases.case.risk_reasons", case.risk_reasons),
        )
    if DataCategory.FAMILY in wanted:
        fields.update(unaccompanied=case.unaccompanied, separated=case.separated)
    return m.CaseSummary.model_validate(fields)


def child_in(offer: dict[str, object], peer_org_name: str) -> ChildIn:
    """The child of an offer (referral or transfer) as this node registers them; ``ActionError``
    if the offer does not fit."""
    child = dict(offer.get("child") or {})  # type: ignore[call-overload]
    try:
        return ChildIn(
            given_names=child.get("given_names", ""),
            family_name=child.get("family_name", ""),
            name_latin=child.get("name_latin", ""),
            aliases=[
                AliasIn(full_name=a, note=f"as given by {peer_org_name}"[:300])
                for a in child.get("aliases", [])
            ],
            sex=child.get("sex", "unknown"),
            birth_date=child.get("birth_date"),
            birth_date_precision=child.get("birth_date_precision") or "exact",
            assessed_age_min=child.get("assessed_age_min"),
            assessed_age_max=child.get("assessed_age_max"),
            nationality=child.get("nationality", ""),
            languages=list(child.get("languages", [])),
            identifiers=[IdentifierIn(**i) for i in child.get("identifiers", [])],
        )
    except ValidationError as exc:
        raise ActionError(field_errors(exc, "child")) from exc


# At most this many timeline entries travel with a transfer (the protocol's limit).
TRANSFER_HISTORY_LIMIT = 500


def check_case_for_offer(
    user: User, *, purpose: str, writes: Iterable[str], existing_case: str, linked: Case | None
) -> Case | None:
    """The case here that an accepted offer (referral or transfer) will land on, once the policy
    allows the user, for ``purpose``, to write ``writes`` to it (audited): the case named by
    ``existing_case``, else the case the conversation is already about if the user's organisation
    holds it; ``None`` when a case is to be registered for the offered child, which the user
    must be allowed to do. ``ActionError`` otherwise — the same for a case that does not exist,
    is another organisation's, or may not be changed (a transferred read-only copy). Call before
    the action's transaction, so that a refusal stays in the audit log."""
    if existing_case:
        found = Case.objects.filter(reference=existing_case, organisation=user.organisation).first()
        if found is None or not _may_write(user, found, purpose, writes):
            raise ActionError(
                f"your organisation holds no case {existing_case} you may update for {purpose}",
                field="existing_case",
            )
        return found
    if linked is not None and linked.organisation_id == user.organisation_id:
        if not _may_write(user, linked, purpose, writes):
            raise ActionError(f"you may not update case {linked.reference} for {purpose}")
        return linked
    if not check_may_register(user, purpose):
        raise ActionError(f"you may not register a child for {purpose}")
    return None


def register_offered(user: User, offer: dict[str, Any], peer_org_name: str) -> Case:
    """Register the offered child here and open their case (after ``check_case_for_offer``)."""
    return case_actions.do_register_child(
        user,
        RegisterChildIn(child=child_in(offer, peer_org_name), case=CaseIn(), confirm_not_duplicate=True),
        fictional=bool((offer.get("child") or {}).get("is_fictional")),
    )


def _may_write(user: User, case: Case, purpose: str, writes: Iterable[str]) -> bool:
    try:
        access_case(user, case.public_id, purpose, action=PolicyAction.UPDATE, categories=writes)
    except NotFound:
        return False
    return True


def history(case: Case, categories: Iterable[str]) -> tuple[m.TimelineEntry, ...]:
    """The case's timeline entries of ``categories``, oldest first (the newest 500 if longer)."""
    wanted = set(categories)
    if not wanted:
        return ()
    events = list(
        Event.objects.filter(case=case, category__in=wanted)
        .select_related("case__child")
        .order_by("-occurred_at", "-id")[:TRANSFER_HISTORY_LIMIT]
    )
    events.reverse()
    return tuple(
        m.TimelineEntry(
            type=e.type,
            occurred_at=e.occurred_at,
            source=e.source,
            category=e.category,
            summary=(e.summary_text or e.get_type_display())[:300],
            details=e.details_text[:20000],
            location=e.location,
        )
        for e in events
    )


def care_plan(case: Case) -> m.CarePlanBody:
    plan = CarePlan.objects.filter(case=case).first()
    if plan is None:
        return m.CarePlanBody()
    child = case.child
    return m.CarePlanBody(
        needs=vault.reveal(child, sealed_field(CarePlan, "needs"), plan.needs),
        objectives=vault.reveal(child, sealed_field(CarePlan, "objectives"), plan.objectives),
        services=vault.reveal(child, sealed_field(CarePlan, "services"), plan.services),
        review_date=plan.review_date,
    )


def guardian(case: Case) -> m.GuardianContact | None:
    guardian = case.guardian
    if guardian is None:
        return None
    return m.GuardianContact(
        name=(guardian.get_full_name() or guardian.username)[:400],
        organisation=guardian.organisation.name[:400] if guardian.organisation else "",
        contact=guardian.email[:400],
    )


def transfer_body(
    case: Case,
    *,
    include: Iterable[str],
    history_of: Iterable[str],
    reason: str,
    accounts: tuple[m.ChildAccountBody, ...] = (),
) -> m.CaseTransfer:
    """What a transfer of ``case`` carries: identity (and ``include``: legal status, guardian),
    the case summary, the care plan, the timeline entries of ``history_of``, the reason, and the
    child's ``accounts`` the sender may share (``child_accounts.check_may_travel``)."""
    wanted = set(include)
    return m.CaseTransfer(
        child=child_summary(case, wanted),
        case=case_summary(case, {DataCategory.CASE_NOTES, DataCategory.FAMILY}),
        care_plan=care_plan(case),
        timeline=history(case, history_of),
        guardian=guardian(case) if DataCategory.GUARDIAN in wanted else None,
        sender_case_reference=case.reference,
        reason=reason,
        accounts=accounts,
    )
