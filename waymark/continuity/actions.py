"""The only writers of age assessments, their challenges, take-charge requests and best-interests
assessments and determinations (one transaction each), with timeline events on the case. A
later assessment is a new record: the earlier stays."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.actions import create_event
from waymark.cases.models import Case
from waymark.core.codes import is_country, is_language
from waymark.errors import ActionError
from waymark.vault.sealed import create_sealed
from waymark.vocab import DataCategory, EventType, Role, Sector

from .models import (
    STANDING,
    AgeAssessment,
    AgeAssessmentChallenge,
    AgeAssessmentMethod,
    BestInterests,
    BestInterestsKind,
    BestInterestsStatus,
    ChallengeOutcome,
    DurableSolution,
    TakeChargeRequest,
)
from .schemas import AgeAssessmentIn, BestInterestsIn, ChallengeIn, ChallengeOutcomeIn, TakeChargeIn


def _require_org(user: User) -> None:
    if user.organisation is None:
        raise ActionError("your account belongs to no organisation", field="")
    if user.organisation.sector == Sector.IMMIGRATION_ENFORCEMENT:
        raise ActionError("immigration enforcement cannot record age assessments in Waymark", field="")


def check_record_age_assessment(user: User, case: Case, data: AgeAssessmentIn) -> None:
    _require_org(user)
    if AgeAssessmentMethod.MEDICAL_EXAMINATION in data.methods and not data.medical_consent:
        raise ActionError(
            "a medical examination is recorded only with the child's informed consent",
            field="medical_consent",
        )
    if data.age_min > data.age_max:
        raise ActionError("the lower bound of the age range is above its upper bound", field="age_min")
    if data.assessed_on > timezone.localdate():
        raise ActionError("an assessment cannot be dated in the future", field="assessed_on")
    if data.country and not is_country(data.country):
        raise ActionError("use an ISO 3166-1 alpha-2 country code, e.g. IT", field="country")
    if data.informed_language and not is_language(data.informed_language):
        raise ActionError("use an ISO 639 language code, e.g. ti", field="informed_language")
    if data.child_informed and not data.informed_language:
        raise ActionError("say in which language the child was informed", field="informed_language")


def _years(value: object) -> str:
    return f"{value:g}" if value is not None else "?"


@transaction.atomic
def do_record_age_assessment(user: User, case: Case, data: AgeAssessmentIn) -> AgeAssessment:
    check_record_age_assessment(user, case, data)
    assert user.organisation is not None
    earlier = AgeAssessment.objects.filter(case=case).order_by("-assessed_on", "-id").first()
    assessment = AgeAssessment.objects.create(
        case=case,
        organisation=user.organisation,
        country=data.country or user.organisation.country,
        methods=[m.value for m in dict.fromkeys(data.methods)],
        medical_consent=data.medical_consent,
        assessors=data.assessors,
        assessed_on=data.assessed_on,
        age_min=data.age_min,
        age_max=data.age_max,
        margin=data.margin,
        child_informed=data.child_informed,
        informed_language=data.informed_language,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    summary = (
        f"Age assessed {_years(assessment.age_min)}–{_years(assessment.age_max)} years "
        f"(±{_years(assessment.margin)}); the lower bound {_years(assessment.governing_age)} governs"
    )
    if earlier is not None and earlier.governing_age != assessment.governing_age:
        summary += f" (earlier assessment in {earlier.country}: {_years(earlier.governing_age)})"
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=assessment.recorded_at,
        author=user,
        category=DataCategory.IDENTITY,
        summary=summary[:300],
    )
    return assessment


@transaction.atomic
def do_challenge_age_assessment(
    user: User, assessment: AgeAssessment, data: ChallengeIn
) -> AgeAssessmentChallenge:
    _require_org(user)
    # One challenge at a time: its outcome (``do_decide_challenge``) names the pending one.
    AgeAssessment.objects.select_for_update(of=("self",)).filter(pk=assessment.pk).first()
    if assessment.challenges.filter(outcome=ChallengeOutcome.PENDING).exists():
        raise ActionError(
            "a challenge to this assessment is pending: record its outcome first", field="lodged_on"
        )
    if assessment.set_aside:
        raise ActionError("this assessment was already set aside on a challenge", field="lodged_on")
    if data.lodged_on > timezone.localdate():
        raise ActionError("a challenge cannot be dated in the future", field="lodged_on")
    if data.lodged_on < assessment.assessed_on:
        raise ActionError("a challenge is lodged after the assessment", field="lodged_on")
    challenge = AgeAssessmentChallenge.objects.create(
        assessment=assessment, lodged_on=data.lodged_on, grounds=data.grounds, recorded_by=user
    )
    create_event(
        assessment.case,
        type=EventType.NOTE,
        occurred_at=timezone.now(),
        author=user,
        category=DataCategory.IDENTITY,
        summary=f"Age assessment of {assessment.assessed_on:%Y-%m-%d} challenged",
    )
    return challenge


@transaction.atomic
def do_decide_challenge(
    user: User, challenge: AgeAssessmentChallenge, data: ChallengeOutcomeIn
) -> AgeAssessmentChallenge:
    _require_org(user)
    if data.outcome == ChallengeOutcome.PENDING:
        raise ActionError("an outcome is upheld or rejected", field="outcome")
    locked = (
        AgeAssessmentChallenge.objects.select_for_update(of=("self",))
        .select_related("assessment__case")
        .get(pk=challenge.pk)
    )
    if locked.outcome != ChallengeOutcome.PENDING:
        raise ActionError("this challenge was already decided", field="outcome")
    if data.decided_on < locked.lodged_on:
        raise ActionError("a challenge is decided after it was lodged", field="decided_on")
    if data.decided_on > timezone.localdate():
        raise ActionError("an outcome cannot be dated in the future", field="decided_on")
    locked.outcome = data.outcome
    locked.decided_on = data.decided_on
    locked.save(update_fields=["outcome", "decided_on"])
    create_event(
        locked.assessment.case,
        type=EventType.NOTE,
        occurred_at=timezone.now(),
        author=user,
        category=DataCategory.IDENTITY,
        summary=f"Challenge to the age assessment of {locked.assessment.assessed_on:%Y-%m-%d}: {locked.get_outcome_display()}",
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Dublin III / AMMR take-charge requests

# The procedure's dates: each one a step already taken (five minutes' grace for clocks).
_DATES = (
    "registered_at",
    "hit_at",
    "request_sent_at",
    "request_received_at",
    "replied_at",
    "appeal_decided_at",
    "transfer_decision_at",
    "transferred_at",
)
_GRACE = dt.timedelta(minutes=5)

_ORDER = [
    ("registered_at", "hit_at"),
    ("registered_at", "request_sent_at"),
    ("request_sent_at", "request_received_at"),
    ("request_sent_at", "replied_at"),
    ("replied_at", "transfer_decision_at"),
    ("replied_at", "transferred_at"),
]


def check_take_charge(user: User, case: Case, data: TakeChargeIn) -> None:
    _require_org(user)
    assert user.organisation is not None
    if not is_country(data.requested_country):
        raise ActionError("use an ISO 3166-1 alpha-2 country code, e.g. BE", field="requested_country")
    if data.requested_country == user.organisation.country:
        raise ActionError("the requested Member State is another country", field="requested_country")
    latest = timezone.now() + _GRACE
    for name in _DATES:
        value = getattr(data, name)
        if value is not None and value > latest:
            raise ActionError("a date the procedure has reached: not in the future", field=name)
    for earlier, later in _ORDER:
        first, then = getattr(data, earlier), getattr(data, later)
        if first is not None and then is not None and then < first:
            raise ActionError(
                f"{later.replace('_', ' ')} comes after {earlier.replace('_', ' ')}", field=later
            )
    if data.accepted is not None and data.replied_at is None:
        raise ActionError("an acceptance or refusal is a reply: give its date", field="replied_at")
    if data.replied_at is not None and data.request_sent_at is None:
        raise ActionError("a reply answers a request: give the request's date", field="request_sent_at")
    if data.transferred_at is not None and data.replied_at is None and data.request_sent_at is None:
        raise ActionError("a transfer follows an accepted request", field="transferred_at")
    if (
        data.best_interests is not None
        and not BestInterests.objects.filter(case=case, public_id=data.best_interests).exists()
    ):
        raise ActionError("no best-interests assessment of this child has that id", field="best_interests")


def resting_on(case: Case, data: TakeChargeIn) -> BestInterests | None:
    """The best-interests record a request rests on: the one named, else the latest of the
    child's that stands (an assessment, or an approved determination), else None."""
    found = BestInterests.objects.filter(case=case)
    if data.best_interests is not None:
        return found.get(public_id=data.best_interests)
    return found.filter(status__in=STANDING).order_by("-recorded_at", "-id").first()


