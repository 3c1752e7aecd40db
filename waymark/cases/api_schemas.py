"""Output schemas of the case API, and the one builder per schema that fills it from the models.

Every response body is built by a ``*_out`` function here, never by ninja reading model
attributes on its own: the firewall's per-field redaction will slot into these builders, and
each builder names exactly the relations it reads (callers select_related them; no N+1).
Outputs carry public UUIDs and references, never database ids; people appear as ``UserRef``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from waymark.accounts.models import User
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import (
    AccountOrigin,
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    IdentifierScheme,
    MissingCategory,
    Purpose,
    RiskLevel,
    Sex,
)

from .models import CarePlan, Case, Child, ChildAccount, ChildName, Consent, Event, Identifier, NameKind


class _Out(BaseModel):
    """Plain pydantic, not ninja's Schema: outputs are built explicitly by the ``*_out``
    functions, so nothing is ever read from a model instance behind the builders' back (and
    ninja's ORM getter is not paid for on every field)."""

    model_config = ConfigDict(frozen=True)


class _Redactable(_Out):
    """An output the firewall may redact: a withheld field is null (or empty) and named here."""

    withheld: dict[str, str] = Field(
        default_factory=dict,
        description="fields not shared with the caller (field path -> why); their values are null",
    )


# ---------------------------------------------------------------------------------------------
# Errors (API-wide; here rather than in waymark/api.py so routers can declare them without a cycle)


class ErrorOut(_Out):
    """Every error response: a summary and messages per field path ("" = the whole input)."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
    duplicates: list[str] | None = Field(
        default=None, description="409 only: references of the probable duplicate cases"
    )


# The refusals every operation documents (a write also 415 and 422), shared by every router.
READ_ANSWERS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ANSWERS: dict[int, Any] = {**READ_ANSWERS, 415: ErrorOut, 422: ErrorOut}


def rules_422(*rules: str) -> dict[str, Any]:
    """An operation's 422 answers in the document: the rules its schema cannot state."""
    lines = "\n".join(f"- {rule}" for rule in rules)
    return {
        "responses": {
            "422": {
                "description": f"A rule the schema cannot state is broken (`errors` names the field):\n{lines}"
            }
        }
    }


# ---------------------------------------------------------------------------------------------
# People


class UserRef(_Out):
    username: str
    display_name: str
    organisation: str | None = Field(description="the organisation's federation identifier (slug)")


