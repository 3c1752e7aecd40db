"""The only writers of age assessments, their challenges, take-charge requests, best-interests
assessments and determinations, relatives (and their confirmed family link) and reunification
plans (one transaction each), with timeline events on the case. A later assessment is a new
record: the earlier stays."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.cases.actions import create_event
from waymark.cases.models import Case, Consent
from waymark.core import names as name_prep
from waymark.core.codes import is_country, is_language
from waymark.errors import ActionError
from waymark.vault.sealed import create_sealed
from waymark.vocab import DataCategory, EventType, Purpose, Role, Sector

from .models import (
    EVENT_FIELDS,
    STANDING,
    AgeAssessment,
    AgeAssessmentChallenge,
    AgeAssessmentMethod,
    BestInterests,
    BestInterestsKind,
    BestInterestsStatus,
    ChallengeOutcome,
    ContactStatus,
    DurableSolution,
    FamilyLink,
    PlanStatus,
    Relationship,
    Relative,
    ReunificationPlan,
    TakeChargeDirection,
    TakeChargeRequest,
)
from .schemas import (
    AgeAssessmentIn,
    BestInterestsIn,
    ChallengeIn,
    ChallengeOutcomeIn,
    RelativeIn,
    RelativeUpdateIn,
    ReunificationPlanIn,
    ReunificationPlanUpdateIn,
    TakeChargeIn,
)


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
_DATES = (*EVENT_FIELDS, "transferred_at")
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
    if data.relative is not None:
        relative = Relative.objects.filter(case=case, public_id=data.relative).first()
        if relative is None:
            raise ActionError("no relative of this child has that id", field="relative")
        if not relative.confirmed:
            raise ActionError(
                "the family link to this relative is not confirmed: a take-charge request rests on a "
                "confirmed family-tracing result",
                field="relative",
            )


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
        if name == "relative":
            value = getattr(data, name)
            request.relative = (
                None if value is None else Relative.objects.get(case=request.case, public_id=value)
            )
            continue
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
    if locked.case is None:
        raise ActionError("a request made to us is answered, not edited", field="")
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


# ---------------------------------------------------------------------------------------------
# Family tracing: relatives, the confirmed family link, reunification plans


def _relative_label(relative: Relative) -> str:
    where = f" ({relative.country})" if relative.country else ""
    return f"{Relationship(relative.relationship).label}{where}"


def _name_forms(full_name: str, name_latin: str) -> list[str]:
    """The forms a relative's name is searched under: those of the name as written and of its
    Latin form (``core.names``, as for a child's names)."""
    forms = name_prep.name_forms(full_name)
    forms += [f for f in name_prep.name_forms(name_latin) if f not in forms]
    return forms


def _set_name(relative: Relative, full_name: str, name_latin: str) -> None:
    relative.full_name = full_name
    relative.name_latin = name_latin or name_prep.transliterate(full_name).title()
    relative.name_forms = _name_forms(relative.full_name, relative.name_latin)
    relative.names_version = name_prep.NAMES_VERSION


def check_relative(user: User, full_name: str | None, country: str | None) -> None:
    _require_org(user)
    if full_name is not None and not name_prep.tokens(full_name):
        raise ActionError("give the relative's name, in any script", field="full_name")
    if country and not is_country(country):
        raise ActionError("use an ISO 3166-1 alpha-2 country code, e.g. BE", field="country")


def check_contact_consent(consent: bool | None, on: dt.date | None) -> None:
    """The relative's consent to sharing their contact: given on a date, not in the future; a date
    only with the consent."""
    if consent and on is None:
        raise ActionError("say when the relative agreed", field="contact_consent_on")
    if on is not None and not consent:
        raise ActionError("a date only when the relative agreed", field="contact_consent")
    if on is not None and on > timezone.localdate():
        raise ActionError("the day the relative agreed: not in the future", field="contact_consent_on")


def _note_contact_consent(user: User | None, relative: Relative, at: dt.datetime) -> None:
    said = "agreed to" if relative.contact_consent else "does not agree to"
    create_event(
        relative.case,
        type=EventType.NOTE,
        occurred_at=at,
        author=user,
        category=Relative.CATEGORY,
        summary=f"Relative {_relative_label(relative)} {said} their contact details being shared"[:300],
    )


@transaction.atomic
def do_add_relative(user: User, case: Case, data: RelativeIn) -> Relative:
    check_relative(user, data.full_name, data.country)
    check_contact_consent(data.contact_consent, data.contact_consent_on)
    now = timezone.now()
    relative = Relative(
        case=case,
        relationship=data.relationship,
        country=data.country,
        last_known_place=data.last_known_place,
        contact_status=data.contact_status,
        recorded_by=user,
        recorded_at=now,
        updated_at=now,
    )
    _set_name(relative, data.full_name, data.name_latin)
    relative.contact = data.contact
    relative.contact_consent = data.contact_consent
    relative.contact_consent_on = data.contact_consent_on
    relative.save(force_insert=True)
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=now,
        author=user,
        category=Relative.CATEGORY,
        summary=f"Relative recorded: {_relative_label(relative)} — {ContactStatus(relative.contact_status).label}"[
            :300
        ],
    )
    if relative.contact_consent:
        _note_contact_consent(user, relative, now)
    return relative


