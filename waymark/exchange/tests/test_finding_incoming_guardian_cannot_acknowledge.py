"""Finding (issue 13, item 2, "the incoming guardian acknowledges"): an incoming guardian
hand-over could be found, read and acknowledged only by the receiving organisation's exchange
roles; the incoming guardian — the person the hand-over is for — could do none of it.

Now a caseworker or supervisor of the receiving organisation names the incoming guardian on the
thread (``assignIncomingGuardian``, a local action: nothing is sent); that guardian, and no other,
finds the hand-over, reads it as the policy lets the child's guardian read (audited), and
acknowledges it. A guardian not named, a guardian of another organisation and anyone at an
immigration-enforcement organisation still find nothing.

Between the fictional nodes in one database: Marco (Milan's guardians) hands his ward over to the
French NGO, where Claire (caseworker) names Inès (a guardian there)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.access import threads_of
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import guardian_handover as handovers
from waymark.exchange.threads import implemented_types
from waymark.test import create_case, create_user, login
from waymark.vocab import AuditDecision, AuditKind, DataCategory, Purpose, Role

BIA = Purpose.BEST_INTERESTS_ASSESSMENT
VIEWS = "I want to live with my brother (fictional)."


def _grant(org, role, category):
    return Grant(org=org, role=role, category=category, purpose=BIA, action=GrantAction.READ)


@pytest.fixture
def federation(federation):
    """An agreement between Milan's guardians and the French NGO for a best-interests
    assessment: what a hand-over carries, the child's views included."""
    taken = tuple(sorted(implemented_types()))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in proto.registry().nodes)
    handover = dated_agreement(
        identifier="it-fr-incoming-guardian-2025",
        parties=("it-guardians", "fr-ngo-calais"),
        grants=(
            *(
                _grant("fr-ngo-calais", role, c)
                for role in (Role.CASEWORKER, Role.GUARDIAN)
                for c in (
                    DataCategory.IDENTITY,
                    DataCategory.GUARDIAN,
                    DataCategory.CASE_NOTES,
                    DataCategory.DISCLOSURE,
                )
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
def received(people, federation, wire, node):
    """Marco's hand-over of his ward, received at the French NGO (node-fr from now on)."""
    ward = create_case(people.giulia, case={"guardian": "marco"})
    sent = api_as(people.marco, purpose=BIA).post(
        f"/api/cases/{ward.public_id}/guardian-handovers",
        {
            "to_org": "fr-ngo-calais",
            "summary": "Arrived in Milan in May; school started (fictional).",
            "views_and_wishes": VIEWS,
            "open_issues": "Asylum interview on the 12th (fictional).",
        },
    )
    assert sent.status_code == 201, sent.json()
    dispatch_pending(federation.it, wire)
    node["node"] = federation.fr
    return Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING)


@pytest.fixture
def ines(people):
    return create_user("ines", people.fr_ngo, Role.GUARDIAN, display_name="Inès Démo")


def _path(thread, suffix=""):
    return f"/api/guardian-handovers/{thread.public_id}{suffix}"


def test_finding_incoming_guardian_cannot_acknowledge(people, federation, wire, received, ines):
    # The NGO's caseworker names Inès the incoming guardian (nothing is sent: a local action).
    queued = OutboxMessage.objects.count()
    claire = api_as(people.claire, purpose=BIA)
    assigned = claire.post(_path(received, "/assign"), {"guardian": "ines"})
    assert assigned.status_code == 200, assigned.json()
    assert OutboxMessage.objects.count() == queued
    received.refresh_from_db()
    assert received.facts["incoming_guardian"] == ines.pk and received.status == "sent"

    # Inès finds it among the hand-overs awaiting her acknowledgement (no child data there)...
    mine = api_as(ines, purpose=BIA)
    listed = mine.get("/api/threads", {"kind": "guardian_handover", "direction": "in", "status": "sent"})
    assert listed.status_code == 200, listed.json()
    assert [t["thread_id"] for t in listed.json()["items"]] == [str(received.public_id)]
    assert "content" not in listed.json()["items"][0]
    # ...reads it — the child's views included, as the child's guardian reads them — audited...
    read = mine.get(_path(received))
    assert read.status_code == 200, read.json()
    body = read.json()
    assert body["content"]["views_and_wishes"] == VIEWS and body["withheld"] == ""
    assert body["may_send"] == ["acknowledge"]
    allowed = AuditEntry.objects.filter(
        kind=AuditKind.ACCESS_DECISION,
        actor="ines",
        decision=AuditDecision.ALLOW,
        details__thread=str(received.public_id),
    )
    assert any("guardian-of-the-child" in entry.reasons for entry in allowed)
    # ...and acknowledges it: the clock stops, the acknowledgement goes back to Milan.
    acked = mine.post(_path(received, "/acknowledge"), {"note": "I am his guardian from Monday."})
    assert acked.status_code == 200, acked.json()
    assert acked.json()["status"] == "acknowledged" and acked.json()["clock"]["state"] == "met"
    received.refresh_from_db()
    assert received.answered_by == ines
    dispatch_pending(federation.fr, wire)
    assert Thread.objects.get(kind="guardian_handover", direction=Direction.OUTGOING).status == "acknowledged"


def test_a_guardian_not_named_finds_nothing(people, received, ines):
    api_as(people.claire, purpose=BIA).post(_path(received, "/assign"), {"guardian": "ines"})
    noah = create_user("noah", people.fr_ngo, Role.GUARDIAN)  # same organisation, not named
    teresa = create_user("teresa", people.it_guardians, Role.GUARDIAN)  # another organisation
    for outsider in (noah, teresa):
        client = api_as(outsider, purpose=BIA)
        assert client.get(_path(received)).status_code == 404
        assert client.post(_path(received, "/acknowledge"), {}).status_code == 404
        assert client.get("/api/threads").json()["count"] == 0
        assert not threads_of(outsider).exists()
    # The action refuses a guardian not named, whatever brought them there.
    with pytest.raises(ActionError):
        handovers.do_acknowledge_handover(noah, received, handovers.HandoverAckIn())
    # Nor does a guardian assign: only the receiving organisation's exchange roles name one.
    assigning = api_as(ines, purpose=BIA).post(_path(received, "/assign"), {"guardian": "ines"})
    assert assigning.status_code in (403, 404)
    received.refresh_from_db()
    assert received.status == "sent" and not AuditEntry.objects.filter(
        actor__in=["noah", "teresa"], decision=AuditDecision.ALLOW
    )


def test_an_immigration_user_never_finds_it(people, received):
    officer = create_user("olga", people.immigration, Role.GUARDIAN)
    # Even named by hand in the thread's facts (the action refuses to), they find nothing.
    Thread.objects.filter(pk=received.pk).update(facts={"incoming_guardian": officer.pk})
    for user in (officer, people.ivan):
        client = api_as(user, purpose=BIA)
        assert client.get(_path(received)).status_code in (403, 404)
        assert client.post(_path(received, "/acknowledge"), {}).status_code in (403, 404)
        assert client.get("/api/threads").status_code in (403, 200)
        assert not threads_of(user).exists()
    assert not AuditEntry.objects.filter(actor__in=["olga", "ivan"], decision=AuditDecision.ALLOW).exists()
    received.refresh_from_db()
    assert received.status == "sent"


def test_assigning_names_an_active_guardian_of_the_receiving_organisation(people, received, ines):
    claire = api_as(people.claire, purpose=BIA)
    teresa = create_user("teresa", people.it_guardians, Role.GUARDIAN)
    gone = create_user("gone", people.fr_ngo, Role.GUARDIAN, is_active=False)
    for who in ("nobody", teresa.username, gone.username, "claire"):
        refused = claire.post(_path(received, "/assign"), {"guardian": who})
        assert refused.status_code == 422, (who, refused.json())
        assert "guardian" in refused.json()["errors"], refused.json()
    received.refresh_from_db()
    assert "incoming_guardian" not in received.facts
    # Only under the purpose the hand-over travelled for.
    wrong = api_as(people.claire, purpose=Purpose.CHILD_PROTECTION).post(
        _path(received, "/assign"), {"guardian": "ines"}
    )
    assert wrong.status_code == 403
    # The sending side names nobody (the thread is not theirs to assign).
    sent = Thread.objects.get(kind="guardian_handover", direction=Direction.OUTGOING)
    with pytest.raises(ActionError):
        handovers.do_assign_incoming_guardian(
            people.giulia, sent, handovers.AssignGuardianIn(guardian="marco")
        )
    # Named: audited (no child data), and said on the thread's case timeline if it has one.
    assert claire.post(_path(received, "/assign"), {"guardian": "ines"}).status_code == 200
    entry = AuditEntry.objects.filter(actor="claire", details__action="assign_incoming_guardian").get()
    assert entry.details["thread"] == str(received.public_id)
    assert entry.details["incoming_guardian"] == ines.pk


def test_the_assignment_lands_on_the_linked_case_timeline(people, received, ines):
    theirs = create_case(people.claire, given_names="Amina")
    Thread.objects.filter(pk=received.pk).update(case=theirs)
    received.refresh_from_db()
    handovers.do_assign_incoming_guardian(
        people.claire, received, handovers.AssignGuardianIn(guardian="ines")
    )
    assert Event.objects.filter(case=theirs, summary__startswith="Incoming guardian named").exists()
    # A hand-over linked to a case: the case's guardian decides, as for any case. Inès is not
    # Amina's guardian: she finds the thread, and its content is withheld.
    read = api_as(ines, purpose=BIA).get(_path(received))
    assert read.status_code == 200 and read.json()["content"] is None and read.json()["withheld"]


def test_the_pages_assign_and_the_guardian_acknowledges(people, received, ines):
    coordinator = Client()
    login(coordinator, people.claire, BIA)
    page = reverse("exchange:thread", args=["handover", received.public_id])
    html = coordinator.get(page).content.decode()
    assert reverse("exchange:thread_act", args=["handover", received.public_id, "assign"]) in html
    assert 'value="ines"' in html and "Inès Démo" in html
    refused = coordinator.post(
        reverse("exchange:thread_act", args=["handover", received.public_id, "assign"]), {"guardian": "x"}
    )
    assert refused.status_code == 422
    done = coordinator.post(
        reverse("exchange:thread_act", args=["handover", received.public_id, "assign"]), {"guardian": "ines"}
    )
    assert done.status_code == 302
    assert "Inès Démo" in coordinator.get(page).content.decode()

    # Inès: "My wards" lists the hand-over awaiting her acknowledgement, with its clock.
    guardian = Client()
    login(guardian, ines, BIA)
    wards = guardian.get(reverse("guardianship:wards")).content.decode()
    assert "Hand-overs to acknowledge" in wards and page in wards and 'class="clock' in wards
    shown = guardian.get(page)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert VIEWS in html and "Acknowledge the hand-over" in html
    # She does not name guardians.
    assert reverse("exchange:thread_act", args=["handover", received.public_id, "assign"]) not in html
    acked = guardian.post(
        reverse("exchange:thread_act", args=["handover", received.public_id, "acknowledge"]), {"note": "Yes."}
    )
    assert acked.status_code == 302
    received.refresh_from_db()
    assert received.status == "acknowledged"
    # Acknowledged: no longer waiting on "My wards".
    assert page not in guardian.get(reverse("guardianship:wards")).content.decode()
    # A guardian not named gets the same 404 as a thread that does not exist.
    other = Client()
    login(other, create_user("noah", people.fr_ngo, Role.GUARDIAN), BIA)
    assert other.get(page).status_code == 404


def test_the_named_guardian_is_notified_in_the_app_without_the_childs_data(people, received, ines):
    from waymark.missing.actions import unread_count
    from waymark.missing.models import Notification

    noah = create_user("noah", people.fr_ngo, Role.GUARDIAN)  # same organisation, not named
    assigned = api_as(people.claire, purpose=BIA).post(_path(received, "/assign"), {"guardian": "ines"})
    assert assigned.status_code == 200, assigned.json()
    [notice] = Notification.objects.filter(user=ines)
    assert notice.url == reverse("exchange:thread", args=["handover", received.public_id])
    assert received.peer_org_name in notice.text and f"{received.due_at:%Y-%m-%d}" in notice.text
    # Nothing of the child: not the views, the summary or the issues (they are read on the page).
    assert VIEWS not in notice.text and "Milan in May" not in notice.text and "Asylum" not in notice.text
    assert unread_count(ines) == 1 and unread_count(noah) == 0
    assert not Notification.objects.filter(user=people.claire).exists()
    # The link opens the hand-over's page for her (the views there, read as his guardian).
    page = Client()
    login(page, ines, BIA)
    opened = page.get(notice.url)
    assert opened.status_code == 200 and VIEWS in opened.content.decode()
    # Naming her again (a second click) does not notify her twice.
    api_as(people.claire, purpose=BIA).post(_path(received, "/assign"), {"guardian": "ines"})
    assert Notification.objects.filter(user=ines).count() == 1
