"""The accessibility gate: axe-core on every main page, in English and Arabic, on a desktop and a
phone, in Debian's chromium; and the phone layout's promise (no page scrolls sideways).

axe-core (npm, MPL-2.0) is vendored in waymark/tests/vendor/ and injected into each page; the
node's Content-Security-Policy forbids injected scripts, so the browser context bypasses the CSP
for this test only (test_browser.py checks the CSP itself). A serious or critical violation fails
the test; moderate and minor ones are printed and counted in docs/accessibility.md.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from waymark.test import PASSWORD, create_case, create_personas, create_user
from waymark.vocab import Role

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
BLOCKING = frozenset({"serious", "critical"})

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_browser.py


@pytest.fixture
def browser() -> Iterator[Any]:
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
            yield browser
        finally:
            browser.close()


def axe(page: Any) -> list[dict[str, Any]]:
    """The violations axe-core finds on the page as it is now (WCAG 2.1 A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)["violations"]
    ]


def no_sideways_scroll(page: Any, width: int) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= width


def test_the_main_pages_pass_axe_in_english_and_arabic_on_a_desktop_and_a_phone(
    live_server, transactional_db, browser
):
    people = create_personas()
    create_user("dora", people.it_cps, Role.DPO)
    case = create_case(
        people.giulia,
        given_names="Saba",
        family_name="Tesfaye",
        aliases=[{"full_name": "ሳባ ተስፋይ", "note": "as written on her card (fictional)"}],
        nationality="ER",
        languages=["ti"],
        case={"guardian": "marco"},
    )
    create_case(people.giulia, given_names="Mohammed", family_name="Hossein", nationality="AF")
    url = live_server.url
    pages_of = {
        "giulia": [
            ("dashboard", reverse("dashboard")),
            ("case list", reverse("case_list")),
            ("case page", reverse("case_detail", args=[case.public_id])),
            ("new child", reverse("case_create")),
            ("access report", reverse("access_report", args=[case.public_id])),
            ("access report (Tigrinya)", reverse("access_report", args=[case.public_id]) + "?lang=ti"),
            ("exchange", reverse("exchange:dashboard")),
            ("purpose", reverse("purpose_choose")),
        ],
        "dora": [("policy explain", reverse("policy_explain")), ("audit log", reverse("audit_log"))],
    }
    serious: list[str] = []
    moderate: dict[str, int] = {}
    sideways: list[str] = []
    for lang in ("en", "ar"):
        for device, (width, height) in VIEWPORTS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="en-GB", bypass_csp=True
            )
            page = context.new_page()
            page.set_default_timeout(15_000)

            def check(
                name: str, page: Any = page, lang: str = lang, device: str = device, width: int = width
            ) -> None:
                where = f"{name} [{lang}, {device}]"
                for v in axe(page):
                    if v["impact"] in BLOCKING:
                        serious.append(f"{where}: {v['id']} ({v['impact']}) at {v['nodes']}")
                    else:
                        moderate[v["id"]] = moderate.get(v["id"], 0) + 1
                if not no_sideways_scroll(page, width):
                    sideways.append(where)

            page.goto(f"{url}/accounts/login/")
            check("login")
            for username, pages in pages_of.items():
                context.clear_cookies()
                page.goto(f"{url}/accounts/login/")
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password").fill(PASSWORD)
                with page.expect_navigation():
                    page.get_by_role("button", name="Log in").click()
                check(f"first page after login ({username})")  # with its messages, if any
                # The interface language, then the purpose (the firewall asks before any child data).
                page.locator(".lang-form select").select_option(lang)
                with page.expect_navigation():
                    page.locator(".lang-form button[type=submit]").click()
                page.goto(f"{url}{reverse('purpose_choose')}")
                page.locator("input[name=purpose]").first.check()
                with page.expect_navigation():
                    page.locator(".purpose-form button[type=submit]").click()
                assert page.locator("html").get_attribute("lang") == lang
                for name, path in pages:
                    response = page.goto(f"{url}{path}")
                    assert response is not None and response.status == 200, (name, lang, device)
                    check(name)
            context.close()
    print(f"axe-core {AXE_VERSION}: moderate or minor violations by rule: {moderate or 'none'}")
    assert serious == [], "\n".join(serious)
    assert sideways == [], f"pages wider than the screen: {sideways}"


def test_on_a_phone_the_header_is_compact_and_each_case_is_a_card_with_its_status_and_risk(
    live_server, transactional_db, browser
):
    people = create_personas()
    create_case(people.giulia, given_names="Amina", family_name="Tesfaye", nationality="ER")
    width, height = VIEWPORTS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("giulia")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{reverse('purpose_choose')}")
    page.get_by_label("Child protection").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}{reverse('case_list')}")
    # The header (with the demo banners above it) leaves most of the first screen to the work.
    header_bottom = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
    assert header_bottom < 0.3 * height, header_bottom
    # Every menu item is reachable: the menu scrolls sideways inside itself, not the page.
    assert no_sideways_scroll(page, width)
    # The case is a card: its status and risk are on the screen, labelled, not off to the side.
    card = page.locator("table.results tbody tr").first
    for label in ("Status", "Risk"):
        cell = card.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
        assert (
            page.evaluate("c => getComputedStyle(c, '::before').content", cell.element_handle())
            == f'"{label}"'
        )
    assert card.locator(".status").is_visible() and card.locator(".risk").is_visible()
    context.close()
