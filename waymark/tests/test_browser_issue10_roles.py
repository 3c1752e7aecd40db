"""Issue 10 in a real browser (Debian's chromium, Playwright): a hotline operator's refused save
shows its error in place instead of nothing, and on an Arabic page Latin names and typed text
keep their own direction (their full stops do not jump to the start)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from waymark.cases import actions
from waymark.cases.models import Case, Event
from waymark.cases.schemas import EventIn
from waymark.test import PASSWORD, create_case, create_personas, create_user
from waymark.vocab import Role

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        try:
            page = browser.new_context(locale="en-GB").new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_hotline_sighting_save_error_is_shown_in_the_browser(live_server, transactional_db, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    people = create_personas()
    create_user("elena", people.it_cps, Role.HOTLINE_OPERATOR)
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    _log_in(page, live_server.url, "elena")
    page.goto(f"{live_server.url}/purpose/")
    # Only what her role may use is offered, and immigration enforcement (refused).
    offered = page.locator("input[name=purpose]")
    assert sorted(offered.evaluate_all("els => els.map(e => e.value)")) == [
        "immigration_enforcement",
        "locate_missing_child",
    ]
    page.get_by_label("Locate a missing child").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Open reports")).to_be_visible()
    expect(page.locator(".site-nav")).not_to_contain_text("New child")

    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    opener = page.locator("details.add-event > summary")
    if opener.count():
        opener.first.click()
    form = page.locator("#event-form")
    form.locator("[name=type]").select_option("sighting")
    # The category follows the type (contact and location: hers to write), not "Case notes".
    expect(form.locator("[name=category] option:checked")).to_contain_text("Contact")
    form.locator("[name=summary]").fill("Seen at Milano Centrale (fictional)")
    # Meanwhile the case went to another organisation: the save is refused, and she is told.
    Case.objects.filter(pk=case.pk).update(organisation=people.fr_ngo)
    form.get_by_role("button", name=re.compile("Add event")).click()
    alert = form.locator(".htmx-error[role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("not open to you for your current purpose")
    assert not Event.objects.filter(case=case, type="sighting").exists()

    # Back with her service: it saves and the message goes.
    Case.objects.filter(pk=case.pk).update(organisation=people.it_cps)
    form.get_by_role("button", name=re.compile("Add event")).click()
    expect(page.locator("#timeline li").first).to_contain_text("Seen at Milano Centrale")
    expect(page.locator("#event-form .htmx-error")).to_have_count(0)
    assert Event.objects.get(case=case, type="sighting").category == "contact_location"

    assert errors == []
    assert blocked == []


def test_latin_text_keeps_its_direction_on_an_arabic_page(live_server, transactional_db, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    people = create_personas()
    case = create_case(
        people.giulia, given_names="Amina", family_name="Tesfaye", case={"caseworker": "giulia"}
    )
    actions.do_add_event(people.giulia, case, EventIn(type="note", summary="Seen near the railway station."))

    _log_in(page, live_server.url, "giulia")
    page.goto(f"{live_server.url}/purpose/")
    page.get_by_label("Child protection").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.goto(f"{live_server.url}/")
    summary = page.locator(".recent-events bdi.summary").first
    expect(summary).to_have_text("Seen near the railway station.")
    # Isolated, the Latin sentence is laid out left to right inside the right-to-left page, so
    # its full stop stays at its end.
    assert summary.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.locator("body").evaluate("e => getComputedStyle(e).direction") == "rtl"

    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    for selector in (".event-summary bdi", ".event-by bdi", "p.ref bdi"):
        node = page.locator(selector).first
        expect(node).to_be_attached()
        assert node.evaluate("e => getComputedStyle(e).direction") == "ltr", selector
