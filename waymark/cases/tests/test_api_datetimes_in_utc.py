"""Every date-time the API takes is kept as an instant in UTC (the take-charge finding, fixed for
one operation, generalised): RFC 3339 allows an offset up to ±23:59, PostgreSQL refuses one beyond
±15:59, so a far offset was a 500 on PostgreSQL wherever it reached a query. The shared
``DateTime`` type of the API converts every aware value to UTC; the instant is unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel

from waymark.cases.models import Event
from waymark.cases.schemas import DateTime
from waymark.cases.tests.api_client import api_as
from waymark.test import create_case


class _Holder(BaseModel):
    at: DateTime


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-12-03T18:13:11-23:06", dt.datetime(2024, 12, 4, 17, 19, 11, tzinfo=dt.UTC)),
        ("2024-12-03T18:13:11+23:59", dt.datetime(2024, 12, 2, 18, 14, 11, tzinfo=dt.UTC)),
        ("2026-01-05T10:00:00+01:00", dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)),
        ("2026-01-05T10:00:00Z", dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)),
    ],
)
def test_the_api_datetime_type_keeps_the_instant_in_utc(text, instant):
    at = _Holder(at=text).at
    assert at == instant
    assert at.utcoffset() == dt.timedelta(0)


def test_an_event_dated_with_a_far_offset_is_stored_not_a_500(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(
        f"/api/cases/{case.public_id}/events",
        {"type": "note", "summary": "(fictional) a call", "occurred_at": "2024-12-03T18:13:11-23:06"},
    )
    assert response.status_code == 201, response.content
    stored = Event.objects.filter(case=case).order_by("-id").first()
    assert stored is not None
    assert stored.occurred_at == dt.datetime(2024, 12, 4, 17, 19, 11, tzinfo=dt.UTC)
