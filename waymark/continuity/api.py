"""API operations of the continuity app: a case's take-charge requests with their deadlines and
flags as at the response, its age assessments and its best-interests assessments and
determinations. Through the case's own authorisation (``access_case``, audited): a read shows
only the sections the policy opens to the caller; a write needs ``update`` on every category it
writes, else the same 404 as a case that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import BaseModel, ConfigDict, Field

from waymark.cases import access
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422
from waymark.cases.redaction import Withheld
from waymark.core.deadlines import LOUD, Notice, Step
from waymark.errors import NotFound
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .models import (
    AgeAssessment,
    AgeAssessmentChallenge,
    BestInterests,
    BestInterestsKind,
    BestInterestsStatus,
    ChallengeOutcome,
    DurableSolution,
    TakeChargeRequest,
    TakeChargeWarning,
)
from .reviews import review_clock
from .schemas import AgeAssessmentIn, BestInterestsIn, ChallengeIn, ChallengeOutcomeIn, TakeChargeIn

router = Router(tags=["continuity"])


class DeadlineOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: Step
    article: str = Field(description="the article the period comes from, e.g. Art. 22(1)")
    period: str = Field(description="e.g. 2 months")
    verified: bool = Field(description="false: the figure was not verified against the Regulation's text")
    last_day: dt.date
    clock: ClockOut
    notice: Notice
    loud: bool = Field(description="a tacit acceptance, a missed deadline or a late step")


class WarningOut(BaseModel):
    """Something wrong with a record that does not make it invalid: it was kept all the same."""

    model_config = ConfigDict(frozen=True)

    code: TakeChargeWarning
    message: str


class TakeChargeOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    requested_country: str
    basis: str
    regime: str = Field(description="dublin_iii or ammr, from the application's registration date")
    best_interests: str | None = Field(
        description="the public id of the best-interests assessment the request rests on"
    )
    relative: str | None = Field(
        description="the family-tracing result the request rests on: the public id of the child's "
        "relative whose family link is confirmed (GET /cases/{public_id}/relatives)"
    )
    deadlines: list[DeadlineOut]
    warnings: list[WarningOut] = Field(
        description="e.g. no_best_interests: recorded without an approved best-interests assessment"
    )


@router.get(
    "/{public_id}/take-charge-requests",
    response={200: list[TakeChargeOut], **_READ},
    summary="Dublin III / AMMR take-charge requests and their deadlines",
    operation_id="listTakeChargeRequests",
)
def list_take_charge_requests(request: HttpRequest, public_id: str) -> list[TakeChargeOut]:
    caller = api_caller(request)
    seen = access.access_case(caller.user, public_id, caller.purpose)
    if not seen.can(DataCategory.LEGAL_STATUS):
        raise Withheld(seen.withheld_note(DataCategory.LEGAL_STATUS))
    now = timezone.now()
    found = TakeChargeRequest.objects.filter(case=seen.case).select_related("best_interests", "relative")
    return [_take_charge_out(tcr, now) for tcr in found]


def _take_charge_out(tcr: TakeChargeRequest, now: dt.datetime) -> TakeChargeOut:
    plan = tcr.schedule(now)
    return TakeChargeOut(
        public_id=str(tcr.public_id),
        requested_country=tcr.requested_country,
        basis=tcr.basis,
        regime=plan.regime.id,
        best_interests=str(tcr.best_interests.public_id) if tcr.best_interests else None,
        relative=str(tcr.relative.public_id) if tcr.relative else None,
        warnings=[WarningOut(code=w, message=str(w.label)) for w in tcr.warnings()],
        deadlines=[
            DeadlineOut(
                step=d.rule.step,
                article=d.rule.article,
                period=str(d.period),
                verified=d.verified,
                last_day=d.last_day,
                clock=clock_out(d.clock, now),
                notice=notice,
                loud=notice in LOUD,
            )
            for d in plan.deadlines
            for notice in [d.notice(now)]
        ],
    )


def _write(caller: ApiCaller, public_id: str, *categories: str) -> access.CaseAccess:
    """The case if the caller may change every one of ``categories``, else a 404. Audited."""
    return access.access_case(
        caller.user, public_id, caller.purpose, action=PolicyAction.UPDATE, categories=categories
    )


@router.post(
    "/{public_id}/take-charge-requests",
    response={201: TakeChargeOut, **_WRITE},
    summary="Record a Dublin III / AMMR take-charge request",
    operation_id="recordTakeChargeRequest",
    openapi_extra=rules_422(
        "`requested_country`: an ISO 3166-1 alpha-2 code of another country",
        "the dates in their order: registration, request, reply, transfer",
        "`replied_at` when `accepted` is given; `request_sent_at` when `replied_at` is",
        "`urgent_reply_days`: at least a week (Dublin III Art. 21(2))",
        "`best_interests`: a best-interests assessment of this child",
        "`relative`: a relative of this child whose family link is confirmed",
    ),
)
def record_take_charge_request(
    request: HttpRequest, public_id: str, payload: TakeChargeIn
) -> Status[TakeChargeOut]:
    """Recorded even without an approved best-interests assessment behind it: the answer then
    carries a warning (``warnings``, code ``no_best_interests``), as the case page does."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.LEGAL_STATUS)
    recorded = actions.do_record_take_charge(caller.user, seen.case, payload)
    return Status(201, _take_charge_out(recorded, timezone.now()))


