"""The case page in a real browser (issue 10, item 3): Giulia records a disappearance from the
form at the top of the page; choosing the type redraws the form with the category it implies and
the offer to mark the child missing; saving shows the new situation first."""

from __future__ import annotations

import re

import pytest

from waymark.test import PASSWORD, create_case, create_personas

from .test_browser import _allow_orm_beside_playwright, _csp_violations, browser_page  # noqa: F401

pytestmark = pytest.mark.browser


def test_giulia_records_a_disappearance_from_the_top_of_the_case_page(
    live_server,
    transactional_db,
    browser_page,  # noqa: F811 (the fixture imported above)
):
    from playwright.sync_api import expect

    page = browser_page
    people = create_personas()
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfaye", nationality="ER")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("giulia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/purpose/")
    page.get_by_label("Child protection").check()
    page.get_by_role("button", name="Continue").click()

    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    form = page.locator("#event-form")
    # "Add event" is on the first screen, open, above the identity and the timeline.
    expect(page.get_by_role("heading", name="Add event")).to_be_in_viewport()
    expect(form.get_by_label("Type")).to_be_in_viewport()
    assert form.bounding_box()["y"] < page.locator("#identity-h").bounding_box()["y"]

    # Choosing the type redraws the form: the category it implies, the status change it offers.
    form.get_by_label("Summary").fill("Did not come back to the centre (fictional)")
    form.get_by_label("Type").select_option("disappearance")
    expect(form.get_by_label("Also mark the child missing")).to_be_checked()
    expect(form.get_by_label("Who may read it")).to_contain_text("As the type says (Contact and location)")
    expect(form.get_by_label("Summary")).to_have_value("Did not come back to the centre (fictional)")
    form.get_by_label("Place").fill("Centro Via Corelli (fictional)")
    form.get_by_label("Missing-child category").select_option("unaccompanied_migrant")
    form.get_by_role("button", name="Add event").click()

    # The page comes back led by the new situation.
    expect(page.get_by_text("The case is now marked missing.")).to_be_visible()
    situation = page.locator(".situation")
    expect(situation).to_contain_text("Missing since")
    expect(situation).to_contain_text("Centro Via Corelli (fictional)")
    expect(page.locator("#timeline")).to_contain_text("Did not come back to the centre (fictional)")
    expect(page.locator("#timeline")).to_contain_text("Status changed from Open to Missing")
    expect(page).to_have_url(re.compile(rf"/cases/{case.public_id}/$"))

    assert errors == []
    assert blocked == []
