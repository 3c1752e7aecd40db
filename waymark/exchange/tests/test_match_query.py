"""Privacy-preserving hit / no-hit between two nodes: a match query carries one encoding, the
answer only tokens and scores; budgets and rate limits refuse on both sides; disclosure only
through an information request naming a token, which the answering node maps to its case."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.access import access_case
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import open_envelope
from waymark.core.protocol.messages import MatchQuery
from waymark.errors import ActionError, NotFound
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.inbound import receive
from waymark.exchange.models import CaseLink, Direction, OutboxMessage, Thread
from waymark.exchange.registry import current_registry
from waymark.exchange.threads import info_request
from waymark.exchange.threads.match_query import MatchQueryIn, do_query_match, resolve_candidate
from waymark.vocab import CaseStatus, DataCategory, Purpose

from .pprl_fixtures import create_children, sealed_query

pytestmark = pytest.mark.django_db

# One database holds every node's outbox: each dispatch sends the one message just written, as
# the node that wrote it (``limit=1``), so no node sends another's answer.

LOCATE = Purpose.LOCATE_MISSING_CHILD


def query(people, children, federation, **kw):
    return do_query_match(
        people.giulia,
        children.missing,
        MatchQueryIn(to_org="fr-ngo-calais", purpose=LOCATE, **kw),
        node=federation.it,
    )


def resolve(token: str, peer_node: str, peer_org: str):
    return resolve_candidate(
        token, peer_node=peer_node, peer_org=peer_org, local_org="fr-ngo-calais", now=timezone.now()
    )


def round_trip(people, federation, wire):
    children = create_children(people)
    sent = query(people, children, federation)
    dispatch_pending(federation.it, wire, limit=1)
    dispatch_pending(federation.fr, wire, limit=1)
    sent.refresh_from_db()
    return children, sent


def test_a_query_finds_the_child_on_the_other_node_as_a_token_and_a_score(people, matching_federation, wire):
    children, sent = round_trip(people, matching_federation, wire)

    assert sent.status == "answered"
    assert {o.message_type: o.status for o in OutboxMessage.objects.all()} == {
        "match_query": "receipted",
        "match_result": "receipted",
    }
    candidates = sent.data.doc("candidates", list)
    assert len(candidates) == 1
    (hit,) = candidates
    assert set(hit) == {"token", "score"} and hit["token"].startswith("c_") and hit["score"] >= 0.7
    # The token is not the case's id, and the querying side holds no link to the French case.
    assert str(children.same.public_id) not in hit["token"]
    received = Thread.objects.get(kind="match_query", direction=Direction.INCOMING)
    assert received.status == "answered" and received.case is None
    assert not CaseLink.objects.filter(case=children.same).exists()


def test_nothing_but_tokens_and_scores_travel_in_the_result(people, matching_federation, wire):
    children, _sent = round_trip(people, matching_federation, wire)

    result = OutboxMessage.objects.get(message_type="match_result")
    opened = open_envelope(
        result.envelope.encode(),
        proto.node_keys("node-it"),
        current_registry().resolve_signing_key,
        timezone.now(),
    )
    body = opened.body.model_dump(mode="json")
    assert set(body) == {"pairs"}
    assert all(set(pair) == {"query_ref", "candidate_ref", "score"} for pair in body["pairs"])
    plain = json.dumps(body, ensure_ascii=False)
    for secret in ("محمد", "Muhammad", "Hussain", str(children.same.public_id), children.same.reference):
        assert secret not in plain
    # And the query carried an encoding, never a name.
    sent = OutboxMessage.objects.get(message_type="match_query")
    q = open_envelope(
        sent.envelope.encode(),
        proto.node_keys("node-fr"),
        current_registry().resolve_signing_key,
        timezone.now(),
    )
    assert isinstance(q.body, MatchQuery)
    assert "Mohamed" not in json.dumps(q.body.model_dump(mode="json")) and len(q.body.records) == 1


def test_no_hit_when_the_other_organisation_holds_no_close_child(people, matching_federation, wire):
    children = create_children(people)
    children.same.delete()
    sent = query(people, children, matching_federation)
    dispatch_pending(matching_federation.it, wire, limit=1)
    dispatch_pending(matching_federation.fr, wire, limit=1)
    sent.refresh_from_db()
    assert sent.status == "answered" and sent.data.doc("candidates", list) == []


def test_every_query_is_audited_on_both_sides(people, matching_federation, wire):
    _children, _sent = round_trip(people, matching_federation, wire)
    entries = [e for e in AuditEntry.objects.filter(kind="match_review") if "what" in (e.details or {})]
    whats = [e.details["what"] for e in entries]
    assert "match query sent" in whats
    assert "match query answered" in whats
    assert any(w.startswith("compared in a match query") for w in whats)


def test_only_for_locating_a_missing_child_or_family_tracing(people, matching_federation):
    children = create_children(people)
    with pytest.raises(ActionError, match="only for locating a missing child or family tracing"):
        query_purpose = MatchQueryIn(to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION)
        do_query_match(people.giulia, children.missing, query_purpose, node=matching_federation.it)
    result = receive(matching_federation.fr, sealed_query(purpose=Purpose.CHILD_PROTECTION))
    assert (result.outcome, result.reason) == ("rejected", "not_granted")


def test_the_sender_refuses_past_the_daily_budget(people, matching_federation, wire, settings):
    settings.WAYMARK_PPRL_DAILY_BUDGET = 1
    children = create_children(people)
    query(people, children, matching_federation)
    with pytest.raises(ActionError, match="budget of 1 match queries a day"):
        query(people, children, matching_federation)
    assert Thread.objects.filter(kind="match_query", direction=Direction.OUTGOING).count() == 1
    assert AuditEntry.objects.filter(kind="match_review", decision="deny").exists()


def test_the_sender_refuses_past_the_rate_limit(people, matching_federation, settings):
    settings.WAYMARK_PPRL_PER_MINUTE = 1
    children = create_children(people)
    query(people, children, matching_federation)
    with pytest.raises(ActionError, match="a minute"):
        query(people, children, matching_federation)


def test_the_receiver_refuses_past_its_budget_with_a_clear_code(people, matching_federation, settings):
    create_children(people)
    settings.WAYMARK_PPRL_DAILY_BUDGET = 1
    assert receive(matching_federation.fr, sealed_query()).outcome == "accepted"
    refused = receive(matching_federation.fr, sealed_query())
    assert (refused.outcome, refused.reason) == ("rejected", "over_budget")
    assert Thread.objects.filter(kind="match_query", direction=Direction.INCOMING).count() == 1


def test_another_key_is_refused_never_compared(people, matching_federation):
    create_children(people)
    result = receive(matching_federation.fr, sealed_query(key_id="it-fr-be-2025-k0"))
    assert (result.outcome, result.reason) == ("rejected", "key_mismatch")
    assert not Thread.objects.filter(kind="match_query").exists()


def test_a_bulk_query_is_refused(people, matching_federation):
    create_children(people)
    result = receive(matching_federation.fr, sealed_query(records=3))
    assert (result.outcome, result.reason) == ("rejected", "not_granted")


def test_without_a_key_no_query_is_sent(people, matching_federation, settings, tmp_path):
    settings.WAYMARK_PPRL_KEY_FILE = tmp_path / "none.json"
    children = create_children(people)
    with pytest.raises(ActionError, match="no matching key"):
        query(people, children, matching_federation)


def test_disclosure_only_through_an_information_request_naming_the_token(people, matching_federation, wire):
    children, sent = round_trip(people, matching_federation, wire)
    token = sent.data.doc("candidates", list)[0]["token"]
    # Before: the Italian service sees nothing of the French child.
    with pytest.raises(NotFound):
        access_case(people.giulia, children.same.public_id, LOCATE)

    request = info_request.do_request_information(
        people.giulia,
        children.missing,
        info_request.InfoRequestIn(
            to_org="fr-ngo-calais",
            purpose=LOCATE,
            questions=[
                {"category": DataCategory.IDENTITY, "text": "Who is the child behind this candidate?"}
            ],
            match_candidate=token,
        ),
        node=matching_federation.it,
    )
    dispatch_pending(matching_federation.it, wire, limit=1)
    incoming = Thread.objects.get(kind="info_request", direction=Direction.INCOMING)
    # Mapped back only now, on the answering node, to its own case, for a person to answer.
    assert incoming.case == children.same and incoming.facts["match_candidate"] == token
    with pytest.raises(NotFound):
        access_case(people.giulia, children.same.public_id, LOCATE)
    assert request.status == "open"


def test_a_token_means_nothing_from_another_organisation(people, matching_federation, wire):
    _children, sent = round_trip(people, matching_federation, wire)
    token = sent.data.doc("candidates", list)[0]["token"]
    assert resolve(token, "node-be", "be-police-mpu") is None
    assert resolve(token, "node-it", "it-cps-milano") is not None
    assert resolve("c_notatokenatall", "node-it", "it-cps-milano") is None


def test_a_transferred_candidate_is_not_mapped(people, matching_federation, wire):
    children, sent = round_trip(people, matching_federation, wire)
    children.same.status = CaseStatus.TRANSFERRED
    children.same.save(update_fields=["status"])
    token = sent.data.doc("candidates", list)[0]["token"]
    assert resolve(token, "node-it", "it-cps-milano") is None
