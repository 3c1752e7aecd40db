"""Family tracing between two real nodes, in a real browser as the people would do it.

Giulia (Milan, node-it), under the purpose family tracing, records Samir's brother — his name in
Arabic script — and asks the NGO in Calais (node-fr) to trace him, under the demo's family-tracing
agreement; Claire, on her own node, sends a progress note and the result. Milan's case shows
both and the brother is *found*; Calais holds the request only in its sealed thread — no relative
record, no name in clear. Debian's chromium through Playwright; ends with the reconciler.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .browsing import signed_in
from .cluster import reconciled, rows, two_nodes, wait_until

pytestmark = [pytest.mark.network, pytest.mark.browser]

BROTHER = "كريم حداد"  # Karim Haddad (fictional)
MILAN = "Servizio Tutela Minori Milano (fictional) (IT)"


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(tmp_path_factory.mktemp("tracing"), template=sqlite_template) as network:
        yield network


def samir(net: Any, node: Any) -> uuid.UUID:
    [(public_id,)] = rows(
        net,
        node,
        "SELECT c.public_id FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id WHERE ch.given_names = ?",
        "Samir",
    )
    return uuid.UUID(str(public_id))


def test_milan_asks_calais_to_trace_a_brother_and_the_result_comes_back(net, browser):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    it_url, fr_url = f"http://127.0.0.1:{it.port}", f"http://127.0.0.1:{fr.port}"
    case_id = samir(net, it)

    giulia = signed_in(browser, it_url, "giulia", purpose="Family tracing")
    giulia.goto(f"{it_url}/continuity/cases/{case_id}/relatives/new")
    giulia.get_by_label("Name, as written (any script)").fill(BROTHER)
    giulia.get_by_label("Relationship to the child").select_option("sibling")
    giulia.get_by_label("Country (code, e.g. BE)").fill("FR")
    giulia.get_by_role("button", name="Save").click()
    assert BROTHER in giulia.content() and "Not traced yet" in giulia.content()

    giulia.goto(f"{it_url}/exchange/case/{case_id}/")
    giulia.get_by_role("link", name="Trace a relative").click()
    form = giulia.locator("form[action$='/tracing']")
    form.get_by_label("To", exact=True).select_option("fr-ngo-calais")
    form.get_by_label("What the tracer should know").fill("He worked in Calais last spring (fictional).")
    form.get_by_role("button", name="Send the tracing request").click()
    assert "Family tracing asked of Association Refuge Calais" in giulia.content()

    wait_until(
        lambda: (
            rows(
                net,
                fr,
                "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'family_tracing' AND direction = 'in'",
            )[0][0]
            == 1
        ),
        what="the tracing request at node-fr",
    )
    claire = signed_in(browser, fr_url, "claire", purpose="Family tracing")
    claire.goto(f"{fr_url}/exchange/")
    claire.get_by_role("link", name=f"Asked by {MILAN}").first.click()
    assert BROTHER in claire.content()
    claire.get_by_label("What was done, what comes next").fill("Asked the shelters of Calais (fictional).")
    claire.get_by_role("button", name="Send the note").click()
    claire.get_by_label("Outcome").select_option("found")
    claire.get_by_label("Note", exact=True).fill("He lives in Calais and is well (fictional).")
    claire.get_by_role("button", name="Send the result").click()
    claire.get_by_role("heading", name="Result").wait_for()  # the thread page again, with its result
    assert "He lives in Calais" in claire.content()

    wait_until(
        lambda: (
            rows(
                net,
                it,
                "SELECT status FROM exchange_thread WHERE kind = 'family_tracing' AND direction = 'out'",
            )[0][0]
            == "found"
        ),
        what="the result at node-it",
    )
    assert rows(net, it, "SELECT contact_status FROM continuity_relative")[0][0] == "found"
    giulia.goto(f"{it_url}/cases/{case_id}/")
    page = giulia.content()
    assert "Family tracing progress from Association Refuge Calais" in page
    assert "Family tracing result from Association Refuge Calais" in page and "Found" in page

    # What Calais holds: the request in its sealed thread, no relative record, no name in clear.
    assert rows(net, fr, "SELECT COUNT(*) FROM continuity_relative")[0][0] == 0
    dumped = str(rows(net, fr, "SELECT * FROM exchange_thread WHERE kind = 'family_tracing'"))
    assert BROTHER not in dumped and "Karim" not in dumped

    wait_until(lambda: reconciled(net).ok, what="reconciliation")
    report = reconciled(net)
    assert report.ok, report
