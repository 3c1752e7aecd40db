"""Fetch-and-authorise: the only way views and API handlers obtain child data.

``access_case`` returns the case or raises ``NotFound``; "not found" and "not allowed" look
the same from outside. The domestic rule here (own organisation, or the child's guardian or
caseworker) is the floor; the firewall (policy app) decides purpose and category on top.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from waymark.accounts.models import User
from waymark.errors import NotFound
from waymark.vocab import Sector

from .models import Case


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases this user may list: deny by default."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Case.objects.none()
    org = user.organisation
    if org is None or org.sector == Sector.IMMIGRATION_ENFORCEMENT:
        return Case.objects.none()
    return Case.objects.filter(
        Q(organisation_id=user.organisation_id) | Q(guardian_id=user.pk) | Q(caseworker_id=user.pk)
    )


def access_case(user: User, public_id: uuid.UUID | str, *, for_update: bool = False) -> Case:
    """The case with this public id if ``user`` may see it, else ``NotFound``."""
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    qs = cases_visible_to(user).select_related("child", "organisation", "caseworker", "guardian")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(public_id=pid).first()
    if case is None:
        raise NotFound
    return case
