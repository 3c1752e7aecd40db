"""Ranked search reads a bounded number of key rows: a name held by many children costs the same
few queries, the child agreeing on both names is still found first (pair keys), a caller's own
child is found even when other organisations' children fill every capped lookup (and those are
never listed), and a query agreeing only within one edit still gets an answer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.crossborder import load_records
from waymark.cases import ranked
from waymark.cases.access import cases_visible_to
from waymark.core.synthetic import Record
from waymark.vocab import Purpose

pytestmark = pytest.mark.django_db


def _records(prefix: str, names: list[str]) -> tuple[Record, ...]:
    """Fictional children with these names (given name first), for bulk loading."""
    out = []
    for i, full in enumerate(names):
        given, _, family = full.partition(" ")
        out.append(
            Record(f"{prefix}{i:04d}", i, given, family, "", "M", "2010-01-01", True, None, "", "", ())
        )
    return tuple(out)


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(ranked, "ROWS_PER_LOOKUP", 12)
    monkeypatch.setattr(ranked, "CANDIDATES", 8)


def _search(user, q):
    return ranked.rank(cases_visible_to(user, Purpose.CHILD_PROTECTION), q, limit=10)


def test_a_common_name_costs_the_same_queries_however_many_children_hold_it(people, small_caps):
    load_records(people.it_cps, _records("A", ["Mohamed Ahmad"] * 40 + ["Yonas Hossein"] * 40))
    wanted = load_records(people.it_cps, _records("B", ["Muhammad Hussain"]), start=100)["B0000"]
    with CaptureQueriesContext(connection) as few:
        found = _search(people.giulia, "Mohamed Hossein")
    # Every single-name lookup is cut at 12 rows; the pair key finds the one child with both.
    assert found[0].case.pk == wanted
    assert found[0].exact
    load_records(people.it_cps, _records("C", ["Mohamed Ahmad"] * 80 + ["Yonas Hossein"] * 80), start=200)
    with CaptureQueriesContext(connection) as more:
        again = _search(people.giulia, "Mohamed Hossein")
    assert again[0].case.pk == wanted
    assert len(more) == len(few) <= 12  # visibility, lookups by tier, names, scoring, the page
    key_reads = [q["sql"] for q in more.captured_queries if "cases_matchkey" in q["sql"]]
    assert key_reads and all("LIMIT 12" in sql for sql in key_reads)


def test_the_callers_child_is_found_when_other_organisations_fill_every_lookup(people, small_caps):
    # Created first, so the capped lookups over the whole node return only these.
    others = load_records(people.fr_ngo, _records("F", ["Mohamed Hossein"] * 60))
    mine = load_records(people.it_cps, _records("I", ["Mohamed Husein"]))["I0000"]
    found = _search(people.giulia, "Mohamed Hossein")
    assert [r.case.pk for r in found] == [mine]
    assert not {r.case.pk for r in _search(people.giulia, "Mohamed")} & set(others.values())


def test_a_query_agreeing_only_within_one_edit_still_gets_the_closest(people, small_caps):
    load_records(people.it_cps, _records("A", ["Yonas Tesfay"] * 30 + ["Ahmad Karimi"] * 30))
    wanted = load_records(people.it_cps, _records("B", ["Tekle Yonas"]), start=100)["B0000"]
    found = _search(people.giulia, "Tekoe Yonaz")  # a dropped letter and a voiced final s
    assert wanted in [r.case.pk for r in found]
    assert not found[0].exact or found[0].case.pk == wanted
