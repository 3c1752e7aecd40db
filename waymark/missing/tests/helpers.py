"""Test helpers for the missing-child response: report a child missing as someone would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.missing import actions
from waymark.missing.models import Disappearance
from waymark.missing.schemas import DisappearanceIn


def report(user: User, case: Case, *, now: dt.datetime | None = None, **fields: Any) -> Disappearance:
    data = {
        "last_seen_at": (now or timezone.now()) - dt.timedelta(hours=1),
        "missing_category": "unaccompanied_migrant",
        "last_seen_place": "Reception centre, Via Corelli (fictional)",
        "circumstances": "Left after dinner with a new friend (fictional)",
        "belongings": "Red jacket, small black backpack",
        "contacts": [{"name": "Yonas (fictional)", "phone": "+33 6 00 00 00 00"}],
        "destination_country": "SE",
        "route_countries": ["FR", "BE"],
        "family_abroad": "An aunt in Stockholm (fictional)",
        "triggers": ["new_friend"],
    } | fields
    return actions.do_report_disappearance(user, case, DisappearanceIn(**data), now=now)
