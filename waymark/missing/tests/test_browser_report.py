"""In a real browser at a phone's size (390×844): a shelter caseworker at night reports a child
missing in two answers, then sees the protocol's clocks and the Missing-now board."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from waymark.missing.models import Disappearance
from waymark.test import PASSWORD, create_case, create_personas
from waymark.tests.test_browser import _csp_violations, browser_page  # noqa: F401  (fixture)
from waymark.vocab import CaseStatus

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield


def test_a_caseworker_reports_a_child_missing_from_a_phone(live_server, transactional_db, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    people = create_personas()
    case = create_case(people.giulia, given_names="Selam", family_name="Tesfay", nationality="ER")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)

    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.get_by_label("Username").fill("giulia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/purpose/"))
    page.get_by_label("Locate a missing child").check()
    page.get_by_role("button", name="Continue").click()

    page.locator("#report-missing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report missing")
    # Two answers are enough: the time (prefilled with now) and the category; the place helps.
    page.get_by_label("Last seen where").fill("Reception centre, Via Corelli (fictional)")
    page.get_by_label("116 000 category").select_option("unaccompanied_migrant")
    send = page.get_by_role("button", name="Report missing").first
    box = send.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the screen
    send.click()

    expect(page).to_have_url(re.compile(r"/missing/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selam Tesfay")
    expect(page.locator("#step-police_informed")).to_contain_text("due in")
    page.locator("#step-police_informed").get_by_role("button", name="Mark done").click()
    expect(page.locator("#step-police_informed")).to_contain_text("done by Giulia")

    page.get_by_role("link", name="Missing now").click()
    expect(page.locator("table.missing-board")).to_contain_text(case.reference)
    # No sideways scrolling of the page itself on a phone (the table scrolls in its own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    d = Disappearance.objects.get(case=case)
    assert d.case.status == CaseStatus.MISSING
    assert d.last_seen_place == "Reception centre, Via Corelli (fictional)"
    assert errors == []
    assert blocked == []
