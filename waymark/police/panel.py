"""The police side on the missing-child pages (``waymark.missing.hooks``): the Police panel of
the disappearance page, the police clocks of a Missing-now board row, and the reply notices the
clocks command sends. What the panel shows was decided (and audited) by the page's own access
for the declared purpose; a police officer sees only the alerts asked of their unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from waymark.accounts.models import Organisation, User
from waymark.core import police as core
from waymark.core.clocks import Clock
from waymark.missing import hooks
from waymark.missing.access import DisappearanceAccess
from waymark.vocab import PoliceAlertKind, PoliceAlertState, Role, Sector, SireneDirection, SisCategory

from . import actions
from .access import MANAGE_CATEGORIES, PURPOSE, RECORD_CATEGORY
from .extract import extract_for
from .models import PoliceAlert, SireneRequest


def _may_answer(user: User, request: SireneRequest) -> bool:
    if request.answered_at is not None:
        return False
    if request.direction == SireneDirection.FROM_POLICE:
        return user.organisation_id == request.case.organisation_id and user.role in (
            Role.CASEWORKER,
            Role.SUPERVISOR,
        )
    return user.organisation_id == request.police_org_id and user.role == Role.POLICE_OFFICER


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value is None or value == "" else str(value)


def _questions_answers(r: SireneRequest) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    answers = {a["question_id"]: a for a in r.answers}
    return [(q, answers.get(q["id"])) for q in r.questions]


def panel_context(user: User, seen: DisappearanceAccess, now: dt.datetime) -> dict[str, Any] | None:
    case = seen.disappearance.case
    if not seen.can(RECORD_CATEGORY):
        return None
    if seen.case_access.purpose != PURPOSE:
        return {"purpose_needed": True}
    own = user.organisation_id == case.organisation_id
    manages = own and set(MANAGE_CATEGORIES) <= seen.case_access.can_update
    alerts = PoliceAlert.objects.filter(case=case).select_related("police_org")
    requests = SireneRequest.objects.filter(case=case).select_related("police_org", "asked_by", "case")
    if not own:  # a police unit sees its own alerts and requests, nothing of other units'
        alerts = alerts.filter(police_org_id=user.organisation_id)
        requests = requests.filter(police_org_id=user.organisation_id)
    by_alert: dict[int, list[SireneRequest]] = {}
    for r in requests:
        if r.alert_id is not None:
            by_alert.setdefault(r.alert_id, []).append(r)
    rows = [
        {
            "alert": a,
            "next": [PoliceAlertState(s) for s in core.next_states(a.state)] if manages else [],
            "requests": [
                {"r": r, "answerable": _may_answer(user, r), "qa": _questions_answers(r)}
                for r in by_alert.get(a.pk, [])
            ],
            "may_ask": a.state not in core.ENDED
            and (
                (user.organisation_id == a.police_org_id and user.role == Role.POLICE_OFFICER)
                or (own and user.role in (Role.CASEWORKER, Role.SUPERVISOR))
            ),
        }
        for a in alerts
    ]
    extract = extract_for(case, seen.case_access.decisions, next(iter(alerts), None))
    return {
        "rows": rows,
        "extract_rows": [(name, _shown(value)) for name, value in extract.fields.items()],
        "manages": manages and seen.disappearance.is_open,
        "extract": extract,
        "kinds": PoliceAlertKind.choices,
        "sis_categories": SisCategory.choices,
        "units": Organisation.objects.filter(sector=Sector.POLICE).order_by("name") if manages else [],
        "categories": sorted(core.POLICE_CATEGORIES),
        "now": now,
    }


def board_clocks(case_ids: Sequence[int], now: dt.datetime) -> dict[int, list[tuple[str, Clock]]]:
    """A row's police clocks: unanswered SIRENE requests (12 h) and alerts not issued yet."""
    found: dict[int, list[tuple[str, Clock]]] = {}
    for r in SireneRequest.objects.filter(case_id__in=case_ids, answered_at__isnull=True):
        found.setdefault(r.case_id, []).append((str(_("SIRENE reply")), r.clock))
    live = Q(closed_at__isnull=True, withdrawn_at__isnull=True, issued_at__isnull=True)
    for a in PoliceAlert.objects.filter(live, case_id__in=case_ids):
        found.setdefault(a.case_id, []).append((str(_("Police alert issued")), a.issue_clock))
    return found


def register() -> None:
    hooks.PANELS.append(hooks.Panel("police/_panel.html", panel_context))
    hooks.BOARD_CLOCKS.append(board_clocks)
    hooks.CLOCK_JOBS.append(actions.notify_overdue_requests)