def user_ref(user: User | None) -> UserRef | None:
    """Needs ``user.organisation`` (select_related it, or accept one query per distinct user)."""
    if user is None:
        return None
    org = user.organisation
    return UserRef(
        username=user.get_username(),
        display_name=user.display_name or user.get_username(),
        organisation=org.slug if org is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Child


class ChildNameOut(_Out):
    kind: NameKind = Field(description="primary (as given), alias, or transliteration (other spelling)")
    full_name: str
    note: str


class IdentifierOut(_Out):
    scheme: IdentifierScheme
    value: str
    issued_by: str


class ChildSummaryOut(_Redactable):
    public_id: uuid.UUID
    given_names: str | None
    family_name: str | None
    name_latin: str | None
    sex: Sex | None
    birth_date: dt.date | None
    birth_date_precision: DatePrecision | None
    nationality: str | None


class ChildOut(ChildSummaryOut):
    assessed_age_min: int | None
    assessed_age_max: int | None
    assessed_on: dt.date | None
    languages: list[str] | None
    has_photo: bool | None
    names: list[ChildNameOut] = Field(description="every name the child is known by, with its kind")
    identifiers: list[IdentifierOut]


def child_summary_out(child: Child) -> ChildSummaryOut:
    return ChildSummaryOut(
        public_id=child.public_id,
        given_names=child.given_names,
        family_name=child.family_name,
        name_latin=child.name_latin,
        sex=Sex(child.sex),
        birth_date=child.birth_date,
        birth_date_precision=DatePrecision(child.birth_date_precision),
        nationality=child.nationality,
    )


def child_out(child: Child) -> ChildOut:
    """Reads ``child.names`` and ``child.identifiers`` (two queries unless prefetched)."""
    names: list[ChildName] = list(child.names.all())
    identifiers: list[Identifier] = list(child.identifiers.all())
    return ChildOut(
        **child_summary_out(child).model_dump(),
        assessed_age_min=child.assessed_age_min,
        assessed_age_max=child.assessed_age_max,
        assessed_on=child.assessed_on,
        languages=list(child.languages or []),
        has_photo=bool(child.photo),
        names=[ChildNameOut(kind=NameKind(n.kind), full_name=n.full_name, note=n.note) for n in names],
        identifiers=[
            IdentifierOut(scheme=IdentifierScheme(i.scheme), value=i.value, issued_by=i.issued_by)
            for i in identifiers
        ],
    )


# ---------------------------------------------------------------------------------------------
# Care plan


class CarePlanOut(_Redactable):
    needs: str | None
    objectives: str | None
    services: str | None
    responsible: UserRef | None
    review_date: dt.date | None
    updated_at: dt.datetime
    updated_by: UserRef | None


def care_plan_out(plan: CarePlan) -> CarePlanOut:
    return CarePlanOut(
        needs=plan.needs_text,
        objectives=plan.objectives_text,
        services=plan.services_text,
        responsible=user_ref(plan.responsible),
        review_date=plan.review_date,
        updated_at=plan.updated_at,
        updated_by=user_ref(plan.updated_by),
    )


def care_plan_of(case: Case) -> CarePlan | None:
    """The case's care plan, or ``None`` for a case registered before care plans existed."""
    try:
        return case.care_plan
    except CarePlan.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Case


class CaseSummaryOut(_Redactable):
    public_id: uuid.UUID
    reference: str
    organisation: str = Field(description="the organisation holding the case (slug)")
    status: CaseStatus | None
    missing_category: MissingCategory | None
    risk_level: RiskLevel | None
    opened_at: dt.datetime
    updated_at: dt.datetime
    child: ChildSummaryOut


class CaseDetailOut(CaseSummaryOut):
    child: ChildOut
    unaccompanied: bool | None
    separated: bool | None
    risk_reasons: str | None
    caseworker: UserRef | None
    guardian: UserRef | None
    closed_at: dt.datetime | None
    care_plan: CarePlanOut | None
    review_clock: ClockOut | None = Field(
        description="the care plan's review date as a clock, as at the response"
    )
    guardian_clock: ClockOut | None = Field(
        default=None,
        description="an unaccompanied child's guardian appointment as a clock, from registration "
        "to appointment, within the limit of the organisation's country; null for an accompanied "
        "child or a guardian recorded without an appointment time",
    )
    guardian_escalated_at: dt.datetime | None = Field(
        default=None, description="when an overdue appointment was escalated to the supervisors"
    )


class AwaitingGuardianOut(_Redactable):
    """An unaccompanied child still without a guardian: the appointment's clock."""

    case: CaseSummaryOut
    guardian_clock: ClockOut | None
    guardian_escalated_at: dt.datetime | None


class CasePage(_Out):
    count: int = Field(description="how many cases match, over all pages (at most 1,000: see count_capped)")
    count_capped: bool = Field(
        default=False, description="true when more than `count` cases match: narrow the search"
    )
    items: list[CaseSummaryOut]


def _case_fields(case: Case) -> dict[str, Any]:
    return {
        "public_id": case.public_id,
        "reference": case.reference,
        "organisation": case.organisation.slug,
        "status": CaseStatus(case.status),
        "missing_category": MissingCategory(case.missing_category) if case.missing_category else None,
        "risk_level": RiskLevel(case.risk_level),
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
    }


def case_summary_out(case: Case) -> CaseSummaryOut:
    """Reads ``case.child`` and ``case.organisation``: select_related both."""
    return CaseSummaryOut(**_case_fields(case), child=child_summary_out(case.child))


def case_detail_out(case: Case) -> CaseDetailOut:
    plan = care_plan_of(case)
    return CaseDetailOut(
        **_case_fields(case),
        child=child_out(case.child),
        unaccompanied=case.unaccompanied,
        separated=case.separated,
        risk_reasons=case.risk_reasons_text,
        caseworker=user_ref(case.caseworker),
        guardian=user_ref(case.guardian),
        closed_at=case.closed_at,
        care_plan=care_plan_out(plan) if plan is not None else None,
        review_clock=_review_clock_out(plan),
        **_guardian_clock_fields(case),
    )


def _guardian_clock_fields(case: Case) -> dict[str, Any]:
    """Reads ``case.organisation`` (its country sets the limit)."""
    clock = case.guardian_clock
    return {
        "guardian_clock": clock_out(clock, timezone.now()) if clock is not None else None,
        "guardian_escalated_at": case.guardian_escalated_at,
    }


def awaiting_guardian_out(case: Case) -> AwaitingGuardianOut:
    """Reads ``case.child`` and ``case.organisation``: select_related both."""
    return AwaitingGuardianOut(case=case_summary_out(case), **_guardian_clock_fields(case))


def _review_clock_out(plan: CarePlan | None) -> ClockOut | None:
    clock = plan.review_clock if plan is not None else None
    return clock_out(clock, timezone.now()) if clock is not None else None


# ---------------------------------------------------------------------------------------------
# Timeline


class EventOut(_Redactable):
    public_id: uuid.UUID
    type: EventType
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    author: UserRef | None
    organisation: str | None = Field(description="the author's organisation when it was recorded (slug)")
    source: EventSource
    category: DataCategory = Field(description="data category of the summary and details")
    summary: str | None
    details: str | None
    location: str | None


class EventPage(_Out):
    count: int
    items: list[EventOut]


def event_out(event: Event) -> EventOut:
    """Reads ``author``, ``author.organisation``, ``author_org`` and ``case.child`` (to open the
    sealed text): select_related them, or read events through ``case.events``."""
    return EventOut(
        public_id=event.public_id,
        type=EventType(event.type),
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        author=user_ref(event.author),
        organisation=event.author_org.slug if event.author_org is not None else None,
        source=EventSource(event.source),
        category=DataCategory(event.category),
        summary=event.summary_text,
        details=event.details_text,
        location=event.location,
    )


# ---------------------------------------------------------------------------------------------
# Consent


class ConsentOut(_Redactable):
    id: int = Field(description="the consent's number, for withdrawConsent")
    recipient_org: str
    recipient_name: str
    purpose: Purpose
    categories: list[DataCategory]
    valid_from: dt.date
    valid_until: dt.date | None
    childs_views: str | None
    given_by: str
    recorded_by: UserRef | None
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class ConsentList(_Out):
    count: int
    items: list[ConsentOut]


def consent_out(consent: Consent) -> ConsentOut:
    """Reads ``recorded_by`` and its organisation: select_related them."""
    return ConsentOut(
        id=consent.pk,
        recipient_org=consent.recipient_org,
        recipient_name=consent.recipient_name,
        purpose=Purpose(consent.purpose),
        categories=[DataCategory(c) for c in consent.categories],
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        childs_views=consent.childs_views_text,
        given_by=consent.given_by,
        recorded_by=user_ref(consent.recorded_by),
        recorded_at=consent.recorded_at,
        withdrawn_at=consent.withdrawn_at,
    )


# ---------------------------------------------------------------------------------------------
# The child's accounts (tell it once)


class AccountProvenanceOut(_Out):
    """Where a received account came from: the organisation, its node, the conversation."""

    organisation: str = Field(description="the sending organisation (slug)")
    organisation_name: str
    node: str
    via: str = Field(description="the conversation kind that carried it: referral, transfer, info_request")
    thread: uuid.UUID | None
    conversation: str
    received_at: dt.datetime | None


class AccountOut(_Out):
    """One version of the child's account. Only shown to a caller the policy lets read
    ``disclosure`` for their purpose (else listAccounts answers 403, like the care plan)."""

    public_id: uuid.UUID
    lineage: uuid.UUID = Field(description="the account across its versions and nodes")
    version: int
    current: bool = Field(description="false once a later version corrects it (the earlier is kept)")
    corrects: uuid.UUID | None = Field(description="the version this one corrects")
    correction_note: str
    origin: AccountOrigin
    category: DataCategory = DataCategory.DISCLOSURE
    purpose: Purpose
    interviewed_at: dt.datetime
    interviewer_name: str
    told_to_org: str
    told_to_org_name: str
    told_to_country: str
    language: str
    interpreter: bool
    interpreter_language: str
    words: str = Field(description="the account in the child's own words")
    summary: str
    consent: int | None = Field(description="the consent it rests on (its number), when recorded here")
    consent_basis: str
    original_id: uuid.UUID
    original_recorded_at: dt.datetime
    received_from: AccountProvenanceOut | None
    recorded_by: UserRef | None
    recorded_at: dt.datetime


class AccountList(_Out):
    count: int
    items: list[AccountOut]


def account_out(account: ChildAccount) -> AccountOut:
    """Reads ``case.child`` (to open the sealed text), ``supersedes``, ``corrected_by`` and
    ``recorded_by.organisation``: read accounts through ``cases.accounts.accounts_of``."""
    received = None
    if account.origin == AccountOrigin.RECEIVED:
        received = AccountProvenanceOut(
            organisation=account.received_from_org,
            organisation_name=account.received_from_org_name,
            node=account.received_from_node,
            via=account.received_via,
            thread=account.received_thread,
            conversation=account.received_conversation,
            received_at=account.received_at,
        )
    supersedes = account.supersedes
    return AccountOut(
        public_id=account.public_id,
        lineage=account.lineage,
        version=account.version,
        current=account.is_current,
        corrects=supersedes.public_id if supersedes is not None else None,
        correction_note=account.correction_note_text,
        origin=AccountOrigin(account.origin),
        purpose=Purpose(account.purpose),
        interviewed_at=account.interviewed_at,
        interviewer_name=account.interviewer_name,
        told_to_org=account.told_to_org,
        told_to_org_name=account.told_to_org_name,
        told_to_country=account.told_to_country,
        language=account.language,
        interpreter=account.interpreter,
        interpreter_language=account.interpreter_language,
        words=account.words_text,
        summary=account.summary_text,
        consent=account.consent_id,
        consent_basis=account.consent_basis,
        original_id=account.original_id,
        original_recorded_at=account.original_recorded_at,
        received_from=received,
        recorded_by=user_ref(account.recorded_by),
        recorded_at=account.recorded_at,
    )
