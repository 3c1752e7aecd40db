"""A ranked search counts every case it ranked but loads only the cases of the page it shows
(issue 12 speed): the API's page and the case list's page are the ranking's, in its order."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.crossborder import load_records
from waymark.cases import ranked
from waymark.cases.access import cases_visible_to
from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as
from waymark.cases.tests.test_ranked_search_cap import _records
from waymark.vocab import Purpose

pytestmark = pytest.mark.django_db

NAMES = ["Mohamed Hossein"] * 3 + ["Muhammad Hussain"] * 3 + ["Mohamed Ahmad"] * 3


def _loaded_case_ids(captured: CaptureQueriesContext) -> list[set[int]]:
    """The case ids of each query that loads whole cases (with their child and organisation)."""
    found = []
    for q in captured.captured_queries:
        sql = q["sql"]
        if (
            sql.startswith('SELECT "cases_case"."id", "cases_case"."public_id"')
            and 'JOIN "cases_child"' in sql
        ):
            listed = re.search(r'"cases_case"\."id" IN \(([^)]*)\)', sql)
            assert listed, sql
            found.append({int(x) for x in listed.group(1).split(",")})
    return found


def _ranking(people) -> list[int]:
    visible = cases_visible_to(people.giulia, Purpose.CHILD_PROTECTION)
    return [r.case.pk for r in ranked.rank(visible, "Mohamed Hossein")]


def test_the_api_loads_only_the_page_of_the_ranking(people):
    load_records(people.it_cps, _records("A", NAMES))
    order = _ranking(people)
    assert len(order) == len(NAMES)
    references = dict(Case.objects.filter(pk__in=order).values_list("pk", "reference"))
    with CaptureQueriesContext(connection) as captured:
        body = (
            api_as(people.giulia).get("/api/cases", {"q": "Mohamed Hossein", "limit": 2, "offset": 3}).json()
        )
    assert body["count"] == len(NAMES)
    assert [item["reference"] for item in body["items"]] == [references[pk] for pk in order[3:5]]
    assert _loaded_case_ids(captured) == [set(order[3:5])]


def test_the_case_list_shows_the_ranking_page_by_page(people, client, settings):
    settings.WAYMARK_PAGE_SIZE = 4
    load_records(people.it_cps, _records("A", NAMES))
    order = _ranking(people)
    client.force_login(people.giulia)
    client.post(reverse("purpose_choose"), {"purpose": Purpose.CHILD_PROTECTION})
    first = client.get(reverse("case_list"), {"q": "Mohamed Hossein"})
    third = client.get(reverse("case_list"), {"q": "Mohamed Hossein", "page": 3})
    assert [c.pk for c in first.context["page"].object_list] == order[:4]
    assert [c.pk for c in third.context["page"].object_list] == order[8:]
    assert first.context["page"].paginator.count == len(NAMES)
    assert all(c.match.reasons for c in first.context["page"].object_list)
