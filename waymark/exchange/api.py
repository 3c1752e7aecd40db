"""The missing-child alert API: thin handlers over ``threads/missing_alert.py``, with the same
policy, purpose and audit as the pages.

On the owner's node: send an alert about a case to several partners, read per recipient the
machine acknowledgement (the signed receipt) and the human one (seen), update or withdraw the
alert, and close the disappearance (found, came back, or reported in error), which tells every
recipient. On a recipient's node: read the alert, mark it seen,
report a sighting or a found report in it. A case goes through ``access_case`` and an alert
through ``access_thread`` (an unknown one and one not yours are the same 404); every operation is
for the purpose locate_missing_child, declared in ``Waymark-Purpose``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waymark.cases.access import access_case
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422 as _rules
from waymark.cases.models import Case
from waymark.errors import Refused
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.vocab import DataCategory, PolicyAction, Purpose

from .access import ThreadAccess, access_thread
from .models import Thread
from .threads import missing_alert as alerts

router = Router(tags=["missing-child alerts"])

PURPOSE = Purpose.LOCATE_MISSING_CHILD


class RecipientOut(Schema):
    alert_id: uuid.UUID
    organisation: str
    organisation_name: str
    status: str
    sent_at: dt.datetime
    # The receiving node's signed receipt: its automatic acknowledgement ("" until it is back).
    acknowledged: str
    acknowledged_at: dt.datetime | None
    # A person there marked it seen (null until then), against the clock due at ``seen_due_at``.
    seen_at: dt.datetime | None
    seen_due_at: dt.datetime | None
    sightings: int


class RecipientList(Schema):
    case_status: str
    recipients: list[RecipientOut]


class AlertOut(Schema):
    alert_id: uuid.UUID
    from_organisation: str
    from_organisation_name: str
    status: str
    received_at: dt.datetime
    risk_level: str
    seen_at: dt.datetime | None
    seen_due_at: dt.datetime | None
    # The alert as received (child, last seen, category), as the policy shows it; null if withheld.
    alert: dict[str, Any] | None
    # Why it is withheld, or which of its fields are (those of a category the policy refuses you).
    withheld: str


class CaseFoundOut(Schema):
    case_status: str
    alerts_closed: int


def _caller(request: HttpRequest) -> ApiCaller:
    caller = api_caller(request)
    if caller.purpose != PURPOSE:
        raise Refused(
            "missing-child alerts are for the purpose locate_missing_child", field="Waymark-Purpose"
        )
    return caller


def _at(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _recipient(row: alerts.Recipient) -> RecipientOut:
    a = row.alert
    return RecipientOut(
        alert_id=a.public_id,
        organisation=a.peer_org,
        organisation_name=a.peer_org_name,
        status=a.status,
        sent_at=a.created_at,
        acknowledged=row.receipt,
        acknowledged_at=row.delivered_at,
        seen_at=_at(row.seen_at),
        seen_due_at=a.due_at,
        sightings=row.sightings,
    )


def _recipients(case: Any) -> RecipientList:
    return RecipientList(case_status=case.status, recipients=[_recipient(r) for r in alerts.recipients(case)])


def _owned(caller: ApiCaller, public_id: str) -> Case:
    """The case, if the caller may change it for locating the child (audited); 404 otherwise."""
    return access_case(
        caller.user,
        public_id,
        caller.purpose,
        action=PolicyAction.UPDATE,
        categories=[DataCategory.CASE_NOTES],
    ).case


def _alert(caller: ApiCaller, alert_id: uuid.UUID, *, answering: bool) -> ThreadAccess:
    found = access_thread(caller.user, "alert", alert_id)
    if found.thread.purpose != caller.purpose:
        raise Refused(f"this alert travelled for {found.thread.purpose}", field="Waymark-Purpose")
    if answering and not found.shown:
        raise Refused(f"you may not read this alert, so you may not answer it ({found.withheld})")
    return found


def _alert_out(found: ThreadAccess) -> AlertOut:
    t: Thread = found.thread
    held, redacted = alerts.redact_alert(t.data.doc("alert"), found.refused) if found.shown else ({}, [])
    return AlertOut(
        alert_id=t.public_id,
        from_organisation=t.peer_org,
        from_organisation_name=t.peer_org_name,
        status=t.status,
        received_at=t.created_at,
        risk_level=str(held.get("risk_level", "")),
        seen_at=_at(t.facts.get("seen_at")),
        seen_due_at=t.due_at,
        alert=held if found.shown else None,
        withheld=found.withheld or ", ".join(redacted),
    )


# --- the owner --------------------------------------------------------------------------------


@router.post(
    "/cases/{public_id}/alerts",
    response={201: RecipientList, **_WRITE},
    summary="Alert partner organisations that a child is missing",
    operation_id="sendMissingAlert",
    openapi_extra=_rules(
        "`status`: the child must be recorded as missing",
        "`missing_category`: the case needs its missing-child category",
        "`to_orgs`: each a partner whose agreement in force allows the alert and every category it "
        "carries for locate_missing_child, with no alert to it open already (all or nothing: "
        "nothing leaves this node when one is refused)",
    ),
)
def send_alert(request: HttpRequest, public_id: str, payload: alerts.AlertsIn) -> Status[RecipientList]:
    """One alert per organisation of ``to_orgs``, carrying the case's identity, missing category
    and risk, and — as ``include`` asks — the last-seen context, a physical description, the
    photo, legal status."""
    caller = _caller(request)
    case = _owned(caller, public_id)
    alerts.do_send_alerts(caller.user, case, payload.model_copy(update={"purpose": caller.purpose}))
    return Status(201, _recipients(case))


@router.post(
    "/cases/{public_id}/alerts/update",
    response={200: RecipientList, **_WRITE},
    summary="Send what is known now to every organisation the open alert went to",
    operation_id="updateMissingAlerts",
    openapi_extra=_rules(
        '`""`: an alert about this child is open',
        "`missing_category`: the case needs its missing-child category",
        "`purpose`: you may read every category the update carries, for locate_missing_child",
    ),
)
def update_alerts(request: HttpRequest, public_id: str, payload: alerts.AlertFields) -> RecipientList:
    """A new revision of the alert (the case's data now, with ``include`` as for sending) to
    every recipient of the open alert; each recipient's copy is replaced by it."""
    caller = _caller(request)
    case = _owned(caller, public_id)
    alerts.do_update_alerts(caller.user, case, payload)
    return _recipients(case)


@router.post(
    "/cases/{public_id}/alerts/withdraw",
    response={200: RecipientList, **_WRITE},
    summary="Withdraw the alert from every organisation it went to",
    operation_id="withdrawMissingAlerts",
    openapi_extra=_rules('`""`: an alert about this child is open (or reported found)'),
)
def withdraw_alerts(request: HttpRequest, public_id: str, payload: alerts.WithdrawIn) -> RecipientList:
    """Every recipient purges its copy and its need-to-know context ends; the disappearance
    itself stays open (``closeDisappearance`` ends it)."""
    caller = _caller(request)
    case = _owned(caller, public_id)
    alerts.do_withdraw_alerts(caller.user, case, payload)
    return _recipients(case)


@router.get(
    "/cases/{public_id}/alerts",
    response={200: RecipientList, **_READ},
    summary="Each recipient's acknowledgements of the alerts about a case",
    operation_id="listAlertRecipients",
)
def list_recipients(request: HttpRequest, public_id: str) -> RecipientList:
    """Per recipient: its node's signed receipt (automatic) and whether a person there marked
    the alert seen, and by when they should; the number of sightings it reported."""
    caller = _caller(request)
    case = access_case(caller.user, public_id, caller.purpose, categories=[DataCategory.CASE_NOTES]).case
    return _recipients(case)


@router.post(
    "/cases/{public_id}/found",
    response={200: CaseFoundOut, **_WRITE},
    summary="The child is found: close the disappearance and every alert",
    operation_id="closeFound",
    openapi_extra=_rules(
        "`status`: the child must be recorded as missing (a child already found is answered so)",
        "`found_at`: with its time zone, not in the future",
    ),
)
def close_found(request: HttpRequest, public_id: str, payload: alerts.CloseFoundIn) -> CaseFoundOut:
    caller = _caller(request)
    case = _owned(caller, public_id)
    open_before = alerts.open_alerts(case, alerts.OPEN).count()
    closed = alerts.do_close_found(caller.user, case, payload)
    return CaseFoundOut(case_status=closed.status, alerts_closed=open_before)


@router.post(
    "/cases/{public_id}/disappearance/close",
    response={200: CaseFoundOut, **_WRITE},
    summary="The child came back, or the report was made in error: close the disappearance and every alert",
    operation_id="closeDisappearance",
    openapi_extra=_rules(
        "`status`: the child must be recorded as missing",
        "`closed_at`: with its time zone, not in the future",
    ),
)
def close_disappearance(request: HttpRequest, public_id: str, payload: alerts.CloseMissingIn) -> CaseFoundOut:
    """The case is open again (no longer missing), the disappearance's clocks stop, and
    ``case_closed`` goes to every organisation that received the alert, as for ``closeFound``."""
    caller = _caller(request)
    case = _owned(caller, public_id)
    open_before = alerts.open_alerts(case, alerts.OPEN).count()
    closed = alerts.do_close_missing(caller.user, case, payload)
    return CaseFoundOut(case_status=closed.status, alerts_closed=open_before)


# --- a recipient ------------------------------------------------------------------------------


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertOut, **_READ},
    summary="An alert this organisation sent or received",
    operation_id="getAlert",
)
def get_alert(request: HttpRequest, alert_id: uuid.UUID) -> AlertOut:
    caller = _caller(request)
    return _alert_out(_alert(caller, alert_id, answering=False))