def _locked_relative(relative: Relative) -> Relative:
    return Relative.objects.select_for_update(of=("self",)).select_related("case__child").get(pk=relative.pk)


@transaction.atomic
def do_update_relative(user: User, relative: Relative, data: RelativeUpdateIn) -> Relative:
    check_relative(user, data.full_name, data.country)
    locked = _locked_relative(relative)
    before = locked.contact_status
    consent_before = locked.contact_consent
    if data.contact_consent is not None:
        on = data.contact_consent_on if data.contact_consent else None
        check_contact_consent(data.contact_consent, on)
        locked.contact_consent, locked.contact_consent_on = data.contact_consent, on
    elif data.contact_consent_on is not None:
        check_contact_consent(locked.contact_consent, data.contact_consent_on)
        locked.contact_consent_on = data.contact_consent_on
    if data.full_name is not None or data.name_latin is not None:
        full = data.full_name if data.full_name is not None else locked.full_name
        # A new name as written gets a new Latin form unless one is given.
        latin = (
            data.name_latin if data.name_latin is not None else ("" if data.full_name else locked.name_latin)
        )
        _set_name(locked, full, latin)
    for name in ("relationship", "country", "last_known_place", "contact_status"):
        value = getattr(data, name)
        if value is not None:
            setattr(locked, name, value)
    if data.contact is not None:
        locked.contact = data.contact
    locked.updated_at = timezone.now()
    locked.save()
    if locked.contact_status != before:
        create_event(
            locked.case,
            type=EventType.NOTE,
            occurred_at=locked.updated_at,
            author=user,
            category=Relative.CATEGORY,
            summary=f"Relative {_relative_label(locked)}: {ContactStatus(locked.contact_status).label}"[:300],
        )
    if locked.contact_consent != consent_before:
        _note_contact_consent(user, locked, locked.updated_at)
    return locked


def family_tracing_consent(case: Case, day: dt.date | None = None) -> Consent | None:
    """The child's consent to family tracing in force on ``day`` (today), if one is recorded."""
    day = day or timezone.localdate()
    return (
        Consent.objects.filter(
            case=case, purpose=Purpose.FAMILY_TRACING, withdrawn_at__isnull=True, valid_from__lte=day
        )
        .exclude(valid_until__lt=day)
        .first()
    )


def guardian_agreed(relative: Relative) -> bool:
    """Has the child's current guardian recorded their agreement to confirming this link?"""
    case = relative.case
    return (
        case.guardian_id is not None
        and relative.guardian_agreed_at is not None
        and relative.guardian_agreed_by_id == case.guardian_id
    )


def missing_for_confirmation(relative: Relative) -> list[str]:
    """What is missing before the link may be confirmed, in words (empty: nothing)."""
    missing = []
    if family_tracing_consent(relative.case) is None:
        missing.append(
            "the child's consent to family tracing (record a consent for the purpose family_tracing)"
        )
    if relative.case.guardian_id is None:
        missing.append("the guardian's agreement (the child has no guardian appointed)")
    elif not guardian_agreed(relative):
        missing.append("the guardian's agreement (the child's guardian records it)")
    return missing


@transaction.atomic
def do_record_guardian_agreement(user: User, relative: Relative) -> Relative:
    """The child's appointed guardian agrees to the link being confirmed."""
    _require_org(user)
    locked = _locked_relative(relative)
    if locked.case.guardian_id is None or locked.case.guardian_id != user.pk or user.role != Role.GUARDIAN:
        raise ActionError(
            "only the child's appointed guardian records the guardian's agreement", field="guardian"
        )
    if locked.link != FamilyLink.STATED:
        raise ActionError(f"this link is already {FamilyLink(locked.link).label.lower()}", field="link")
    if guardian_agreed(locked):
        raise ActionError("the guardian's agreement is already recorded", field="guardian")
    locked.guardian_agreed_by = user
    locked.guardian_agreed_at = timezone.now()
    locked.updated_at = locked.guardian_agreed_at
    locked.save(update_fields=["guardian_agreed_by", "guardian_agreed_at", "updated_at"])
    create_event(
        locked.case,
        type=EventType.NOTE,
        occurred_at=locked.guardian_agreed_at,
        author=user,
        category=Relative.CATEGORY,
        summary=f"The guardian agrees to confirming the family link: {_relative_label(locked)}"[:300],
    )
    return locked


