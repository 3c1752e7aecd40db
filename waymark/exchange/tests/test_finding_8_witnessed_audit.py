"""Issue 9, finding 8 (a, b): no checkpoint was made unless someone ran ``audit_checkpoint``, and
checkpoints lived only in the node's own database, so whoever owns it could delete the trailing
ones, rewrite the tail, and still pass ``audit_verify``.

Now the dispatcher signs a checkpoint on a schedule when the log grew, and sends it to each
partner node (``audit_checkpoint``: purpose ``audit``, no data category, under an agreement in
force that lists it) with a consistency proof from the last one that partner accepted; the
partner keeps it, checks it, and its operators see a node whose log went backwards or forked.

Nodes share one database here (``LocalNode``s), so they share one audit log: node-it's log is
the log, and what node-fr witnessed of it is kept in the same database, apart.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry, AuditHead, Checkpoint, PeerCheckpoint, Verdict
from waymark.audit.testing import tamper
from waymark.cases.access import access_case
from waymark.core import merkle
from waymark.core.protocol import testing as proto
from waymark.core.protocol.messages import MessageType, body_json, make_header
from waymark.core.protocol.vocab import Purpose as WirePurpose
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.inbound import receive
from waymark.exchange.models import Direction, OutboxMessage, OutboxStatus, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import audit_checkpoint as witnessing
from waymark.exchange.threads import implemented_types
from waymark.test import create_case, create_user
from waymark.vocab import Purpose, Role

T = MessageType.AUDIT_CHECKPOINT


def nodes_taking(types=None):
    """The test registry's nodes, each declaring the types this version implements."""
    declared = tuple(sorted(types if types is not None else implemented_types()))
    return tuple(n.model_copy(update={"message_types": declared}) for n in proto.registry().nodes)


@pytest.fixture
def pair(people, federation):
    """node-it and node-fr under one agreement between the Milan service and the Calais NGO."""
    agreement = dated_agreement(
        parties=("it-cps-milano", "fr-ngo-calais"),
        grants=proto.grants(orgs=("it-cps-milano", "fr-ngo-calais")),
    )
    federation.publish(dated_registry(version=2, nodes=nodes_taking(), agreements=(agreement,)))
    return federation


def activity(people, n: int = 1) -> None:
    """Work that the audit log records: Giulia reads a case, ten times over per round."""
    case = create_case(people.giulia)
    for _ in range(10 * n):
        access_case(people.giulia, case.public_id, Purpose.CHILD_PROTECTION)


def round_and_deliver(federation, wire) -> witnessing.Round:
    done = witnessing.witness_round(federation.it)
    dispatch_pending(federation.it, wire)
    return done


def witnessed() -> list[PeerCheckpoint]:
    return list(PeerCheckpoint.objects.filter(peer_node="node-it").order_by("id"))


# --- (a) on a schedule --------------------------------------------------------------------------


def test_finding_8_a_round_signs_a_checkpoint_only_when_the_log_grew(people, pair, wire):
    activity(people)
    first = round_and_deliver(pair, wire)
    assert first.checkpoint is not None
    # Only the witnessing happened since (envelope, receipt, the partner's entry): no new one.
    assert round_and_deliver(pair, wire).checkpoint is None
    activity(people)
    assert round_and_deliver(pair, wire).checkpoint is not None
    assert Checkpoint.objects.count() == 2


def test_finding_8_the_dispatcher_runs_rounds_on_a_schedule():
    stop = threading.Event()
    rounds: list[float] = []

    def count(_node):
        rounds.append(time.monotonic())

    loop = threading.Thread(
        target=witnessing.run_rounds, args=(stop, None), kwargs={"interval": 0.05, "round": count}
    )
    loop.start()
    time.sleep(0.4)
    stop.set()
    loop.join(timeout=5)
    assert not loop.is_alive()
    assert len(rounds) >= 3


def test_finding_8_run_dispatcher_once_signs_and_sends_a_checkpoint(people, pair, wire, monkeypatch):
    from waymark.exchange.management.commands import run_dispatcher

    monkeypatch.setattr(run_dispatcher, "local_node", lambda: pair.it)
    monkeypatch.setattr(run_dispatcher, "HttpTransport", lambda **_kwargs: wire)
    activity(people)
    call_command("run_dispatcher", "--once", stdout=None)
    assert Checkpoint.objects.count() == 1
    assert [w.verdict for w in witnessed()] == [Verdict.FIRST]


# --- (b) sent to the partners, witnessed ---------------------------------------------------------


