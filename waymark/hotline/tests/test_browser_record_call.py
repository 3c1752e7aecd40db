"""In a real browser at a phone's size (390×844): a 116 000 operator at night takes a call about a
child another organisation holds, looks the child up, sees only "held by ⟨organisation⟩" and
passes the call; then records a second call as a new case. Nothing scrolls sideways; no script
error, no blocked resource."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from waymark.cases.models import Case
from waymark.hotline.models import Call
from waymark.missing.models import Notification
from waymark.test import PASSWORD, create_case, create_personas
from waymark.tests.test_browser import _csp_violations, browser_page  # noqa: F401  (fixture)
from waymark.vocab import CallOutcome, CaseStatus

from .helpers import create_hotline

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield


def test_an_operator_records_calls_from_a_phone(live_server, transactional_db, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    people = create_personas()
    hotline = create_hotline(people)
    held = create_case(people.giulia, given_names="Selam", family_name="Tesfay", nationality="ER")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/purpose/"))
    page.get_by_label("Locate a missing child").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Record a call").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a call")
    page.get_by_label("The child's name, as the caller says it").fill("Selam Tesfai")
    page.get_by_label("Who is calling (relationship to the child)").select_option("friend")
    page.get_by_label("What the caller knows").fill("She phoned from a bus to Ventimiglia (fictional)")
    look = page.get_by_role("button", name="Look up the child")
    box = look.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the screen
    look.click()

    outcomes = page.locator("#outcomes")
    expect(outcomes).to_contain_text("A possible match is held by Servizio Tutela Minori Milano (fictional)")
    assert held.reference not in page.content() and "Tesfay" not in outcomes.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # What was typed is still there: the outcome sends it all again.
    expect(page.get_by_label("What the caller knows")).to_have_value(
        "She phoned from a bus to Ventimiglia (fictional)"
    )
    page.get_by_role("button", name="Pass the call to them").click()
    expect(page).to_have_url(re.compile(r"/hotline/calls/[0-9a-f-]+/$"))
    expect(page.locator("#call-outcome")).to_contain_text(
        "Passed to the organisation holding a possible match"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A second call: a child nobody holds; a new case in the hotline, reported missing.
    page.get_by_role("link", name="Record a call").click()
    page.get_by_label("The child's name, as the caller says it").fill("Dawit Mesfin")
    page.get_by_label("Who is calling (relationship to the child)").select_option("family")
    page.get_by_role("button", name="Look up the child").click()
    expect(outcomes).to_contain_text("No case you may see has this name.")
    page.get_by_role("button", name="Open a new case").click()
    expect(page.locator("#call-outcome")).to_contain_text("New case opened")

    passed = Call.objects.get(outcome=CallOutcome.PASSED)
    assert passed.passed_to == people.it_cps and Notification.objects.filter(user=people.giulia).exists()
    opened = Case.objects.get(organisation=hotline.org)
    assert opened.status == CaseStatus.MISSING and opened.child.given_names == "Dawit"
    assert errors == []
    assert blocked == []