@transaction.atomic
def do_confirm_family_link(user: User, relative: Relative) -> Relative:
    """Confirm the relative as family: only with the child's consent to family tracing recorded
    (and in force) and the agreement of the child's current guardian. Refused whole, naming
    what is missing, otherwise."""
    _require_org(user)
    locked = _locked_relative(relative)
    if locked.link == FamilyLink.CONFIRMED:
        raise ActionError("this family link is already confirmed", field="link")
    missing = missing_for_confirmation(locked)
    if missing:
        raise ActionError(
            "a family link is confirmed only with the child's consent and the guardian's agreement; "
            f"missing: {'; '.join(missing)}",
            field="link",
        )
    locked.link = FamilyLink.CONFIRMED
    locked.confirmed_by = user
    locked.confirmed_at = timezone.now()
    locked.updated_at = locked.confirmed_at
    locked.save(update_fields=["link", "confirmed_by", "confirmed_at", "updated_at"])
    create_event(
        locked.case,
        type=EventType.NOTE,
        occurred_at=locked.confirmed_at,
        author=user,
        category=Relative.CATEGORY,
        summary=f"Family link confirmed: {_relative_label(locked)}"[:300],
    )
    return locked


# The plan's statuses that end it: nothing changes afterwards.
_PLAN_ENDED = frozenset({PlanStatus.COMPLETED, PlanStatus.CANCELLED})


def _check_plan_dates(target_date: dt.date | None) -> None:
    if target_date is not None and target_date < timezone.localdate():
        raise ActionError("a target date is today or later", field="target_date")


@transaction.atomic
def do_record_reunification_plan(user: User, case: Case, data: ReunificationPlanIn) -> ReunificationPlan:
    _require_org(user)
    relative = Relative.objects.filter(case=case, public_id=data.relative).first()
    if relative is None:
        raise ActionError("this case has no such relative", field="relative")
    if not relative.confirmed:
        raise ActionError(
            "a reunification plan follows a confirmed family link: confirm the relative first",
            field="relative",
        )
    if not is_country(data.country):
        raise ActionError("use an ISO 3166-1 alpha-2 country code, e.g. BE", field="country")
    _check_plan_dates(data.target_date)
    found = BestInterests.objects.filter(case=case)
    if data.best_interests is not None:
        assessment = found.filter(public_id=data.best_interests).first()
        if assessment is None:
            raise ActionError("this case has no such best-interests assessment", field="best_interests")
    else:
        # The latest assessment recommending a family reunification, if one exists.
        assessment = (
            found.filter(recommendation=DurableSolution.FAMILY_REUNIFICATION)
            .order_by("-recorded_at", "-id")
            .first()
        )
    now = timezone.now()
    plan = create_sealed(
        ReunificationPlan,
        {"steps": list(data.steps)},
        case=case,
        relative=relative,
        country=data.country,
        place=data.place,
        best_interests=assessment,
        target_date=data.target_date,
        recorded_by=user,
        recorded_at=now,
        updated_at=now,
    )
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=now,
        author=user,
        category=ReunificationPlan.CATEGORY,
        summary=f"Reunification plan recorded: with {_relative_label(relative)} in {plan.country}"[:300],
    )
    return plan


@transaction.atomic
def do_update_reunification_plan(
    user: User, plan: ReunificationPlan, data: ReunificationPlanUpdateIn
) -> ReunificationPlan:
    _require_org(user)
    locked = (
        ReunificationPlan.objects.select_for_update(of=("self",))
        .select_related("case__child", "relative")
        .get(pk=plan.pk)
    )
    if locked.status in _PLAN_ENDED:
        raise ActionError(
            f"this plan is {PlanStatus(locked.status).label.lower()}: record a new one", field="status"
        )
    _check_plan_dates(data.target_date)
    before = locked.status
    if data.status is not None:
        locked.status = data.status
    if data.place is not None:
        locked.place = data.place
    if data.steps is not None:
        locked.steps = list(data.steps)
    if data.target_date is not None:
        locked.target_date = data.target_date
    locked.updated_at = timezone.now()
    locked.save()
    if locked.status != before:
        create_event(
            locked.case,
            type=EventType.NOTE,
            occurred_at=locked.updated_at,
            author=user,
            category=ReunificationPlan.CATEGORY,
            summary=f"Reunification plan: {PlanStatus(locked.status).label}"[:300],
        )
    return locked


