"""A new conversation kind touches one thread module (docs/adding-a-message-type.md): here a
test-only kind, written as the recipe says in this file alone, is registered, sent, received,
answered, sealed, shown on the case's exchange page and reconciled — with no migration and no
change to the exchange's inbound handler, pages, reconciler or registry code.

It reuses ``match_query`` / ``match_result`` in place of the real match-query kind, which the
fixture takes out for the test (two kinds may not share a message type)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import reverse

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import BASELINE_MESSAGE_TYPES, Registry
from waymark.core.protocol.threads import Conversation, Move, Received, Side
from waymark.errors import ActionError
from waymark.exchange import plumbing as p
from waymark.exchange import threads
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.reconcile import applied_message_ids
from waymark.exchange.registry import current_registry
from waymark.exchange.schemas import ToPeer
from waymark.exchange.testing import dated_registry
from waymark.exchange.threads.base import ThreadKind
from waymark.test import create_case
from waymark.vocab import CaseStatus, Purpose

pytestmark = pytest.mark.django_db

T = MessageType

# 2. The conversation table.
PROBE = Conversation(
    kind="test_probe",
    opens_with=T.MATCH_QUERY,
    opened="asked",
    moves=(Move(T.MATCH_RESULT, Side.RESPONDER, frozenset({"asked"}), ("answered",)),),
    final=frozenset({"answered"}),
)


# 3. The thread module: actions, inbound effects, registration.
def do_probe(user: User, case: Case, to_org: str, *, node=None) -> Thread:
    body = m.MatchQuery(
        encoding_version=1, key_id="k1", records=(m.EncodedRecord(ref="r1", bloom_base64="AAAA"),)
    )
    prepared = p.prepare(
        user,
        case,
        T.MATCH_QUERY,
        body,
        ToPeer(to_org=to_org, purpose=Purpose.LOCATE_MISSING_CHILD),
        node=node,
    )
    with transaction.atomic():
        thread, _row = p.open_thread(
            prepared, PROBE, user=user, case=case, body=body, summary="Probe to", data={"records": ["r1"]}
        )
    return thread


def do_answer_probe(user: User, thread: Thread, score: float, *, node=None) -> Thread:
    body = m.MatchResult(pairs=(m.MatchPair(query_ref="r1", candidate_ref="c_9Kq2Xw7Lm", score=score),))
    return p.reply(
        user,
        thread,
        PROBE,
        T.MATCH_RESULT,
        body,
        what="probe",
        verb="answered",
        summary="Probe answer",
        node=node,
    )


def _on_query(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.MatchQuery)
    return p.open_incoming(PROBE, opened, registry, now, data={"records": [r.ref for r in body.records]})


def _on_result(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.MatchResult)
    thread.data.put(pairs=[pair.model_dump(mode="json") for pair in body.pairs])


KIND = ThreadKind(
    conversation=PROBE,
    slug="probe",
    label="Probe",  # type: ignore[arg-type]
    line="exchange/notice/_line.html",  # 4. its template (a test reuses one that exists)
    on_open=_on_query,
    on_message={T.MATCH_RESULT: _on_result},
    states={"asked": "Asked", "answered": "Answered"},  # type: ignore[dict-item]
)


@pytest.fixture
def probe_kind(federation) -> Iterator[ThreadKind]:
    real = threads.KINDS.get("match_query")
    threads.unregister("match_query")
    threads.register(KIND)
    # Each node lists what it implements in the registry (node_init --if-missing on a real node).
    taken = tuple(sorted({*BASELINE_MESSAGE_TYPES, T.MATCH_QUERY, T.MATCH_RESULT}))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in current_registry().nodes)
    federation.publish(dated_registry(version=2, nodes=nodes))
    yield KIND
    threads.unregister(KIND.name)
    if real is not None:
        threads.register(real)


def test_a_new_kind_is_sent_received_answered_and_reconciled_without_other_changes(
    people, federation, wire, probe_kind, client
):
    assert T.MATCH_QUERY in threads.implemented_types()
    case = create_case(people.giulia, given_names="Amina")
    case.status = CaseStatus.MISSING  # locating fits a missing child only
    case.save(update_fields=["status"])
    sent = do_probe(people.giulia, case, "fr-ngo-calais", node=federation.it)
    dispatch_pending(federation.it, wire)

    received = Thread.objects.get(kind="test_probe", direction=Direction.INCOMING)
    assert received.status == "asked" and received.data.doc("records", list) == ["r1"]
    assert "records" in received.sealed and "r1" not in received.sealed["records"]  # sealed at rest

    do_answer_probe(people.claire, received, 0.93, node=federation.fr)
    dispatch_pending(federation.fr, wire)

    sent.refresh_from_db()
    assert sent.status == "answered"
    assert sent.data.doc("pairs", list) == [
        {"query_ref": "r1", "candidate_ref": "c_9Kq2Xw7Lm", "score": 0.93}
    ]
    assert [row.type for row in threads.ledger(sent)] == [T.MATCH_QUERY, T.MATCH_RESULT]
    assert [row.type for row in threads.ledger(received)] == [T.MATCH_QUERY, T.MATCH_RESULT]
    # Each received message is one business effect: the query (the received thread stands for
    # it) and the result (a ledger row).
    applied = applied_message_ids()
    arrived = [
        str(row.message_id)
        for thread in (received, sent)
        for row in threads.ledger(thread)
        if row.direction == Direction.INCOMING
    ]
    assert len(arrived) == 2 and all(applied[m] == 1 for m in arrived)

    # The table refuses a second answer, before anything is sealed.
    received.refresh_from_db()
    with pytest.raises(ActionError, match="cannot be answered: it is answered"):
        do_answer_probe(people.claire, received, 0.5, node=federation.fr)

    # The case's exchange page lists the thread through the kind's line template.
    client.force_login(people.giulia)
    session = client.session
    session["waymark.purpose"] = "child_protection"
    session.save()
    page = client.get(reverse("exchange:case", args=[case.public_id]))
    assert page.status_code == 200
    # The kind reuses the notice's line template; no notice exists, so this line is the probe's.
    assert "Notice sent to" in page.content.decode()