def test_finding_8_checkpoints_travel_to_each_partner_node_under_purpose_audit_with_no_data(
    people, federation, wire
):
    federation.publish(dated_registry(version=2, nodes=nodes_taking()))
    activity(people)
    done = witnessing.witness_round(federation.it)
    rows = list(OutboxMessage.objects.filter(message_type=T).order_by("to_node"))
    assert [(r.to_node, r.from_org, r.to_org) for r in rows] == [
        ("node-be", "it-cps-milano", "be-police-mpu"),
        ("node-fr", "it-cps-milano", "fr-ngo-calais"),
    ]
    assert {(r.purpose, r.agreement_id, r.conversation_id) for r in rows} == {
        (Purpose.AUDIT.value, proto.AGREEMENT_ID, "audit:node-it")
    }
    assert all(r.categories == [] and r.case is None for r in rows)
    assert len(done.sent) == 2
    dispatch_pending(federation.it, wire)
    assert OutboxMessage.objects.filter(message_type=T, status=OutboxStatus.RECEIPTED).count() == 2


def test_finding_8_the_partner_keeps_each_checkpoint_and_checks_it_extends_the_last(people, pair, wire):
    activity(people)
    first = round_and_deliver(pair, wire).checkpoint
    activity(people, 2)
    second = round_and_deliver(pair, wire).checkpoint
    assert first is not None and second is not None
    assert [(w.verdict, w.tree_size, w.proven_from) for w in witnessed()] == [
        (Verdict.FIRST, first.tree_size, 0),
        (Verdict.CONSISTENT, second.tree_size, first.tree_size),
    ]
    assert witnessed()[1].root_hash == second.root_hash
    received = Thread.objects.filter(kind="audit_checkpoint", direction=Direction.INCOMING)
    assert received.count() == 2 and all(t.case is None and t.categories == [] for t in received)


def test_finding_8_one_checkpoint_in_flight_per_partner(people, pair, wire):
    activity(people)
    assert len(witnessing.witness_round(pair.it).sent) == 1
    activity(people)
    assert witnessing.witness_round(pair.it).sent == []  # the first is not delivered yet
    dispatch_pending(pair.it, wire)
    activity(people)
    assert len(witnessing.witness_round(pair.it).sent) == 1


def rewrite_from(seq: int) -> None:
    """What whoever owns the database can do: delete the entries from ``seq`` on and every
    checkpoint beyond, and make the head agree, so that ``audit_verify`` still passes."""
    tamper("DELETE FROM audit_checkpoint WHERE tree_size > %s", [seq])
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [seq])
    frontier = merkle.Frontier()
    last = ""
    for leaf in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True):
        frontier.append(bytes.fromhex(leaf))
        last = leaf
    AuditHead.objects.filter(pk=1).update(
        tree_size=frontier.size,
        frontier=frontier.to_hex(),
        root_hash=frontier.root().hex(),
        last_leaf_hash=last,
    )


def test_finding_8_a_partner_whose_log_went_backwards_is_flagged_on_the_operators_dashboard(
    client, people, pair, wire
):
    from waymark.audit import service

    activity(people, 3)
    held = round_and_deliver(pair, wire).checkpoint
    assert held is not None
    rewrite_from(held.tree_size - 15)
    assert service.verify().ok  # the node's own verification cannot see it
    activity(people)
    assert AuditHead.objects.get().tree_size < held.tree_size
    round_and_deliver(pair, wire)
    assert witnessed()[-1].verdict == Verdict.BACKWARDS

    admin = create_user("hugo-admin", people.fr_ngo, Role.NODE_ADMIN)
    client.force_login(admin)
    body = client.get(reverse("exchange:dashboard")).content.decode()
    assert "node-it" in body and "went backwards" in body.lower()
    audit_page = client.get(reverse("audit_log")).content.decode()
    assert "node-it" in audit_page and "went backwards" in audit_page.lower()


def test_finding_8_a_rewritten_tail_is_seen_as_a_fork_by_the_partner(people, pair, wire):
    activity(people, 2)
    held = round_and_deliver(pair, wire).checkpoint
    assert held is not None
    rewrite_from(held.tree_size - 10)
    activity(people, 3)  # the log grows past what the partner holds, on a rewritten history
    assert AuditHead.objects.get().tree_size > held.tree_size
    round_and_deliver(pair, wire)
    assert witnessed()[-1].verdict == Verdict.FORKED
    # …and it stays flagged: later checkpoints cannot prove they extend the one held.
    activity(people)
    round_and_deliver(pair, wire)
    assert witnessed()[-1].verdict in (Verdict.UNPROVEN, Verdict.FORKED)


def test_finding_8_an_administrator_resets_a_flagged_partner_with_a_reason(people, pair, wire):
    activity(people, 3)
    held = round_and_deliver(pair, wire).checkpoint
    assert held is not None
    rewrite_from(held.tree_size - 15)
    activity(people)
    round_and_deliver(pair, wire)
    call_command(
        "audit_witness_reset", "node-it", "--reason", "restored from a backup (fictional)", stdout=None
    )
    activity(people)
    round_and_deliver(pair, wire)
    assert [w.verdict for w in witnessed()][-2:] == [Verdict.RESET, Verdict.FIRST]


