"""A case transfer between two real nodes, driven in a real browser as the people would do it.

Giulia (Milan, node-it) offers Yonas's case to the NGO in Calais (node-fr); Claire accepts it on
her own node; the French case opens with the care plan and the history, the Italian case becomes
a closed, read-only copy. Debian's chromium through Playwright, each node its own web server,
dispatcher and database; ends with the reconciler.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .browsing import signed_in
from .cluster import reconciled, rows, two_nodes, wait_until

pytestmark = [pytest.mark.network, pytest.mark.browser]


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(tmp_path_factory.mktemp("transfer"), template=sqlite_template) as network:
        yield network


def yonas(net: Any, node: Any) -> tuple[uuid.UUID, str]:
    [(public_id, reference)] = rows(
        net,
        node,
        "SELECT c.public_id, c.reference FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id "
        "WHERE ch.given_names = ?",
        "Yonas",
    )
    return uuid.UUID(str(public_id)), reference


def test_a_case_moves_from_milan_to_calais(net, browser):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    it_url, fr_url = f"http://127.0.0.1:{it.port}", f"http://127.0.0.1:{fr.port}"
    case_id, reference = yonas(net, it)

    giulia = signed_in(browser, it_url, "giulia")
    giulia.goto(f"{it_url}/exchange/case/{case_id}/")
    # One action at a time (issue 10): choose the transfer, marked as irreversible, then its form.
    giulia.get_by_role("link", name="Transfer the case").click()
    form = giulia.locator("form[action$='/transfer']")
    form.get_by_label("To", exact=True).select_option("fr-ngo-calais")
    form.get_by_label("Purpose").select_option("care_continuity")
    form.get_by_label("Why this transfer").fill("Yonas now lives in Calais (fictional).")
    form.get_by_label("I understand: the case leaves my organisation when the transfer is accepted.").check()
    form.get_by_role("button", name="Offer the transfer").click()
    assert "Case transfer to Association Refuge Calais" in giulia.content()

    wait_until(
        lambda: (
            rows(
                net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'transfer' AND direction = 'in'"
            )[0][0]
            == 1
        ),
        what="the transfer offer at node-fr",
    )
    claire = signed_in(browser, fr_url, "claire")
    claire.goto(f"{fr_url}/exchange/")
    claire.get_by_role(
        "link", name="Transfer offered by Servizio Tutela Minori Milano (fictional) (IT)"
    ).click()
    assert "Yonas" in claire.content() and "Yonas now lives in Calais" in claire.content()
    claire.get_by_label("Note to the sending organisation").fill("We take over from today.")
    claire.get_by_role("button", name="Accept the transfer").click()
    body = claire.content()
    assert (
        "Case transferred from Servizio Tutela Minori Milano" in body
        and f"their reference {reference}" in body
    )

    wait_until(
        lambda: (
            rows(net, it, "SELECT status FROM cases_case WHERE reference = ?", reference)[0][0]
            == "transferred"
        ),
        what="the Italian case closing",
    )
    giulia.goto(f"{it_url}/cases/{case_id}/")
    page = giulia.content()
    assert "closed, read-only copy" in page and "Edit case" not in page
    assert "Transfer accepted by Association Refuge Calais" in page

    wait_until(lambda: reconciled(net).ok, what="reconciliation")
    report = reconciled(net)
    assert report.ok, report