@router.post(
    "/alerts/{alert_id}/seen",
    response={200: AlertOut, **_WRITE},
    summary="A person here has read the alert (the human acknowledgement)",
    operation_id="markAlertSeen",
    openapi_extra=_rules("the alert must be one received here and still open"),
)
def mark_seen(request: HttpRequest, alert_id: uuid.UUID, payload: alerts.SeenIn) -> AlertOut:
    caller = _caller(request)
    found = _alert(caller, alert_id, answering=True)
    alerts.do_mark_seen(caller.user, found.thread, payload)
    return _alert_out(_alert(caller, alert_id, answering=False))


@router.post(
    "/alerts/{alert_id}/sightings",
    response={201: AlertOut, **_WRITE},
    summary="Report a sighting of the alerted child to the organisation looking for them",
    operation_id="reportSighting",
    openapi_extra=_rules(
        "the alert must be one received here and still open",
        "`seen_at`: with its time zone, not in the future",
        "`country`: an ISO 3166-1 alpha-2 code",
    ),
)
def report_sighting(
    request: HttpRequest, alert_id: uuid.UUID, payload: alerts.SightingIn
) -> Status[AlertOut]:
    caller = _caller(request)
    found = _alert(caller, alert_id, answering=True)
    alerts.do_report_sighting(caller.user, found.thread, payload)
    return Status(201, _alert_out(_alert(caller, alert_id, answering=False)))


@router.post(
    "/alerts/{alert_id}/found",
    response={201: AlertOut, **_WRITE},
    summary="Report the alerted child found",
    operation_id="reportFound",
    openapi_extra=_rules(
        "the alert must be one received here and still open (a closed one is answered so)",
        "`found_at`: with its time zone, not in the future",
        "`country`: an ISO 3166-1 alpha-2 code",
    ),
)
def report_found(request: HttpRequest, alert_id: uuid.UUID, payload: alerts.FoundIn) -> Status[AlertOut]:
    caller = _caller(request)
    found = _alert(caller, alert_id, answering=True)
    alerts.do_report_found(caller.user, found.thread, payload)
    return Status(201, _alert_out(_alert(caller, alert_id, answering=False)))