def _apply(request: TakeChargeRequest, data: TakeChargeIn) -> None:
    for name in TakeChargeIn.model_fields:
        if name == "best_interests":
            continue  # a link, resolved by ``resting_on``
        value = getattr(data, name)
        if name == "extension":
            value = value.value if value is not None else ""
        setattr(request, name, value)
    try:
        request.schedule()
    except ValueError as exc:  # an urgent reply asked in less than a week (Dublin III Art. 21(2))
        raise ActionError(str(exc), field="urgent_reply_days") from exc


@transaction.atomic
def do_record_take_charge(user: User, case: Case, data: TakeChargeIn) -> TakeChargeRequest:
    check_take_charge(user, case, data)
    request = TakeChargeRequest(
        case=case, created_by=user, created_at=timezone.now(), best_interests=resting_on(case, data)
    )
    _apply(request, data)
    request.save()
    summary = (
        f"Take-charge request to {request.requested_country} recorded ({request.schedule().regime.title})"
    )
    if request.warnings():
        summary += " without an approved best-interests assessment"
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=request.created_at,
        author=user,
        category=DataCategory.LEGAL_STATUS,
        summary=summary[:300],
    )
    return request


@transaction.atomic
def do_update_take_charge(user: User, request: TakeChargeRequest, data: TakeChargeIn) -> TakeChargeRequest:
    locked = (
        TakeChargeRequest.objects.select_for_update(of=("self",)).select_related("case").get(pk=request.pk)
    )
    check_take_charge(user, locked.case, data)
    _apply(locked, data)
    locked.best_interests = resting_on(locked.case, data)
    locked.save()
    return locked


