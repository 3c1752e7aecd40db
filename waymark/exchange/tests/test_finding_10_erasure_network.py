"""Finding 10 (erasure), between two real nodes: Milan (node-it) refers Amina to the NGO in
Calais (node-fr), which accepts; Milan's DPO erases Amina with ``manage.py erase_child``; the
erasure notice crosses the wire, Calais's copy of Amina is gone, and Milan sees the
confirmation. Each node its own processes (web server, dispatcher) and database on 127.0.0.1;
ends with the reconciler."""

from __future__ import annotations

from typing import Any

import pytest

from .cluster import reconciled, rows, two_nodes, wait_until

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(tmp_path_factory.mktemp("erasure"), template=sqlite_template) as network:
        yield network


def shell(net: Any, node: Any, code: str) -> str:
    return net.manage(node, "shell", "-c", code)


REFER = """
from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.exchange.threads import referral
giulia = User.objects.get(username="giulia")
case = Case.objects.get(child__given_names="Amina", organisation__slug="it-cps-milano")
referral.do_offer_referral(giulia, case, referral.ReferralIn(to_org="fr-ngo-calais", reason="Going to Calais (fictional)."))
print(case.reference)
"""

ACCEPT = """
from waymark.accounts.models import User
from waymark.exchange.models import Thread
from waymark.exchange.threads import referral
claire = User.objects.get(username="claire")
offer = Thread.objects.get(kind="referral", direction="in")
print(referral.do_accept_referral(claire, offer, referral.ReferralAcceptIn(note="We will meet her.")).case.reference)
"""


def count(net: Any, node: Any, sql: str, *params: Any) -> int:
    return int(rows(net, node, sql, *params)[0][0])


def test_finding_10_erasure_reaches_the_node_that_accepted_the_referral(net):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    reference = shell(net, it, REFER).strip().splitlines()[-1]
    wait_until(
        lambda: (
            count(
                net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'referral' AND direction = 'in'"
            )
            == 1
        ),
        what="the referral at node-fr",
    )
    theirs = shell(net, fr, ACCEPT).strip().splitlines()[-1]
    amina_in_calais = (
        "SELECT COUNT(*) FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id WHERE c.reference = ?"
    )
    assert count(net, fr, amina_in_calais, theirs) == 1
    wait_until(
        lambda: (
            rows(net, it, "SELECT status FROM exchange_thread WHERE kind = 'referral'")[0][0] == "accepted"
        ),
        what="the acceptance at node-it",
    )

    out = net.manage(
        it,
        "erase_child",
        reference,
        "--by",
        "anna-dpo",  # the demo DPO of the Milan service
        "--basis",
        "consent_withdrawn",
        "--reason",
        "Request of the young person (fictional).",
        "--confirm",
        reference,
    )
    assert f"erased {reference}" in out and "erasure notice queued to Association Refuge Calais" in out
    assert count(net, it, "SELECT COUNT(*) FROM cases_case WHERE reference = ?", reference) == 0

    # Calais erases its copy on receipt and confirms; Milan sees the confirmation.
    wait_until(lambda: count(net, fr, amina_in_calais, theirs) == 0, what="Amina erased at node-fr")
    assert count(net, fr, "SELECT COUNT(*) FROM cases_child WHERE given_names = 'Amina'") == 0
    assert rows(net, fr, "SELECT status FROM exchange_thread WHERE kind = 'erasure_notice'")[0][0] == "erased"
    wait_until(
        lambda: (
            rows(net, it, "SELECT status FROM exchange_thread WHERE kind = 'erasure_notice'")[0][0]
            == "erased"
        ),
        what="the confirmation at node-it",
    )
    assert count(net, fr, "SELECT COUNT(*) FROM audit_auditentry WHERE kind = 'erasure'") >= 1
    report = reconciled(net)
    assert report.ok, report.problems
