"""The missing-child API: report a disappearance, read it, assess the risk, mark a protocol step
done, and the Missing-now board. Thin, like the case API: ``api_caller`` (token and purpose),
fetch-and-authorise through the policy (audited; unknown and not yours are the same 404), one
action, then the answer redacted by what the caller may read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from waymark.cases.access import access_case
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422 as _rules
from waymark.errors import NotFound
from waymark.policy.purpose import api_caller
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .access import BOARD_PAGE, access_disappearance, board_page
from .api_schemas import (
    BOARD_FIELDS,
    DISAPPEARANCE_FIELDS,
    BoardOut,
    DisappearanceOut,
    ReportDisappearanceIn,
    StepDoneIn,
    StepOut,
    board_row_out,
    disappearance_out,
    redact,
    step_out,
)
from .models import Disappearance
from .schemas import RiskIn

router = Router(tags=["missing"])

MAX_BOARD_PAGE = 1000


def _answer(d: Disappearance, decisions: Any) -> DisappearanceOut:
    return redact(disappearance_out(d, timezone.now()), decisions, DISAPPEARANCE_FIELDS)


@router.post(
    "",
    response={201: DisappearanceOut, **_WRITE},
    summary="Report a disappearance",
    operation_id="reportDisappearance",
    openapi_extra=_rules(
        "`last_seen_at`: not in the future (five minutes' grace)",
        "`destination_country`, `route_countries.N`: ISO 3166-1 alpha-2 country codes",
        '`""`: the case is not already missing, closed or transferred; a protocol is loaded',
    ),
)
def report_disappearance(request: HttpRequest, payload: ReportDisappearanceIn) -> Status[DisappearanceOut]:
    """Report the child of ``case`` missing: marks the case missing, starts the protocol's
    clocks, gives a first risk assessment. You must be allowed to write what a report holds
    (contact and location, physical description, family, case notes) for your purpose."""
    caller = api_caller(request)
    seen = access_case(
        caller.user,
        payload.case,
        caller.purpose,
        action=PolicyAction.UPDATE,
        categories=Disappearance.REPORT_CATEGORIES,
    )
    d = actions.do_report_disappearance(caller.user, seen.case, payload)
    return Status(201, _answer(d, seen.decisions))


@router.get(
    "",
    response={200: BoardOut, **_READ},
    summary="Missing now: the open disappearances you may see",
    operation_id="missingBoard",
)
def missing_board(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_BOARD_PAGE)) -> BoardOut:
    """Open disappearances on the cases you may list for your purpose, overdue steps first,
    50 a page; what a row shows of each child is decided and audited for that row."""
    caller = api_caller(request)
    board = board_page(caller.user, caller.purpose, page)
    items = [
        redact(
            board_row_out(d, board.now, board.acknowledgements(d)),
            board.decisions.by_case.get(d.case.pk, {}),
            BOARD_FIELDS,
        )
        for d in board.rows
    ]
    return BoardOut(count=board.count, page=board.number, page_size=BOARD_PAGE, items=items)


@router.get(
    "/{disappearance_id}",
    response={200: DisappearanceOut, **_READ},
    summary="A disappearance",
    operation_id="getDisappearance",
)
def get_disappearance(request: HttpRequest, disappearance_id: str) -> DisappearanceOut:
    caller = api_caller(request)
    seen = access_disappearance(caller.user, disappearance_id, caller.purpose)
    return _answer(seen.disappearance, seen.case_access.decisions)


@router.put(
    "/{disappearance_id}/risk",
    response={200: DisappearanceOut, **_WRITE},
    summary="Assess the risk",
    operation_id="assessRisk",
    openapi_extra=_rules(
        "`override_reason`: required with an `override`",
        '`""`: the disappearance is open',
    ),
)
def assess_risk(request: HttpRequest, disappearance_id: str, payload: RiskIn) -> DisappearanceOut:
    """Record the risk checklist; the answer lists the level and every reason that gives it. An
    override (with its reason) sets the level in force; the case carries it (high = urgent)."""
    caller = api_caller(request)
    seen = access_disappearance(
        caller.user,
        disappearance_id,
        caller.purpose,
        action=PolicyAction.UPDATE,
        categories=Disappearance.RISK_CATEGORIES,
    )
    d = actions.do_assess_risk(caller.user, seen.disappearance, payload)
    return _answer(d, seen.case_access.decisions)


@router.post(
    "/{disappearance_id}/steps/{key}/done",
    response={200: StepOut, **_WRITE},
    summary="Mark a protocol step done",
    operation_id="markStepDone",
    openapi_extra=_rules(
        "`step`: a step of this disappearance's protocol, not already done, the disappearance open"
    ),
)
def mark_step_done(request: HttpRequest, disappearance_id: str, key: str, payload: StepDoneIn) -> StepOut:
    caller = api_caller(request)
    seen = access_disappearance(
        caller.user,
        disappearance_id,
        caller.purpose,
        action=PolicyAction.UPDATE,
        categories=[DataCategory.CASE_NOTES],
    )
    if not seen.can(DataCategory.CASE_NOTES):
        raise NotFound
    step = actions.do_mark_step_done(caller.user, seen.disappearance, key, note=payload.note)
    return step_out(step, timezone.now())