# The status of contact a family-tracing conversation leaves a relative in (its result, or the
# request under way): set by the exchange when it sends a request or receives a result.
TRACING_STATUS = {
    "requested": ContactStatus.TRACING,
    "found": ContactStatus.FOUND,
    "not_found": ContactStatus.NOT_FOUND,
    "contact_established": ContactStatus.IN_CONTACT,
}


@transaction.atomic
def do_note_tracing(
    case: Case, relative_id: str, state: str, *, contact_agreed_on: dt.date | None = None
) -> Relative | None:
    """A tracing request about the case's relative was sent (``requested``) or its result came
    back: the relative's status of contact follows. The conversation's own timeline entries say
    what happened; a relative no longer on the case (erased, another case) is left alone."""
    status = TRACING_STATUS.get(state)
    relative = (
        Relative.objects.select_for_update(of=("self",)).filter(case=case, public_id=relative_id).first()
        if status is not None
        else None
    )
    if relative is None or status is None:
        return None
    # A request never moves a relative back from found or in contact.
    if state == "requested" and relative.contact_status not in (
        ContactStatus.NOT_TRACED,
        ContactStatus.NOT_FOUND,
    ):
        return relative
    relative.contact_status = status
    relative.updated_at = timezone.now()
    fields = ["contact_status", "updated_at"]
    if contact_agreed_on is not None and not relative.contact_consent:
        # The tracer's result brings the relative's contact: sent only with their agreement.
        relative.contact_consent, relative.contact_consent_on = True, contact_agreed_on
        fields += ["contact_consent", "contact_consent_on"]
        _note_contact_consent(None, relative, relative.updated_at)
    relative.save(update_fields=fields)
    return relative


# ---------------------------------------------------------------------------------------------
# Take-charge requests between nodes (``exchange.threads.take_charge``): the conversation's
# actions and inbound handler call these writers inside their own transaction.


def do_note_take_charge_sent(
    request: TakeChargeRequest, at: dt.datetime, conversation: uuid.UUID, *, replace: bool = False
) -> TakeChargeRequest:
    """The request left for the requested State in ``conversation``: its sending date is ``at``
    unless one was recorded already (then the recorded date stands: the periods count from it);
    ``replace``: the recorded date was an earlier sending's that never arrived."""
    locked = TakeChargeRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if locked.request_sent_at is None or replace:
        locked.request_sent_at = at
    locked.conversation = conversation
    locked.save(update_fields=["request_sent_at", "conversation"])
    return locked


def do_receive_take_charge(
    organisation: Organisation,
    *,
    requesting_country: str,
    requesting_org_name: str,
    basis: str,
    registered_at: dt.datetime,
    hit_at: dt.datetime | None,
    sent_at: dt.datetime,
    received_at: dt.datetime,
    urgent_reply_days: int | None,
    conversation: uuid.UUID,
) -> TakeChargeRequest:
    """A take-charge request received from another node's Dublin unit: the requested side's own
    record of the procedure, with no case here, so that the same engine counts the reply period
    from its receipt (``request_received_at``) and flags a tacit acceptance. Only dates and the
    legal basis: the child and the BIA stay sealed in the conversation."""
    request = TakeChargeRequest(
        direction=TakeChargeDirection.INCOMING,
        organisation=organisation,
        requesting_country=requesting_country,
        requesting_org_name=requesting_org_name[:200],
        requested_country=str(organisation.country),
        basis=basis[:40],
        registered_at=registered_at,
        hit_at=hit_at,
        request_sent_at=min(sent_at, received_at),
        request_received_at=received_at,
        urgent_reply_days=urgent_reply_days,
        conversation=conversation,
        created_at=received_at,
    )
    try:
        request.schedule(received_at)
    except ValueError:  # an urgent reply asked in less than the minimum: the ordinary period
        request.urgent_reply_days = None
    request.save()
    return request


def do_note_take_charge_reply(
    request: TakeChargeRequest, *, accepted: bool, replied_at: dt.datetime, user: User | None = None
) -> TakeChargeRequest:
    """The requested State's reply, on either side's record: the reply clocks stop; on the
    requesting side's case, a timeline entry (legal status)."""
    locked = (
        TakeChargeRequest.objects.select_for_update(of=("self",)).select_related("case").get(pk=request.pk)
    )
    if locked.replied_at is not None:
        return locked  # a reply is given once
    locked.replied_at = max(replied_at, locked.request_sent_at or replied_at)
    locked.accepted = accepted
    locked.save(update_fields=["replied_at", "accepted"])
    return locked
