"""Fuzzer finding (PostgreSQL phase, 40 examples): ``POST /api/cases/{id}/take-charge-requests``
with ``registered_at`` "0024-12-03T18:13:11-23:06" was a 500 — RFC 3339 allows the offset,
PostgreSQL refuses an offset beyond ±15:59. The dates are kept as instants in UTC."""

from __future__ import annotations

import datetime as dt

from waymark.cases.tests.api_client import api_as
from waymark.continuity.models import TakeChargeRequest
from waymark.continuity.schemas import TakeChargeIn
from waymark.test import create_case


def test_fuzz_finding_take_charge_dates_with_a_far_offset_are_kept_as_utc_instants(people):
    data = TakeChargeIn(requested_country="CD", registered_at="2024-12-03T18:13:11-23:06")
    assert data.registered_at.utcoffset() == dt.timedelta(0)
    assert data.registered_at == dt.datetime(2024, 12, 4, 17, 19, 11, tzinfo=dt.UTC)
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(
        f"/api/cases/{case.public_id}/take-charge-requests",
        {"requested_country": "CD", "registered_at": "2024-12-03T18:13:11-23:06"},
    )
    assert response.status_code == 201, response.content
    stored = TakeChargeRequest.objects.get(case=case)
    assert stored.registered_at == dt.datetime(2024, 12, 4, 17, 19, 11, tzinfo=dt.UTC)
