"""Issue 9, finding 9 (part): no unbounded work per API request — ``limit`` and ``offset`` are
bounded in the schema, so a huge offset is a 400 naming it, never a 500 or a long scan."""

from __future__ import annotations

import pytest

from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case

HUGE = "18446744073709551617"  # 2**64 + 1: overflows the database's integers


@pytest.mark.parametrize("offset", [HUGE, "1001"])
def test_finding_9_api_offset_of_the_case_list_is_bounded(people, offset):
    create_case(people.giulia)
    response = api_as(people.giulia).get("/api/cases", {"offset": offset})
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"offset"}


def test_finding_9_api_offset_of_the_timeline_is_bounded(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    response = api.get(case_url(case, "/events"), {"offset": HUGE})
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"offset"}
    assert api.get(case_url(case, "/events"), {"offset": 10_000}).status_code == 200


def test_finding_9_api_the_last_page_within_the_bound_still_answers(people):
    create_case(people.giulia)
    assert api_as(people.giulia).get("/api/cases", {"offset": 1000}).json()["items"] == []