# ---------------------------------------------------------------------------------------------
# Best-interests assessments (BIA) and determinations (BID)

# The sealed sections, as written (the schema's names).
_SECTIONS = (
    "safety",
    "family",
    "child_views",
    "health",
    "education",
    "identity_culture",
    "legal_status",
    "options",
    "recommendation_reason",
    "guardian_views",
)


def written_categories(data: BestInterestsIn) -> list[str]:
    """The data categories a record writes: the policy must let the author update each of them
    for the declared purpose (the caller asks, ``access_case(..., action=update)``)."""
    written = {BestInterests.HEADER_CATEGORY, BestInterests.SECTION_CATEGORIES["child_views"]}
    for name in (*_SECTIONS, "panel"):
        if getattr(data, name):
            written.add(BestInterests.SECTION_CATEGORIES[name])
    written.add(BestInterests.SECTION_CATEGORIES["guardian_consulted"])
    return sorted(str(c) for c in written)


def check_record_best_interests(user: User, case: Case, data: BestInterestsIn) -> None:
    _require_org(user)
    assert user.organisation is not None
    if not data.child_views:
        raise ActionError(
            "record the child's views, in their own words, before any assessment", field="child_views"
        )
    if not is_language(data.child_views_language):
        raise ActionError(
            "say in which language the child gave their views (ISO 639, e.g. ti)",
            field="child_views_language",
        )
    if not data.options:
        raise ActionError("say which options were considered", field="options")
    if data.recommendation_country and not is_country(data.recommendation_country):
        raise ActionError("use an ISO 3166-1 alpha-2 country code, e.g. BE", field="recommendation_country")
    if data.recommendation == DurableSolution.RETURN and data.kind != BestInterestsKind.DETERMINATION:
        raise ActionError(
            "only a best-interests determination, by a panel and approved, may recommend a return",
            field="recommendation",
        )
    if (
        data.recommendation in (DurableSolution.FAMILY_REUNIFICATION, DurableSolution.RETURN)
        and not data.recommendation_country
    ):
        raise ActionError("say in which country", field="recommendation_country")
    if (
        data.recommendation == DurableSolution.FAMILY_REUNIFICATION
        and data.recommendation_country == user.organisation.country
    ):
        raise ActionError(
            "a reunification in this country is a local solution: choose local integration",
            field="recommendation_country",
        )
    if data.guardian_consulted and not data.guardian_views:
        raise ActionError("record what the guardian said", field="guardian_views")
    if case.guardian_id is not None and not data.guardian_consulted:
        raise ActionError("the child's guardian is consulted on every assessment", field="guardian_consulted")
    if data.kind == BestInterestsKind.DETERMINATION:
        if not data.guardian_consulted:
            raise ActionError(
                "a determination is made only after consulting the child's guardian",
                field="guardian_consulted",
            )
        disciplines = {m.discipline.casefold() for m in data.panel}
        if len(data.panel) < 2 or len(disciplines) < 2:
            raise ActionError(
                "a determination is made by a multidisciplinary panel: name at least two members "
                "of different disciplines",
                field="panel",
            )
    if data.review_on is not None and data.review_on < timezone.localdate():
        raise ActionError("a review date is today or later", field="review_on")


