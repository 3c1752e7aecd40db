"""``AnyOf`` selects exactly what ``__in`` selects (NULLs and duplicates ignored, an empty list
selects nothing), and on PostgreSQL sends the list as one array parameter, not one placeholder
per value (issue 12 speed: ranked search asks about hundreds of candidate ids at a time)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from waymark.cases.lookups import AnyOf
from waymark.cases.models import Case, ChildName
from waymark.test import create_case

pytestmark = pytest.mark.django_db


def test_it_selects_what_in_selects(people):
    cases = [create_case(people.giulia, given_names=f"Child{n}") for n in range(4)]
    wanted = [cases[0].child_id, cases[2].child_id, cases[2].child_id, None, -5]
    got = set(Case.objects.filter(AnyOf(F("child_id"), wanted)).values_list("pk", flat=True))
    assert got == set(Case.objects.filter(child_id__in=wanted).values_list("pk", flat=True))
    assert got == {cases[0].pk, cases[2].pk}


def test_it_matches_text_columns_too(people):
    create_case(people.giulia, given_names="Aziza", family_name="Karimi")
    names = ChildName.objects.filter(AnyOf(F("full_name"), ["Aziza Karimi", "Nobody", "it's"]))
    assert [n.full_name for n in names] == ["Aziza Karimi"]


def test_an_empty_list_selects_nothing(people):
    create_case(people.giulia)
    assert not Case.objects.filter(AnyOf(F("child_id"), [])).exists()
    assert not Case.objects.filter(AnyOf(F("child_id"), [None])).exists()


def test_on_postgresql_the_list_is_one_parameter(people):
    if connection.vendor != "postgresql":
        pytest.skip("the array parameter is PostgreSQL's; elsewhere AnyOf is IN (tested above)")
    case = create_case(people.giulia)
    with CaptureQueriesContext(connection) as captured:
        assert list(
            Case.objects.filter(AnyOf(F("child_id"), [case.child_id, 10**12])).values_list("pk", flat=True)
        ) == [case.pk]
    sql = captured.captured_queries[-1]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql
