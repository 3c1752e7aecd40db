"""The case list comes in pages, with a fixed number of queries whatever the page holds."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waymark.test import create_case, login

NAMES = ["Amina", "Yonas", "Omar", "Fatima", "Hamid"]


def test_giulia_pages_through_her_cases(client, people, settings):
    settings.WAYMARK_PAGE_SIZE = 2
    cases = [create_case(people.giulia, given_names=n, family_name="Test") for n in NAMES]
    newest_first = [c.reference for c in reversed(cases)]
    login(client, people.giulia)

    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("case_list"), {"page": page})
        html = response.content.decode()
        on_page = [ref for ref in newest_first if ref in html]
        assert len(on_page) == (2 if page < 3 else 1)
        seen += on_page
        assert f"Page {page} of 3" in html
    assert seen == newest_first
    assert "5 cases found" in html


def test_pagination_links_keep_the_search_and_use_htmx(client, people, settings):
    settings.WAYMARK_PAGE_SIZE = 2
    for n in NAMES:
        create_case(people.giulia, given_names=n, family_name="Tesfaye")
    login(client, people.giulia)
    html = client.get(reverse("case_list"), {"q": "Tesfaye", "status": "open"}).content.decode()
    assert 'href="/cases/?q=Tesfaye&amp;status=open&amp;page=2"' in html
    assert 'hx-get="/cases/?q=Tesfaye&amp;status=open&amp;page=2"' in html


def test_a_page_out_of_range_shows_the_last_page(client, people, settings):
    settings.WAYMARK_PAGE_SIZE = 2
    cases = [create_case(people.giulia, given_names=n, family_name="Test") for n in NAMES]
    login(client, people.giulia)
    html = client.get(reverse("case_list"), {"page": 99}).content.decode()
    assert cases[0].reference in html
    assert "Page 3 of 3" in html


def _queries_for_list(client, **params: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("case_list"), params or {"q": "Test"})
    return [q["sql"] for q in ctx.captured_queries]


def test_the_list_costs_the_same_queries_for_one_row_or_many_and_counts_without_joins(
    client, people, settings
):
    login(client, people.giulia)
    create_case(people.giulia, given_names="Amina", family_name="Test")
    _queries_for_list(client)  # the organisations offered as filters are then kept in the session
    one_row = _queries_for_list(client)
    for n in NAMES:
        create_case(people.giulia, given_names=n, family_name="Test")
    many_rows = _queries_for_list(client)
    assert len(many_rows) == len(one_row)

    # A name search is ranked (a bounded list of candidates, counted as it is read); a list
    # filtered otherwise is paged, and counted once, without joins.
    filtered = _queries_for_list(client, status="open")
    counts = [sql for sql in filtered if "COUNT(" in sql.upper() and "cases_case" in sql]
    assert len(counts) == 1
    assert "JOIN" not in counts[0].upper()
