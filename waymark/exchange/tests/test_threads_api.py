"""The referral, transfer and information-request API between the fictional nodes in one
database: Italy sends through the API, France and Belgium find what waits for them, read it and
answer it through the API, with the same actions, policy and audit as the pages. Refused to the
wrong person and purpose; bad input names the field; the answers are exactly the kind's moves."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as
from waymark.core.protocol.threads import CONVERSATIONS
from waymark.exchange import api_threads, plumbing, threads
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.test import create_case
from waymark.vocab import CaseStatus, Purpose

PROTECT = Purpose.CHILD_PROTECTION


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


@pytest.fixture
def node(monkeypatch, federation):
    """Which node the API process is (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


@pytest.fixture
def amina(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay (fictional)", nationality="ER")


def received(kind: str, org: str) -> Thread:
    return Thread.objects.get(kind=kind, direction=Direction.INCOMING, local_org__slug=org)


def test_a_referral_sent_found_read_accepted_and_done_through_the_api(people, federation, wire, node, amina):
    giulia = api_as(people.giulia, purpose=PROTECT)
    sent = giulia.post(
        f"/api/cases/{amina.public_id}/referrals",
        {
            "to_org": "fr-ngo-calais",
            "reason": "She intends to travel to Calais.",
            "services_requested": ["shelter"],
        },
    )
    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert body["kind"] == "referral" and body["status"] == "offered" and body["direction"] == "out"
    assert body["purpose"] == PROTECT and body["case"] == str(amina.public_id)
    assert body["may_send"] == ["revoke"]
    assert [m["type"] for m in body["messages"]] == ["referral_offer"]
    assert body["messages"][0]["delivery"] == "pending"
    listed = giulia.get(f"/api/cases/{amina.public_id}/threads").json()
    assert [t["thread_id"] for t in listed["items"]] == [body["thread_id"]]
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    claire = api_as(people.claire, purpose=PROTECT)
    waiting = claire.get("/api/threads", {"direction": "in", "status": "offered"}).json()
    assert waiting["count"] == 1 and waiting["items"][0]["kind"] == "referral"
    assert "content" not in waiting["items"][0]  # the list carries no child data
    thread_id = waiting["items"][0]["thread_id"]
    read = claire.get(f"/api/referrals/{thread_id}").json()
    assert read["content"]["offer"]["child"]["given_names"] == "Amina"
    assert read["content"]["reason"] == "She intends to travel to Calais."
    assert sorted(read["may_send"]) == ["accept", "reject"]
    assert AuditEntry.objects.filter(actor=people.claire.username, details__thread=thread_id).exists()

    accepted = claire.post(f"/api/referrals/{thread_id}/accept", {"note": "We will meet her."})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted" and accepted.json()["case"]
    assert Case.objects.get(public_id=accepted.json()["case"]).organisation == people.fr_ngo
    assert accepted.json()["may_send"] == ["done"]
    done = claire.post(f"/api/referrals/{thread_id}/done", {"outcome": "services_provided"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    dispatch_pending(federation.fr, wire)

    node["node"] = federation.it
    mine = giulia.get(f"/api/referrals/{body['thread_id']}").json()
    assert mine["status"] == "done" and mine["content"]["response_reason"] == "We will meet her."
    assert [m["type"] for m in mine["messages"]] == ["referral_offer", "referral_accept", "referral_done"]
    assert mine["messages"][0]["delivery"] == "receipted"


def test_only_the_answers_the_state_allows_are_taken(people, federation, wire, node, amina):
    giulia = api_as(people.giulia, purpose=PROTECT)
    sent = giulia.post(f"/api/cases/{amina.public_id}/referrals", {"to_org": "fr-ngo-calais"}).json()
    # The referrer may not accept her own offer: that move is the receiver's.
    own = giulia.post(f"/api/referrals/{sent['thread_id']}/accept", {})
    assert own.status_code == 422 and own.json()["errors"][""] == [
        "this referral cannot be accepted: it is offered"
    ]
    revoked = giulia.post(f"/api/referrals/{sent['thread_id']}/revoke", {"reason_code": "sent_in_error"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = giulia.post(f"/api/referrals/{sent['thread_id']}/revoke", {"reason_code": "sent_in_error"})
    assert again.status_code == 422 and "it is revoked" in again.json()["errors"][""][0]
    dispatch_pending(federation.it, wire)
    node["node"] = federation.fr
    thread = received("referral", "fr-ngo-calais")
    late = api_as(people.claire, purpose=PROTECT).post(f"/api/referrals/{thread.public_id}/accept", {})
    assert late.status_code == 422
    assert received("referral", "fr-ngo-calais").status == "revoked"


def test_a_transfer_needs_confirmed_true_then_moves_the_case(people, federation, wire, node, amina):
    giulia = api_as(people.giulia, purpose=PROTECT)
    unconfirmed = giulia.post(f"/api/cases/{amina.public_id}/transfers", {"to_org": "fr-ngo-calais"})
    assert unconfirmed.status_code == 422 and "confirmed" in unconfirmed.json()["errors"]
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()

    offered = giulia.post(
        f"/api/cases/{amina.public_id}/transfers",
        {"to_org": "fr-ngo-calais", "confirmed": True, "reason": "She lives in Calais now."},
    )
    assert offered.status_code == 201, offered.json()
    assert offered.json()["purpose"] == PROTECT and offered.json()["may_send"] == []
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    claire = api_as(people.claire, purpose=PROTECT)
    thread = received("transfer", "fr-ngo-calais")
    read = claire.get(f"/api/transfers/{thread.public_id}").json()
    assert read["content"]["offer"]["child"]["given_names"] == "Amina"
    accepted = claire.post(f"/api/transfers/{thread.public_id}/accept", {"note": "Claire follows her."})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted" and accepted.json()["content"]["offer"] == {}
    dispatch_pending(federation.fr, wire)
    assert Case.objects.get(pk=amina.pk).status == CaseStatus.TRANSFERRED


def test_an_information_request_runs_against_the_reply_clock_and_is_answered(
    people, federation, wire, node, amina
):
    giulia = api_as(people.giulia, purpose=PROTECT)
    asked = giulia.post(
        f"/api/cases/{amina.public_id}/information-requests",
        {
            "to_org": "fr-ngo-calais",
            "questions": [{"category": "contact_location", "text": "Was she seen at Calais-Ville?"}],
        },
    )
    assert asked.status_code == 201, asked.json()
    clock = asked.json()["clock"]
    assert clock["rule"] == "info_reply" and clock["state"] in ("running", "due_soon")
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    claire = api_as(people.claire, purpose=PROTECT)
    thread = received("info_request", "fr-ngo-calais")
    read = claire.get(f"/api/information-requests/{thread.public_id}").json()
    assert read["clock"]["due_at"] == clock["due_at"] and read["may_send"] == ["answer"], read["withheld"]
    [question] = read["content"]["questions"]
    unknown = claire.post(
        f"/api/information-requests/{thread.public_id}/answer",
        {"answers": [{"question_id": "q9", "text": "Yes"}]},
    )
    assert unknown.status_code == 422 and "answers" in unknown.json()["errors"]
    answered = claire.post(
        f"/api/information-requests/{thread.public_id}/answer",
        {"answers": [{"question_id": question["id"], "text": "Yes, on Monday (fictional)."}]},
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "answered" and answered.json()["clock"]["state"] == "met"
    dispatch_pending(federation.fr, wire)
    node["node"] = federation.it
    mine = giulia.get(f"/api/information-requests/{asked.json()['thread_id']}").json()
    assert mine["status"] == "answered"
    assert mine["content"]["answers"][0]["text"] == "Yes, on Monday (fictional)."


def test_bad_input_names_the_field_and_sends_nothing(people, federation, node, amina):
    giulia = api_as(people.giulia, purpose=PROTECT)
    url = f"/api/cases/{amina.public_id}"
    cases = [
        (f"{url}/referrals", {"to_org": "nowhere"}, 422, "to_org"),
        (f"{url}/referrals", {"to_org": "fr-ngo-calais", "purpose": "locate_missing_child"}, 422, "purpose"),
        (f"{url}/referrals", {"to_org": "fr-ngo-calais", "include": ["health"]}, 422, "include"),
        (f"{url}/referrals", {"to_org": "fr-ngo-calais", "colour": "red"}, 400, "colour"),
        (f"{url}/information-requests", {"to_org": "be-police-mpu", "questions": []}, 400, "questions"),
        (f"{url}/transfers", {"to_org": "fr-ngo-calais", "confirmed": "yes"}, 400, "confirmed"),
    ]
    for path, body, status, field in cases:
        answer = giulia.post(path, body)
        assert answer.status_code == status, (path, body, answer.json())
        assert field in answer.json()["errors"], (path, body, answer.json())
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()


def test_refused_to_the_wrong_person_and_purpose(people, federation, wire, node, amina):
    url = f"/api/cases/{amina.public_id}/referrals"
    offer = {"to_org": "fr-ngo-calais"}
    # Not her case: the same 404 as no case; the immigration officer never exchanges.
    assert api_as(people.claire, purpose=PROTECT).post(url, offer).status_code == 404
    assert api_as(people.ivan, purpose=PROTECT).post(url, offer).status_code == 403
    assert api_as(people.giulia, purpose=Purpose.IMMIGRATION_ENFORCEMENT).post(url, offer).status_code == 403
    # The guardian does not take part in the exchange (a role refusal, 403).
    assert (
        api_as(people.marco, purpose=PROTECT).get(f"/api/cases/{amina.public_id}/threads").status_code == 403
    )
    assert not Thread.objects.exists()

    sent = api_as(people.giulia, purpose=PROTECT).post(url, offer).json()
    dispatch_pending(federation.it, wire)
    theirs = received("referral", "fr-ngo-calais")
    # Read or answered only under the purpose it travelled for (403 naming the header)...
    wrong = api_as(people.claire, purpose=Purpose.LOCATE_MISSING_CHILD).post(
        f"/api/referrals/{theirs.public_id}/accept", {}
    )
    assert wrong.status_code == 403 and "Waymark-Purpose" in wrong.json()["errors"]
    # ...and only by its own organisation: anyone else gets the same 404 as for no thread.
    assert api_as(people.luc, purpose=PROTECT).get(f"/api/referrals/{theirs.public_id}").status_code == 404
    assert (
        api_as(people.claire, purpose=PROTECT).get(f"/api/referrals/{sent['thread_id']}").status_code == 404
    )
    assert api_as(people.claire, purpose=PROTECT).get(f"/api/transfers/{theirs.public_id}").status_code == 404
    assert received("referral", "fr-ngo-calais").status == "offered"


def test_the_answers_offered_are_exactly_each_kinds_moves():
    """One operation per action of each kind, and each action that sends is a move of its
    conversation (the table in core/protocol/threads.py decides when it may be sent); a local
    action (a hand-over's ``assign``: nothing is sent) says itself who may take it."""
    for api_kind in api_threads.API_KINDS:
        kind = threads.by_slug(api_kind.slug)
        assert kind is not None
        conversation = CONVERSATIONS[kind.name]
        assert set(api_kind.replies) == set(kind.actions)
        assert {a.type for a in kind.actions.values() if a.type is not None} == {
            m.type for m in conversation.moves
        }
        assert all(a.local is not None for a in kind.actions.values() if a.type is None)


def test_a_thread_the_policy_withholds_shows_no_content_and_cannot_be_answered(
    people, federation, wire, node, amina
):
    """The Brussels police may not read for child protection: who, when and in what state, the
    reason it is withheld, and no answer (answering means reading)."""
    api_as(people.giulia, purpose=PROTECT).post(
        f"/api/cases/{amina.public_id}/information-requests",
        {"to_org": "be-police-mpu", "questions": [{"category": "identity", "text": "Under which name?"}]},
    )
    dispatch_pending(federation.it, wire)
    node["node"] = federation.be
    luc = api_as(people.luc, purpose=PROTECT)
    thread = received("info_request", "be-police-mpu")
    read = luc.get(f"/api/information-requests/{thread.public_id}").json()
    assert read["status"] == "open" and read["clock"] is not None
    assert read["content"] is None and read["withheld"] and read["may_send"] == []
    assert all(m["note"] is None for m in read["messages"])
    refused = luc.post(
        f"/api/information-requests/{thread.public_id}/answer",
        {"answers": [{"question_id": "q1", "text": "(fictional)"}]},
    )
    assert refused.status_code == 403
    assert received("info_request", "be-police-mpu").status == "open"