def checkpoint_envelope(body, **overrides) -> bytes:
    """node-it's checkpoint message to node-fr as a node would seal it; ``overrides`` change the
    signed header (what a misbehaving node could sign)."""
    header = make_header(
        type=T,
        body=body,
        conversation_id="audit:node-it",
        from_node="node-it",
        from_org="it-cps-milano",
        to_node="node-fr",
        to_org="fr-ngo-calais",
        agreement_id=proto.AGREEMENT_ID,
        purpose=WirePurpose.AUDIT,
        now=timezone.now(),
    ).model_dump(mode="json")
    header.update({k: str(v) if isinstance(v, Purpose) else v for k, v in overrides.items()})
    return proto.forge(header, body_json(body))


def test_finding_8_a_checkpoint_whose_signature_does_not_verify_is_refused_and_nothing_kept(people, pair):
    body = proto.sample_bodies()[T]  # the shape of a note, not a real signature
    result = receive(pair.fr, checkpoint_envelope(body))
    assert (result.outcome, result.reason) == ("rejected", "schema_invalid")
    assert not PeerCheckpoint.objects.exists()
    assert not Thread.objects.filter(kind="audit_checkpoint").exists()


def test_finding_8_no_checkpoint_travels_without_an_agreement_that_lists_it(people, federation, wire):
    types = tuple(t for t in proto.agreement().message_types if t != T)
    federation.publish(
        dated_registry(version=2, nodes=nodes_taking(), agreements=(dated_agreement(message_types=types),))
    )
    activity(people)
    assert witnessing.witness_round(federation.it).sent == []
    assert not OutboxMessage.objects.filter(message_type=T).exists()
    # And a node that sends one anyway is refused by the receiver as the policy says.
    body = proto.sample_bodies()[T]
    result = receive(federation.fr, checkpoint_envelope(body))
    assert (result.outcome, result.reason) == ("rejected", "not_granted")


def test_finding_8_a_partner_that_does_not_take_checkpoints_is_not_sent_one(people, federation):
    # The registry's nodes declare no types: the baseline, which predates witnessing.
    activity(people)
    assert witnessing.witness_round(federation.it).sent == []


def test_finding_8_the_checkpoint_body_carries_no_data_category():
    from waymark.core.protocol.messages import categories_used

    assert categories_used(T, proto.sample_bodies()[T]) == set()
    assert body_json(proto.sample_bodies()[T])["old_size"] == 8


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        # Declaring a data category needs a grant for it for the purpose audit, and the agreement
        # has none: nothing can ride along with a checkpoint.
        ({"data_categories": ["identity"]}, "not_granted"),
        ({"purpose": Purpose.IMMIGRATION_ENFORCEMENT}, "forbidden_purpose"),
        # A checkpoint travels for the purpose audit and no other.
        ({"purpose": Purpose.CHILD_PROTECTION}, "not_granted"),
    ],
)
def test_finding_8_the_firewall_checks_a_checkpoint_like_any_message(people, pair, header, reason):
    result = receive(pair.fr, checkpoint_envelope(proto.sample_bodies()[T], **header))
    assert (result.outcome, result.reason) == ("rejected", reason)
    assert not PeerCheckpoint.objects.exists()


def test_finding_8_the_policy_engine_sees_no_category_in_a_checkpoint(people, pair):
    from waymark.exchange import guard
    from waymark.exchange.registry import current_registry

    made = make_header(
        type=T,
        body=proto.sample_bodies()[T],
        conversation_id="audit:node-it",
        from_node="node-it",
        from_org="it-cps-milano",
        to_node="node-fr",
        to_org="fr-ngo-calais",
        agreement_id=proto.AGREEMENT_ID,
        purpose=WirePurpose.AUDIT,
        now=timezone.now(),
    )
    assert made.data_categories == ()
    assert guard.inbound_refusal(current_registry(), made, timezone.now()) is None


def test_finding_8_production_cannot_turn_the_rounds_off():
    from waymark.tests.test_settings_production import GOOD, run_manage

    refused = run_manage({**GOOD, "WAYMARK_AUDIT_CHECKPOINT_SECONDS": "0"}, "check")
    assert refused.returncode != 0 and "WAYMARK_AUDIT_CHECKPOINT_SECONDS" in refused.stderr
    # Outside production 0 turns them off (process tests that count every outbox row).
    rounds: list[object] = []
    witnessing.run_rounds(threading.Event(), None, interval=0, round=rounds.append)
    assert rounds == []
