"""The guardian hand-over through the API (issue 13 item 2), between the fictional nodes in one
database: Marco, the ward's appointed guardian in Milan, sends it (beyond the exchange's roles, as
on the page); Claire at the French NGO finds it, reads it — the child's views withheld from a
reader who may not read disclosures — and acknowledges it; both clocks stop. Refused: anyone but
the ward's guardian sends (a caseworker, another guardian, immigration enforcement), a
hand-over the agreement does not grant leaves nothing, the wrong purpose, a second
acknowledgement."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.tests.api_client import api_as
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import implemented_types
from waymark.test import create_case, create_user
from waymark.vocab import DataCategory, Purpose, Role

BIA = Purpose.BEST_INTERESTS_ASSESSMENT
VIEWS = "I want to live with my brother (fictional)."


def _grant(org, role, category):
    return Grant(org=org, role=role, category=category, purpose=BIA, action=GrantAction.READ)


@pytest.fixture
def federation(federation):
    """An agreement between Milan's guardians and the French NGO for a best-interests
    assessment: identity, guardian and case notes to the NGO's caseworkers — not disclosures."""
    taken = tuple(sorted(implemented_types()))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in proto.registry().nodes)
    handover = dated_agreement(
        identifier="it-fr-guardianship-api-2025",
        parties=("it-guardians", "fr-ngo-calais"),
        grants=(
            *(
                _grant("fr-ngo-calais", Role.CASEWORKER, c)
                for c in (DataCategory.IDENTITY, DataCategory.GUARDIAN, DataCategory.CASE_NOTES)
            ),
            _grant("it-guardians", Role.GUARDIAN, DataCategory.CASE_NOTES),
        ),
        response_commitments=(),
    )
    federation.publish(dated_registry(version=2, nodes=nodes, agreements=(dated_agreement(), handover)))
    return federation


@pytest.fixture
def node(monkeypatch, federation):
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


@pytest.fixture
def ward(people):
    return create_case(people.giulia, case={"guardian": "marco"})


def body(**extra):
    return {
        "to_org": "fr-ngo-calais",
        "summary": "Arrived in Milan in May; school started (fictional).",
        "open_issues": "Asylum interview on the 12th (fictional).",
    } | extra


def url(case):
    return f"/api/cases/{case.public_id}/guardian-handovers"


def test_the_guardian_sends_and_the_receiver_reads_and_acknowledges_through_the_api(
    people, federation, wire, node, ward
):
    marco = api_as(people.marco, purpose=BIA)
    sent = marco.post(url(ward), body())
    assert sent.status_code == 201, sent.json()
    out = sent.json()
    assert out["kind"] == "guardian_handover" and out["status"] == "sent" and out["direction"] == "out"
    assert out["clock"]["rule"] == "guardian_handover_ack" and out["clock"]["state"] == "running"
    assert out["may_send"] == [] and out["content"]["summary"].startswith("Arrived in Milan")
    assert AuditEntry.objects.filter(actor="marco", details__thread=out["thread_id"]).exists()
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    claire = api_as(people.claire, purpose=BIA)
    waiting = claire.get("/api/threads", {"kind": "guardian_handover", "direction": "in"}).json()
    assert waiting["count"] == 1 and "content" not in waiting["items"][0]
    thread_id = waiting["items"][0]["thread_id"]
    read = claire.get(f"/api/guardian-handovers/{thread_id}")
    assert read.status_code == 200, read.json()
    assert read.json()["content"]["open_issues"].startswith("Asylum interview")
    # Claire may acknowledge it, or name the incoming guardian (a local action: nothing is sent).
    assert read.json()["may_send"] == ["acknowledge", "assign"]
    acked = claire.post(f"/api/guardian-handovers/{thread_id}/acknowledge", {"note": "Appointment Monday."})
    assert acked.status_code == 200, acked.json()
    assert acked.json()["status"] == "acknowledged" and acked.json()["clock"]["state"] == "met"
    again = claire.post(f"/api/guardian-handovers/{thread_id}/acknowledge", {"note": "Again."})
    assert again.status_code == 422
    dispatch_pending(federation.fr, wire)
    assert Thread.objects.get(public_id=out["thread_id"]).status == "acknowledged"


def test_a_handover_with_views_the_agreement_does_not_grant_leaves_nothing(
    people, federation, wire, node, ward
):
    # Views need disclosure granted to the receiver: this agreement does not, so nothing leaves.
    refused = api_as(people.marco, purpose=BIA).post(url(ward), body(views_and_wishes=VIEWS))
    assert refused.status_code == 422 and "to_org" in refused.json()["errors"]
    assert not Thread.objects.filter(kind="guardian_handover").exists()
    assert not OutboxMessage.objects.exists()


def test_only_the_wards_guardian_sends_it(people, federation, node, ward):
    # The caseworker holding the case reads it, and is refused for who she is (403, named).
    giulia = api_as(people.giulia, purpose=BIA).post(url(ward), body())
    assert giulia.status_code == 403 and "appointed guardian" in str(giulia.json()["errors"])
    # Another guardian and immigration enforcement do not even find the case.
    teresa = create_user("teresa", people.it_guardians, Role.GUARDIAN)
    for outsider in (teresa, people.ivan):
        assert api_as(outsider, purpose=BIA).post(url(ward), body()).status_code == 404
    assert not Thread.objects.filter(kind="guardian_handover").exists()
    assert not OutboxMessage.objects.exists()


def test_the_purpose_must_be_the_one_declared_and_a_handover_purpose(people, federation, node, ward):
    marco = api_as(people.marco, purpose=BIA)
    mismatch = marco.post(url(ward), body(purpose=Purpose.CHILD_PROTECTION))
    assert mismatch.status_code == 422 and "purpose" in mismatch.json()["errors"]
    empty = marco.post(url(ward), {"to_org": "fr-ngo-calais"})
    assert empty.status_code in (400, 422) and "summary" in str(empty.json()["errors"])
    assert not Thread.objects.filter(kind="guardian_handover").exists()


def test_the_receiver_reads_it_only_under_the_purpose_it_travelled_for(people, federation, wire, node, ward):
    out = api_as(people.marco, purpose=BIA).post(url(ward), body()).json()
    dispatch_pending(federation.it, wire)
    node["node"] = federation.fr
    thread_id = Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING).public_id
    wrong = api_as(people.claire, purpose=Purpose.CHILD_PROTECTION).get(
        f"/api/guardian-handovers/{thread_id}"
    )
    assert wrong.status_code == 403
    # Another organisation does not find it at all.
    node["node"] = federation.be
    assert api_as(people.luc, purpose=BIA).get(f"/api/guardian-handovers/{thread_id}").status_code == 404
    assert out["thread_id"] != str(thread_id)
