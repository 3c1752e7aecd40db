"""The police API: request a police alert on a missing child, read it with the extract, move
it along its lifecycle; ask and answer SIRENE-style requests. Thin, like the missing-child
API: ``api_caller`` (token and purpose — locate_missing_child only), fetch and authorise through
the policy (audited; unknown and not yours are the same 404), one action."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import Field

from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422 as _rules
from waymark.policy.purpose import api_caller
from waymark.policy.service import Decision

from . import actions
from .access import access_alert, access_police_case, access_sirene
from .api_schemas import PoliceAlertOut, SireneOut, alert_out, sirene_out
from .extract import extract_for
from .models import PoliceAlert
from .schemas import AlertRequestIn, SireneAnswersIn, SireneAskIn, TransitionIn

router = Router(tags=["police"])


class AlertRequestApiIn(AlertRequestIn):
    case: uuid.UUID = Field(description="the public id of the case whose child is missing")


def _alert_answer(alert: PoliceAlert, decisions: Mapping[str, Decision]) -> PoliceAlertOut:
    return alert_out(alert, extract_for(alert.case, decisions, alert), timezone.now())


@router.post(
    "/alerts",
    response={201: PoliceAlertOut, **_WRITE},
    summary="Request a police alert on a missing child",
    operation_id="requestPoliceAlert",
    openapi_extra=_rules(
        "`police_org`: a police unit known to this node",
        "`kind`: no live alert of this kind on the case; an Interpol yellow notice only for a child "
        "who may be outside the SIS area",
        "`sis_category`: with an SIS alert only",
        '`""`: the child is reported missing',
    ),
)
def request_police_alert(request: HttpRequest, payload: AlertRequestApiIn) -> Status[PoliceAlertOut]:
    """Ask a police unit to issue an alert (an SIS alert on a missing child, an Interpol yellow
    notice, the national report). The unit then reads the extract under its agreement. For the
    case's own caseworkers, purpose locate_missing_child."""
    caller = api_caller(request)
    seen = access_police_case(caller.user, payload.case, caller.purpose, manage=True)
    data = AlertRequestIn.model_validate(payload.model_dump(exclude={"case"}))
    alert = actions.do_request_alert(caller.user, seen.case_access.case, data)
    return Status(201, _alert_answer(alert, seen.case_access.decisions))


@router.get(
    "/alerts/{alert_id}",
    response={200: PoliceAlertOut, **_READ},
    summary="A police alert, with the extract you may read",
    operation_id="getPoliceAlert",
)
def get_police_alert(request: HttpRequest, alert_id: str) -> PoliceAlertOut:
    caller = api_caller(request)
    alert, seen = access_alert(caller.user, alert_id, caller.purpose)
    return _alert_answer(alert, seen.case_access.decisions)


@router.post(
    "/alerts/{alert_id}/transition",
    response={200: PoliceAlertOut, **_WRITE},
    summary="Move a police alert along its lifecycle",
    operation_id="advancePoliceAlert",
    openapi_extra=_rules(
        "`to`: one of the alert's `next_states` (requested → issued → hit → closed; withdrawn)",
        "`reference`: required to mark it issued",
        "`place`: required to record a hit",
    ),
)
def advance_police_alert(request: HttpRequest, alert_id: str, payload: TransitionIn) -> PoliceAlertOut:
    caller = api_caller(request)
    alert, seen = access_alert(caller.user, alert_id, caller.purpose, manage=True)
    alert = actions.do_advance_alert(caller.user, alert, payload)
    return _alert_answer(alert, seen.case_access.decisions)


@router.post(
    "/requests",
    response={201: SireneOut, **_WRITE},
    summary="Ask a SIRENE-style request about a police alert (reply within 12 hours)",
    operation_id="askSireneRequest",
    openapi_extra=_rules(
        "`alert`: a live alert; you are an officer of its police unit or a caseworker of the case's organisation",
    ),
)
def ask_sirene_request(request: HttpRequest, payload: SireneAskIn) -> Status[SireneOut]:
    caller = api_caller(request)
    alert, _seen = access_alert(caller.user, str(payload.alert), caller.purpose)
    asked = actions.do_ask_sirene(caller.user, alert, payload)
    return Status(201, sirene_out(asked, timezone.now()))


@router.get(
    "/requests/{request_id}",
    response={200: SireneOut, **_READ},
    summary="A SIRENE-style request and its reply clock",
    operation_id="getSireneRequest",
)
def get_sirene_request(request: HttpRequest, request_id: str) -> SireneOut:
    caller = api_caller(request)
    sirene, _seen = access_sirene(caller.user, request_id, caller.purpose)
    return sirene_out(sirene, timezone.now())


@router.post(
    "/requests/{request_id}/answer",
    response={200: SireneOut, **_WRITE},
    summary="Answer a SIRENE-style request",
    operation_id="answerSireneRequest",
    openapi_extra=_rules(
        "`answers`: every question answered or declined once; the request not answered yet; "
        "the other side asked",
        "`answers.N.text`: to the police, only in a category their agreement lets them read (else decline)",
    ),
)
def answer_sirene_request(request: HttpRequest, request_id: str, payload: SireneAnswersIn) -> SireneOut:
    caller = api_caller(request)
    sirene, _seen = access_sirene(caller.user, request_id, caller.purpose, answer=True)
    answered = actions.do_answer_sirene(caller.user, sirene, payload)
    return sirene_out(answered, timezone.now())