# ---------------------------------------------------------------------------------------------
# Age assessments


class AgeAssessmentOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    country: str
    organisation: str
    methods: list[str]
    assessors: str
    assessed_on: dt.date
    age_min: Decimal
    age_max: Decimal
    margin: Decimal
    governing_age: Decimal = Field(description="the lower bound less the margin: it governs")
    is_child: bool
    child_informed: bool
    informed_language: str


def _age_out(a: AgeAssessment) -> AgeAssessmentOut:
    return AgeAssessmentOut(
        public_id=str(a.public_id),
        country=a.country,
        organisation=a.organisation.name,
        methods=list(a.methods),
        assessors=a.assessors,
        assessed_on=a.assessed_on,
        age_min=a.age_min,
        age_max=a.age_max,
        margin=a.margin,
        governing_age=a.governing_age,
        is_child=a.is_child,
        child_informed=a.child_informed,
        informed_language=a.informed_language,
    )


@router.post(
    "/{public_id}/age-assessments",
    response={201: AgeAssessmentOut, **_WRITE},
    summary="Record an age assessment (a later one never replaces the earlier)",
    operation_id="recordAgeAssessment",
    openapi_extra=rules_422(
        "`medical_consent`: true when `methods` has a medical examination",
        "`age_min` at most `age_max`",
        "`assessed_on`: not in the future",
        "`country`: ISO 3166-1 alpha-2; `informed_language`: ISO 639, needed when `child_informed`",
    ),
)
def record_age_assessment(
    request: HttpRequest, public_id: str, payload: AgeAssessmentIn
) -> Status[AgeAssessmentOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.IDENTITY)
    recorded = actions.do_record_age_assessment(caller.user, seen.case, payload)
    return Status(201, _age_out(AgeAssessment.objects.select_related("organisation").get(pk=recorded.pk)))


class ChallengeOut(BaseModel):
    """A challenge to an age assessment: when lodged, its outcome (pending, upheld, rejected)."""

    model_config = ConfigDict(frozen=True)

    assessment: str = Field(description="the public id of the assessment challenged")
    lodged_on: dt.date
    outcome: ChallengeOutcome
    decided_on: dt.date | None
    set_aside: bool = Field(description="the assessment was set aside (the challenge upheld)")


def _challenge_out(challenge: AgeAssessmentChallenge) -> ChallengeOut:
    return ChallengeOut(
        assessment=str(challenge.assessment.public_id),
        lodged_on=challenge.lodged_on,
        outcome=ChallengeOutcome(challenge.outcome),
        decided_on=challenge.decided_on,
        set_aside=challenge.outcome == ChallengeOutcome.UPHELD,
    )


def _assessment(seen: access.CaseAccess, assessment_id: uuid.UUID) -> AgeAssessment:
    found = AgeAssessment.objects.filter(case=seen.case, public_id=assessment_id).first()
    if found is None:
        raise NotFound("no such age assessment of this case")
    return found


@router.post(
    "/{public_id}/age-assessments/{assessment_id}/challenges",
    response={201: ChallengeOut, **_WRITE},
    summary="The child (or their guardian) challenges an age assessment",
    operation_id="challengeAgeAssessment",
    openapi_extra=rules_422(
        "`lodged_on`: not before the assessment, not in the future; one challenge at a time, "
        "not to an assessment already set aside",
    ),
)
def challenge_age_assessment(
    request: HttpRequest, public_id: str, assessment_id: uuid.UUID, payload: ChallengeIn
) -> Status[ChallengeOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.IDENTITY)
    challenge = actions.do_challenge_age_assessment(caller.user, _assessment(seen, assessment_id), payload)
    return Status(201, _challenge_out(challenge))


@router.post(
    "/{public_id}/age-assessments/{assessment_id}/challenges/outcome",
    response={200: ChallengeOut, **_WRITE},
    summary="The outcome of an age assessment's pending challenge: upheld (set aside) or rejected",
    operation_id="decideAgeChallenge",
    openapi_extra=rules_422(
        "`outcome`: upheld or rejected, once",
        "`decided_on`: not before the challenge was lodged, not in the future",
    ),
)
def decide_age_challenge(
    request: HttpRequest, public_id: str, assessment_id: uuid.UUID, payload: ChallengeOutcomeIn
) -> ChallengeOut:
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.IDENTITY)
    pending = AgeAssessmentChallenge.objects.filter(
        assessment=_assessment(seen, assessment_id), outcome=ChallengeOutcome.PENDING
    ).first()
    if pending is None:
        raise NotFound("this assessment has no pending challenge")
    return _challenge_out(actions.do_decide_challenge(caller.user, pending, payload))


# ---------------------------------------------------------------------------------------------
# Best-interests assessments and determinations


