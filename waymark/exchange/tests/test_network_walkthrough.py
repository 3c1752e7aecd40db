"""The exchange as a new user tries it (issue: "Done when"), in a real browser against two real nodes.

Giulia on the Italian node refers Amina to the NGO in Calais; Claire accepts it on the French
node; the Italian case shows the acceptance. The French node is stopped, Giulia sends an
information request, the node comes back: the request arrives and Claire answers it; Giulia's
dashboard showed the agreement's reply clock meanwhile. Ends with the reconciler.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .browsing import signed_in
from .cluster import reconciled, rows, two_nodes, wait_until

pytestmark = [pytest.mark.network, pytest.mark.browser]

FRENCH_NGO = "Association Refuge Calais (fictional)"
MILAN = "Servizio Tutela Minori Milano (fictional) (IT)"


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(tmp_path_factory.mktemp("walkthrough"), template=sqlite_template) as network:
        yield network


def amina(net: Any, node: Any) -> uuid.UUID:
    [(public_id,)] = rows(
        net,
        node,
        "SELECT c.public_id FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id WHERE ch.given_names = ?",
        "Amina",
    )
    return uuid.UUID(str(public_id))


def one(net: Any, node: Any, sql: str) -> Any:
    found = rows(net, node, sql)
    return found[0][0] if found else None


def test_refer_accept_then_ask_while_the_receiver_is_down(net, browser):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    it_url, fr_url = f"http://127.0.0.1:{it.port}", f"http://127.0.0.1:{fr.port}"
    case_id = amina(net, it)

    # Giulia refers Amina to the Calais NGO.
    giulia = signed_in(browser, it_url, "giulia")
    giulia.goto(f"{it_url}/exchange/case/{case_id}/")
    giulia.get_by_role("link", name="Refer the child").click()  # one action at a time (issue 10)
    form = giulia.locator("form[action$='/referral']")
    form.get_by_label("To", exact=True).select_option("fr-ngo-calais")
    form.get_by_label("Why this referral").fill("She plans to travel to Calais (fictional).")
    form.get_by_role("button", name="Send referral").click()
    assert f"Referral to {FRENCH_NGO}" in giulia.content()

    # Claire accepts it on her node: a case opens there.
    wait_until(
        lambda: (
            one(net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'referral' AND direction = 'in'")
            == 1
        ),
        what="the referral at node-fr",
    )
    claire = signed_in(browser, fr_url, "claire")
    claire.goto(f"{fr_url}/exchange/")
    claire.get_by_role("link", name=f"Referral from {MILAN}").click()
    claire.get_by_label("Note to the referrer").fill("We will meet her at the shelter.")
    claire.get_by_role("button", name="Accept the referral").click()
    assert "Accepted" in claire.content()

    # The Italian case shows the acceptance.
    wait_until(
        lambda: (
            one(net, it, "SELECT status FROM exchange_thread WHERE kind = 'referral' AND direction = 'out'")
            == "accepted"
        ),
        what="the acceptance at node-it",
    )
    giulia.goto(f"{it_url}/cases/{case_id}/")
    assert f"Referral accepted by {FRENCH_NGO}" in giulia.content()

    # The French node goes down; Giulia asks a question all the same.
    net.stop_web(fr)
    giulia.goto(f"{it_url}/exchange/case/{case_id}/")
    giulia.get_by_role("link", name="Request information").click()
    form = giulia.locator("form[action$='/request']")
    form.get_by_label("To", exact=True).select_option("fr-ngo-calais")
    form.get_by_label("Question 1").fill("Is Amina staying at your shelter tonight?")
    form.get_by_role("button", name="Send request").click()
    wait_until(
        lambda: (
            (one(net, it, "SELECT MAX(attempts) FROM exchange_outboxmessage WHERE status = 'pending'") or 0)
            >= 1
        ),
        what="a failed first attempt",
    )
    giulia.goto(f"{it_url}/exchange/")
    dashboard = giulia.content()
    assert "reply due in" in dashboard  # the agreement's 24-hour clock

    # It comes back: the request arrives and is answered.
    net.start_web(fr)
    net.wait_healthy(fr)
    wait_until(
        lambda: (
            one(
                net,
                fr,
                "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'info_request' AND direction = 'in'",
            )
            == 1
        ),
        timeout=90,
        what="the request at node-fr after its return",
    )
    claire.goto(f"{fr_url}/exchange/")
    assert "reply due in" in claire.content()  # the same clock on the receiving side
    claire.locator("a[href*='/exchange/requests/']", has_text=f"From {MILAN}").click()
    claire.get_by_label("Answer").first.fill("Yes, she arrived this evening (fictional).")
    claire.get_by_role("button", name="Send the answers").click()

    wait_until(
        lambda: (
            one(
                net,
                it,
                "SELECT status FROM exchange_thread WHERE kind = 'info_request' AND direction = 'out'",
            )
            == "answered"
        ),
        what="the answer at node-it",
    )
    giulia.goto(f"{it_url}/cases/{case_id}/")
    assert f"Information received from {FRENCH_NGO}" in giulia.content()

    wait_until(lambda: reconciled(net).ok, what="reconciliation")
