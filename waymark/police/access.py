"""Fetch and authorise for the police side, for the purpose locate_missing_child only.

Reading a police record (an alert, a SIRENE request, the extract) is decided on its case like
any read (``access_case``: Cedar, audited): the reader must be allowed the child's identity for
locating them — a police officer of the unit asked (under an agreement, while the alert is live)
or the case's own people. Managing the lifecycle needs ``update`` on identity and case notes and
belonging to the organisation that holds the case. Anything else is ``NotFound``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model

from waymark.accounts.models import User
from waymark.cases.access import CaseAccess, access_case
from waymark.errors import NotFound, Refused
from waymark.vocab import DataCategory, PolicyAction, Purpose, SireneDirection

from .models import PoliceAlert, SireneRequest

PURPOSE = Purpose.LOCATE_MISSING_CHILD
# Who may know the child has a police alert: who may know who the child is, for locating them.
RECORD_CATEGORY = DataCategory.IDENTITY
# Managing the lifecycle writes to the case (timeline, protocol steps): the care team's part.
MANAGE_CATEGORIES: tuple[str, ...] = (DataCategory.IDENTITY, DataCategory.CASE_NOTES)

M = TypeVar("M", PoliceAlert, SireneRequest)


@dataclass
class PoliceAccess:
    """A police record or a case, and what the user may see of the case for locating the child."""

    case_access: CaseAccess
    manages: bool

    def can(self, category: str) -> bool:
        return self.case_access.can(category)


def check_purpose(purpose: str) -> None:
    if purpose != PURPOSE:
        raise Refused(
            "the police side is used only to locate a missing child (purpose locate_missing_child)",
            field="purpose",
        )


def _fetch(model: type[M], public_id: uuid.UUID | str) -> M:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    found: Model | None = model.objects.filter(public_id=pid).select_related("case", "police_org").first()
    if found is None:
        raise NotFound
    assert isinstance(found, model)
    return found


def access_police_case(
    user: User, case_id: uuid.UUID | str, purpose: str, *, manage: bool = False
) -> PoliceAccess:
    """The case for the police side: read (the identity allowed), or manage (update on identity
    and case notes, and the user's organisation holds the case)."""
    check_purpose(purpose)
    if manage:
        seen = access_case(user, case_id, purpose, action=PolicyAction.UPDATE, categories=MANAGE_CATEGORIES)
        if seen.case.organisation_id != user.organisation_id:
            raise NotFound
        return PoliceAccess(seen, manages=True)
    seen = access_case(user, case_id, purpose)
    if not seen.can(RECORD_CATEGORY):
        raise NotFound
    return PoliceAccess(seen, manages=False)


def access_alert(
    user: User, public_id: uuid.UUID | str, purpose: str, *, manage: bool = False
) -> tuple[PoliceAlert, PoliceAccess]:
    check_purpose(purpose)
    alert = _fetch(PoliceAlert, public_id)
    seen = access_police_case(user, alert.case.public_id, purpose, manage=manage)
    alert.case = seen.case_access.case
    return alert, seen


def access_sirene(
    user: User, public_id: uuid.UUID | str, purpose: str, *, answer: bool = False
) -> tuple[SireneRequest, PoliceAccess]:
    """A SIRENE request, for the two parties to it only: the case's organisation and the police
    unit (each also decided on the case). Answering the police writes to the case: ``manage``."""
    check_purpose(purpose)
    request = _fetch(SireneRequest, public_id)
    if user.organisation_id not in (request.case.organisation_id, request.police_org_id):
        raise NotFound
    manage = answer and request.direction == SireneDirection.FROM_POLICE
    seen = access_police_case(user, request.case.public_id, purpose, manage=manage)
    request.case = seen.case_access.case
    return request, seen
