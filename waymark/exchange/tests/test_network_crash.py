"""Two real node processes: a dispatcher killed (SIGKILL) after the peer applied a message and
before it recorded the receipt; an agreement suspended while messages flow. Each ends with the
reconciler."""

from __future__ import annotations

import pytest

from .cluster import all_receipted, outbox, reconciled, rows, send_notices, two_nodes, wait_until

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(tmp_path_factory.mktemp("net"), template=sqlite_template) as network:
        yield network


def test_a_dispatcher_killed_between_send_and_marking_is_absorbed_by_the_inbox(net):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    net.stop_dispatcher(it)
    net.start_dispatcher(it, WAYMARK_EXCHANGE_FAULT="kill_after_send")
    send_notices(net, it, count=1, label="crash")

    dispatcher = it.dispatcher
    assert dispatcher is not None
    wait_until(lambda: dispatcher.poll() is not None, what="the dispatcher to die")
    assert dispatcher.returncode == -9  # SIGKILL: no cleanup ran
    # The receiver applied it and answered; the sender never recorded the answer.
    assert outbox(net, it) == {"sending": 1}
    assert rows(net, fr, "SELECT times_received FROM exchange_inboxmessage") == [(1,)]

    net.start_dispatcher(it)  # a fresh dispatcher takes over once the lease has run out
    wait_until(all_receipted(net, it, 1), what="the re-send to be receipted")

    (receipt,) = rows(net, it, "SELECT receipt FROM exchange_outboxmessage")[0]
    assert rows(net, fr, "SELECT times_received, receipt FROM exchange_inboxmessage") == [(2, receipt)]
    assert rows(
        net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'notice' AND direction = 'in'"
    ) == [(1,)]
    report = reconciled(net)
    assert report.ok, report.problems


def test_a_message_after_the_agreement_is_suspended_gets_a_negative_receipt(net):
    it, fr = net.nodes["node-it"], net.nodes["node-fr"]
    before = outbox(net, it).get("receipted", 0)
    send_notices(net, it, count=3, label="before-suspension")
    wait_until(all_receipted(net, it, before + 3), what="the first messages")
    applied_before = rows(
        net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'notice' AND direction = 'in'"
    )

    # The registry authority suspends the agreement; node-fr has the new registry, node-it not yet.
    net.publish_registry(agreement_status="suspended", only=["node-fr"])
    send_notices(net, it, count=2, label="after-suspension")
    wait_until(lambda: outbox(net, it).get("rejected", 0) == 2, what="the refusals")

    refused = rows(net, it, "SELECT receipt_reason FROM exchange_outboxmessage WHERE status = 'rejected'")
    assert refused == [("agreement_inactive",), ("agreement_inactive",)]
    assert (
        rows(net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'notice' AND direction = 'in'")
        == applied_before
    )
    assert rows(
        net, fr, "SELECT COUNT(*) FROM exchange_inboundrefusal WHERE reason = 'agreement_inactive'"
    ) == [(2,)]

    net.publish_registry(agreement_status="active")
    report = reconciled(net)
    assert report.ok, report.problems
    assert report.rejected == 2
