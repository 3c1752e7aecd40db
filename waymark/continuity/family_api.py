"""API operations of family tracing: a case's relatives (list, search by name in any script, add,
update), the guardian's agreement and the confirmation of a family link, and reunification
plans. Everything here is the ``family`` category: through the case's own authorisation
(``access_case``, audited), a read needs ``family`` open to the caller for the declared purpose,
a write ``update`` on it — else the same 404 as a case that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, ConfigDict, Field

from waymark.cases import access
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422
from waymark.cases.redaction import Withheld
from waymark.errors import NotFound
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .models import ContactStatus, FamilyLink, PlanStatus, Relationship, Relative, ReunificationPlan
from .schemas import RelativeIn, RelativeUpdateIn, ReunificationPlanIn, ReunificationPlanUpdateIn

router = Router(tags=["continuity"])
FAMILY = DataCategory.FAMILY


class RelativeOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    full_name: str = Field(description="as written, in any script")
    name_latin: str
    relationship: Relationship
    country: str
    last_known_place: str
    contact: str
    contact_status: ContactStatus
    contact_consent: bool = Field(
        description="the relative's own agreement to their contact details being shared"
    )
    contact_consent_on: dt.date | None
    link: FamilyLink
    guardian_agreed_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    missing_for_confirmation: list[str] = Field(
        description="what must be recorded before the link may be confirmed (empty: nothing, or confirmed)"
    )
    recorded_at: dt.datetime
    updated_at: dt.datetime


def relative_out(relative: Relative) -> RelativeOut:
    return RelativeOut(
        public_id=str(relative.public_id),
        full_name=relative.full_name,
        name_latin=relative.name_latin,
        relationship=Relationship(relative.relationship),
        country=relative.country,
        last_known_place=relative.last_known_place,
        contact=relative.contact,
        contact_status=ContactStatus(relative.contact_status),
        contact_consent=relative.contact_consent,
        contact_consent_on=relative.contact_consent_on,
        link=FamilyLink(relative.link),
        guardian_agreed_at=relative.guardian_agreed_at if actions.guardian_agreed(relative) else None,
        confirmed_at=relative.confirmed_at,
        missing_for_confirmation=[] if relative.confirmed else actions.missing_for_confirmation(relative),
        recorded_at=relative.recorded_at,
        updated_at=relative.updated_at,
    )


class ReunificationPlanOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    relative: str = Field(description="the confirmed relative's public id")
    relationship: Relationship
    country: str
    place: str
    steps: list[str]
    best_interests: str | None = Field(description="the best-interests assessment it rests on, if any")
    status: PlanStatus
    target_date: dt.date | None
    recorded_at: dt.datetime
    updated_at: dt.datetime


def plan_out(plan: ReunificationPlan) -> ReunificationPlanOut:
    return ReunificationPlanOut(
        public_id=str(plan.public_id),
        relative=str(plan.relative.public_id),
        relationship=Relationship(plan.relative.relationship),
        country=plan.country,
        place=plan.place,
        steps=list(plan.steps),
        best_interests=str(plan.best_interests.public_id) if plan.best_interests else None,
        status=PlanStatus(plan.status),
        target_date=plan.target_date,
        recorded_at=plan.recorded_at,
        updated_at=plan.updated_at,
    )


def _read(caller: ApiCaller, public_id: str) -> access.CaseAccess:
    seen = access.access_case(caller.user, public_id, caller.purpose)
    if not seen.can(FAMILY):
        raise Withheld(seen.withheld_note(FAMILY))
    return seen


def _write(caller: ApiCaller, public_id: str) -> access.CaseAccess:
    return access.access_case(
        caller.user, public_id, caller.purpose, action=PolicyAction.UPDATE, categories=[FAMILY]
    )


def _relative(seen: access.CaseAccess, relative_id: uuid.UUID) -> Relative:
    found = (
        Relative.objects.filter(case=seen.case, public_id=relative_id).select_related("case__child").first()
    )
    if found is None:
        raise NotFound()
    return found


@router.get(
    "/{public_id}/relatives",
    response={200: list[RelativeOut], **_READ},
    summary="The child's relatives (optionally those a name query answers to, in any script)",
    operation_id="listRelatives",
)
def list_relatives(request: HttpRequest, public_id: str, q: str = "") -> list[RelativeOut]:
    seen = _read(api_caller(request), public_id)
    found = Relative.objects.filter(case=seen.case).select_related("case__child")
    return [relative_out(r) for r in found if not q.strip() or r.answers_to(q)]


@router.post(
    "/{public_id}/relatives",
    response={201: RelativeOut, **_WRITE},
    summary="Record a relative of the child",
    operation_id="addRelative",
    openapi_extra=rules_422(
        "`full_name`: a name, in any script",
        "`country`: an ISO 3166-1 alpha-2 code",
    ),
)
def add_relative(request: HttpRequest, public_id: str, payload: RelativeIn) -> Status[RelativeOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    return Status(201, relative_out(actions.do_add_relative(caller.user, seen.case, payload)))


@router.patch(
    "/{public_id}/relatives/{relative_id}",
    response={200: RelativeOut, **_WRITE},
    summary="Update a relative (fields left out keep their value)",
    operation_id="updateRelative",
    openapi_extra=rules_422(
        "`full_name`: a name, in any script",
        "`country`: an ISO 3166-1 alpha-2 code",
    ),
)
def update_relative(
    request: HttpRequest, public_id: str, relative_id: uuid.UUID, payload: RelativeUpdateIn
) -> RelativeOut:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    return relative_out(actions.do_update_relative(caller.user, _relative(seen, relative_id), payload))


@router.post(
    "/{public_id}/relatives/{relative_id}/guardian-agreement",
    response={200: RelativeOut, **_WRITE},
    summary="The child's guardian agrees to the family link being confirmed",
    operation_id="recordGuardianAgreement",
    openapi_extra=rules_422(
        "by the child's appointed guardian only",
        "a link not yet confirmed or disproved, agreed once",
    ),
)
def record_guardian_agreement(request: HttpRequest, public_id: str, relative_id: uuid.UUID) -> RelativeOut:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    return relative_out(actions.do_record_guardian_agreement(caller.user, _relative(seen, relative_id)))


@router.post(
    "/{public_id}/relatives/{relative_id}/confirmation",
    response={200: RelativeOut, **_WRITE},
    summary="Confirm the relative as family (the child's consent and the guardian's agreement first)",
    operation_id="confirmFamilyLink",
    openapi_extra=rules_422(
        "the child's consent to family tracing recorded and in force (a consent for the purpose family_tracing)",
        "the agreement of the child's current guardian recorded",
        "not already confirmed",
    ),
)
def confirm_family_link(request: HttpRequest, public_id: str, relative_id: uuid.UUID) -> RelativeOut:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    return relative_out(actions.do_confirm_family_link(caller.user, _relative(seen, relative_id)))


# ---------------------------------------------------------------------------------------------
# Reunification plans


def _plans(seen: access.CaseAccess) -> list[ReunificationPlan]:
    return list(
        ReunificationPlan.objects.filter(case=seen.case).select_related(
            "relative", "best_interests", "case__child"
        )
    )


@router.get(
    "/{public_id}/reunification-plans",
    response={200: list[ReunificationPlanOut], **_READ},
    summary="Reunification plans of the case",
    operation_id="listReunificationPlans",
)
def list_reunification_plans(request: HttpRequest, public_id: str) -> list[ReunificationPlanOut]:
    return [plan_out(p) for p in _plans(_read(api_caller(request), public_id))]


@router.post(
    "/{public_id}/reunification-plans",
    response={201: ReunificationPlanOut, **_WRITE},
    summary="Record a reunification plan with a confirmed relative",
    operation_id="recordReunificationPlan",
    openapi_extra=rules_422(
        "`relative`: a relative of this case whose family link is confirmed",
        "`country`: an ISO 3166-1 alpha-2 code",
        "`best_interests`: an assessment of this case (default: the latest recommending family reunification)",
        "`target_date`: today or later",
    ),
)
def record_reunification_plan(
    request: HttpRequest, public_id: str, payload: ReunificationPlanIn
) -> Status[ReunificationPlanOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    plan = actions.do_record_reunification_plan(caller.user, seen.case, payload)
    return Status(201, plan_out(plan))


@router.patch(
    "/{public_id}/reunification-plans/{plan_id}",
    response={200: ReunificationPlanOut, **_WRITE},
    summary="Update a reunification plan: its status, place, steps or target date",
    operation_id="updateReunificationPlan",
    openapi_extra=rules_422(
        "a completed or cancelled plan is not changed",
        "`target_date`: today or later",
    ),
)
def update_reunification_plan(
    request: HttpRequest, public_id: str, plan_id: uuid.UUID, payload: ReunificationPlanUpdateIn
) -> ReunificationPlanOut:
    caller = api_caller(request)
    seen = _write(caller, public_id)
    plan = ReunificationPlan.objects.filter(case=seen.case, public_id=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan_out(actions.do_update_reunification_plan(caller.user, plan, payload))
