"""End to end in a real browser: Debian's chromium driven by Playwright against a live server.

Giulia finds Mohammed by another spelling and by his name in Arabic script, adds an event
with the inline htmx form, and switches the interface to Arabic (right to left).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from waymark.test import PASSWORD, create_case, create_personas

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
    # refuse. Set for this module's tests only: left in os.environ it would leak into other
    # tests' subprocesses (manage.py check --deploy flags it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


def _csp_violations(page: Any) -> list[str]:
    """Console reports of anything the Content-Security-Policy blocked, as they happen."""
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def test_giulia_searches_in_two_scripts_adds_an_event_and_reads_in_arabic(
    live_server, transactional_db, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    people = create_personas()
    mohammed = create_case(
        people.giulia,
        given_names="Mohammed",
        family_name="Hossein",
        aliases=[{"full_name": "محمد حسين", "note": "as the hotline wrote it"}],
        nationality="AF",
    )
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfaye", nationality="ER")
    outside = create_case(people.claire, given_names="Mohamed", family_name="Hassan")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)
    # Only this node's own server may be contacted: no CDN, nothing downloaded.
    foreign: list[str] = []
    page.on(
        "request",
        lambda req: None if req.url.startswith(live_server.url) else foreign.append(req.url),
    )

    # Log in.
    page.goto(f"{live_server.url}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/"))
    page.get_by_label("Username").fill("giulia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Before any child data: why is she working with it? (the firewall's declared purpose)
    expect(page).to_have_url(re.compile(r"/purpose/"))
    page.get_by_label("Locate a missing child").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    expect(page.locator("#current-purpose")).to_contain_text("Locate a missing child")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_text("Fictional demo data — not real children")).to_be_visible()

    # Live search by another Latin spelling: only the results are swapped, the URL is pushed.
    page.evaluate("window.__samePage = true")
    search = page.get_by_label("Name (any spelling or script)")
    search.fill("Muhamad Husain")
    results = page.locator("#results")
    expect(results).to_contain_text(mohammed.reference)
    expect(results).not_to_contain_text(amina.reference)
    expect(results).not_to_contain_text(outside.reference)
    expect(page).to_have_url(re.compile(r"q=Muhamad"))
    expect(page.locator("#result-count")).to_contain_text("1 case found")
    assert page.evaluate("window.__samePage") is True

    # And by his name in Arabic script.
    search.fill("محمد")
    expect(page).to_have_url(re.compile(r"q=%D9%85"))
    expect(results).to_contain_text(mohammed.reference)
    expect(results).not_to_contain_text(amina.reference)

    # Changing a filter searches again at once.
    page.get_by_label("Status").select_option("missing")
    expect(results).not_to_contain_text(mohammed.reference)
    expect(page).to_have_url(re.compile(r"status=missing"))
    page.get_by_label("Status").select_option("")
    expect(results).to_contain_text(mohammed.reference)
    assert page.evaluate("window.__samePage") is True

    # Open the case and add an event with the inline form.
    results.get_by_role("link", name=mohammed.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mohammed Hossein")
    expect(page.get_by_text("as the hotline wrote it")).to_be_visible()
    page.evaluate("window.__samePage = true")
    form = page.locator("#event-form")  # open at the top of the page, no toggle
    form.get_by_label("Type").select_option("sighting")
    form.get_by_label("Summary").fill("Seen at Milano Centrale by the outreach team")
    form.get_by_role("button", name="Add event").click()
    timeline = page.locator("#timeline")
    expect(timeline.locator("li").first).to_contain_text("Seen at Milano Centrale by the outreach team")
    expect(timeline.locator("li").first).to_contain_text("Sighting")
    expect(page.get_by_text("Event added to the timeline.")).to_be_visible()
    assert page.evaluate("window.__samePage") is True  # no full reload

    # A refused event shows its error in place and adds nothing.
    events_before = timeline.locator("li").count()
    page.locator("#event-form").get_by_role("button", name="Add event").click()
    expect(page.locator("#event-form .errorlist")).to_be_visible()
    assert timeline.locator("li").count() == events_before

    # Switch the interface to Arabic: right to left, translated.
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("link", name="الحالات")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mohammed Hossein")

    assert errors == []
    assert foreign == []
    assert blocked == []  # the Content-Security-Policy refused nothing the pages needed


def test_finding_6_the_content_security_policy_blocks_nothing_on_the_pages_people_use(
    live_server, transactional_db, browser_page, settings
):
    """The dashboard's bars (SVG, no inline style), the interactive API docs, the admin's agreement
    form and the authenticator-app set-up page, under the strict policy, in a real browser."""
    from playwright.sync_api import expect

    from waymark.test import create_user
    from waymark.vocab import Role

    page = browser_page
    people = create_personas()
    create_case(people.giulia, given_names="Amina", family_name="Tesfaye", nationality="ER")
    create_user("nadia", people.it_cps, Role.NODE_ADMIN, is_staff=True, is_superuser=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)

    def log_in(username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

    log_in("giulia")
    page.goto(f"{live_server.url}/purpose/")
    page.get_by_label("Child protection").check()
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/")
    bar = page.locator(".bars rect").first
    expect(bar).to_be_attached()
    assert float(bar.get_attribute("width") or 0) > 0
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Waymark API")
    page.goto(f"{live_server.url}/accounts/2fa/")
    page.context.clear_cookies()

    log_in("nadia")
    page.goto(f"{live_server.url}/admin/policy/agreement/add/")
    expect(page.locator("#id_parties_from")).to_be_visible()  # the filter widget, built by JS

    assert errors == []
    assert blocked == []