def _bia_summary(record: BestInterests) -> str:
    what = BestInterestsKind(record.kind).label
    solution = DurableSolution(record.recommendation).label
    where = f" ({record.recommendation_country})" if record.recommendation_country else ""
    return f"{what} recorded: recommends {solution}{where}"[:300]


@transaction.atomic
def do_record_best_interests(user: User, case: Case, data: BestInterestsIn) -> BestInterests:
    check_record_best_interests(user, case, data)
    assert user.organisation is not None
    sealed: dict[str, object] = {name: getattr(data, name) for name in _SECTIONS}
    sealed["panel"] = [m.model_dump() for m in data.panel]
    record = create_sealed(
        BestInterests,
        sealed,
        case=case,
        organisation=user.organisation,
        kind=data.kind,
        status=(
            BestInterestsStatus.AWAITING_APPROVAL
            if data.kind == BestInterestsKind.DETERMINATION
            else BestInterestsStatus.RECORDED
        ),
        child_views_language=data.child_views_language,
        guardian_consulted=data.guardian_consulted,
        recommendation=data.recommendation,
        recommendation_country=data.recommendation_country,
        review_on=data.review_on,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=record.recorded_at,
        author=user,
        category=BestInterests.HEADER_CATEGORY,
        summary=_bia_summary(record),
    )
    return record


@transaction.atomic
def do_approve_determination(user: User, record: BestInterests) -> BestInterests:
    """A supervisor of the organisation that made the determination approves it — never its
    own author."""
    _require_org(user)
    locked = BestInterests.objects.select_for_update(of=("self",)).select_related("case").get(pk=record.pk)
    if locked.kind != BestInterestsKind.DETERMINATION:
        raise ActionError("only a determination is approved; an assessment stands as recorded", field="kind")
    if locked.status != BestInterestsStatus.AWAITING_APPROVAL:
        raise ActionError("this determination was already approved", field="status")
    if user.role != Role.SUPERVISOR or user.organisation_id != locked.organisation_id:
        raise ActionError(
            "a supervisor of the organisation that made the determination approves it", field="approved_by"
        )
    if locked.recorded_by_id == user.pk:
        raise ActionError("the determination's author cannot approve it", field="approved_by")
    locked.status = BestInterestsStatus.APPROVED
    locked.approved_by = user
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    create_event(
        locked.case,
        type=EventType.NOTE,
        occurred_at=locked.approved_at,
        author=user,
        category=BestInterests.HEADER_CATEGORY,
        summary=f"Best-interests determination approved: {DurableSolution(locked.recommendation).label}"[
            :300
        ],
    )
    return locked
