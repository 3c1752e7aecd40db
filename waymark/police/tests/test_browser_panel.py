"""In a real browser at a phone's size (390×844): the caseworker asks the police for an SIS alert
from the disappearance page and records it issued with the police's reference; the panel fits
the screen and runs under the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from waymark.police.models import PoliceAlert
from waymark.test import PASSWORD, create_personas
from waymark.tests.test_browser import _csp_violations, browser_page  # noqa: F401  (fixture)
from waymark.vocab import PoliceAlertState

from .helpers import missing_case

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield


def test_a_caseworker_requests_an_sis_alert_and_records_it_issued_from_a_phone(
    live_server,
    transactional_db,
    browser_page,  # noqa: F811
):
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    people = create_personas()
    case, d = missing_case(people)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = _csp_violations(page)

    page.goto(f"{live_server.url}/missing/{d.public_id}/")
    page.get_by_label("Username").fill("giulia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/purpose/"))
    page.get_by_label("Locate a missing child").check()
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/missing/{d.public_id}/")

    panel = page.locator("#police")
    panel.get_by_label("Kind").select_option("sis_missing_minor")
    panel.get_by_label("Police unit").select_option("be-police-mpu")
    panel.get_by_label("SIS category (for an SIS alert)").select_option("protection")
    panel.get_by_role("button", name="Request the alert").click()
    expect(page.locator(".police-alert")).to_contain_text("Requested")
    # The protocol's SIS step was done by the request.
    expect(page.locator("#step-sis_alert_requested")).to_contain_text("done by Giulia")

    panel = page.locator("#police")
    panel.get_by_label("Police reference").fill("SIS-IT-0042 (fictional)")
    panel.get_by_role("button", name="Mark Issued").click()
    expect(page.locator(".police-alert")).to_contain_text("SIS-IT-0042 (fictional)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    alert = PoliceAlert.objects.get(case=case)
    assert alert.state == PoliceAlertState.ISSUED
    assert errors == []
    assert blocked == []