class PanelMemberOut(BaseModel):
    name: str
    discipline: str


class BestInterestsOut(BaseModel):
    """A BIA or BID. A section the policy does not open to the caller is ``null`` and named in
    ``withheld`` (a Dublin officer sees the recommendation, family and legal status only)."""

    model_config = ConfigDict(frozen=True)

    public_id: str
    kind: BestInterestsKind
    status: BestInterestsStatus
    organisation: str
    recorded_at: dt.datetime
    approved_at: dt.datetime | None
    recommendation: DurableSolution
    recommendation_country: str | None
    recommendation_reason: str | None
    review_on: dt.date | None
    review_clock: ClockOut | None = Field(
        description="the clock to the review date, met once a later record on the case was made"
    )
    legal_status: str | None
    family: str | None
    safety: str | None
    child_views: str | None
    child_views_language: str | None
    health: str | None
    education: str | None
    identity_culture: str | None
    options: str | None
    guardian_consulted: bool | None
    guardian_views: str | None
    panel: list[PanelMemberOut] | None
    withheld: list[str] = Field(description="the sections not shown to the caller")


def best_interests_out(
    record: BestInterests, seen: access.CaseAccess, records: Sequence[BestInterests] = ()
) -> BestInterestsOut:
    """The record as the caller may see it: each section through its category's decision
    (``records``: the case's others, which tell whether its review was done)."""
    shown: dict[str, Any] = {}
    clock = review_clock(record, records) if seen.can(DataCategory.LEGAL_STATUS) else None
    shown["review_clock"] = clock_out(clock, timezone.now()) if clock is not None else None
    withheld = []
    for name, category in BestInterests.SECTION_CATEGORIES.items():
        if name == "recommendation":
            continue  # the header: shown whenever the record is listed
        if seen.can(category):
            value = getattr(record, name)
            shown[name] = [PanelMemberOut(**m) for m in value] if name == "panel" else value
        else:
            shown[name] = None
            withheld.append(name)
    return BestInterestsOut(
        public_id=str(record.public_id),
        kind=BestInterestsKind(record.kind),
        status=BestInterestsStatus(record.status),
        organisation=record.organisation.name,
        recorded_at=record.recorded_at,
        approved_at=record.approved_at,
        recommendation=DurableSolution(record.recommendation),
        withheld=withheld,
        **shown,
    )


def _best_interests_seen(caller: ApiCaller, public_id: str) -> access.CaseAccess:
    seen = access.access_case(caller.user, public_id, caller.purpose)
    if not seen.can(BestInterests.HEADER_CATEGORY):
        raise Withheld(seen.withheld_note(BestInterests.HEADER_CATEGORY))
    return seen


@router.get(
    "/{public_id}/best-interests",
    response={200: list[BestInterestsOut], **_READ},
    summary="Best-interests assessments and determinations, as the caller may see them",
    operation_id="listBestInterests",
)
def list_best_interests(request: HttpRequest, public_id: str) -> list[BestInterestsOut]:
    seen = _best_interests_seen(api_caller(request), public_id)
    found = list(BestInterests.objects.filter(case=seen.case).select_related("organisation", "case__child"))
    return [best_interests_out(record, seen, found) for record in found]


@router.post(
    "/{public_id}/best-interests",
    response={201: BestInterestsOut, **_WRITE},
    summary="Record a best-interests assessment (BIA) or determination (BID)",
    operation_id="recordBestInterests",
    openapi_extra=rules_422(
        "`child_views`: not blank — the child's views in their own words come first",
        "`child_views_language`: an ISO 639 code",
        "`options`: not blank",
        "`recommendation` `return`: only in a determination",
        "`recommendation_country`: ISO 3166-1 alpha-2, needed for a reunification (another country) or a return",
        "`guardian_consulted`: true when the case has a guardian, and for every determination; then `guardian_views`",
        "`panel`: a determination needs two members at least, of different disciplines",
        "`review_on`: today or later",
    ),
)
def record_best_interests(
    request: HttpRequest, public_id: str, payload: BestInterestsIn
) -> Status[BestInterestsOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id, *actions.written_categories(payload))
    record = actions.do_record_best_interests(caller.user, seen.case, payload)
    return Status(201, best_interests_out(record, seen))


@router.post(
    "/{public_id}/best-interests/{record_id}/approval",
    response={200: BestInterestsOut, **_WRITE},
    summary="Approve a best-interests determination (a supervisor, not its author)",
    operation_id="approveDetermination",
    openapi_extra=rules_422(
        "only a determination waiting for approval",
        "by a supervisor of the organisation that made it, not its author",
    ),
)
def approve_determination(request: HttpRequest, public_id: str, record_id: uuid.UUID) -> BestInterestsOut:
    caller = api_caller(request)
    seen = _write(caller, public_id, BestInterests.HEADER_CATEGORY)
    record = BestInterests.objects.filter(case=seen.case, public_id=record_id).first()
    if record is None:
        raise NotFound()
    approved = actions.do_approve_determination(caller.user, record)
    return best_interests_out(approved, seen)
