"""Guardian hand-overs between two nodes: the outgoing guardian (Marco, Milan's guardianship
office) hands his ward over to the French NGO, which acknowledges; both timelines show it, both
clocks stop. Without an agreement granting what it carries, nothing leaves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.cases.models import Event
from waymark.core.clocks import ClockState
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import guardian_handover as handovers
from waymark.exchange.threads import implemented_types, kind
from waymark.test import create_case, login
from waymark.vocab import DataCategory, Purpose, Role

HANDOVER_AGREEMENT = "it-fr-guardianship-2025"
VIEWS = "I want to live with my brother (fictional)."


def _grant(org, role, category):
    return Grant(
        org=org,
        role=role,
        category=category,
        purpose=Purpose.BEST_INTERESTS_ASSESSMENT,
        action=GrantAction.READ,
    )


def _handover_agreement(categories=(DataCategory.IDENTITY, DataCategory.GUARDIAN, DataCategory.DISCLOSURE)):
    return dated_agreement(
        identifier=HANDOVER_AGREEMENT,
        parties=("it-guardians", "fr-ngo-calais"),
        grants=(
            *(_grant("fr-ngo-calais", Role.CASEWORKER, c) for c in categories),
            # The acknowledgement's note (case notes) back to the outgoing guardian.
            _grant("it-guardians", Role.GUARDIAN, DataCategory.CASE_NOTES),
        ),
        response_commitments=(),
    )


@pytest.fixture
def guardianship(federation):
    """The default agreement and one between Milan's guardians and the French NGO for a
    best-interests assessment: identity, guardian, disclosure (not case notes)."""
    federation.publish(
        dated_registry(
            version=2, nodes=_nodes_taking_handovers(), agreements=(dated_agreement(), _handover_agreement())
        )
    )
    return federation


def _nodes_taking_handovers():
    """Every node lists the types this node implements (a hand-over is not in the baseline)."""
    taken = tuple(sorted(implemented_types()))
    return tuple(n.model_copy(update={"message_types": taken}) for n in proto.registry().nodes)


def _clock(thread):
    clock = kind("guardian_handover").clock_of(thread)
    assert clock is not None
    return clock


def ward(people):
    return create_case(people.giulia, case={"guardian": "marco"})


def data(**overrides):
    fields = {
        "to_org": "fr-ngo-calais",
        "summary": "Arrived in Milan in May; school started (fictional).",
        "views_and_wishes": VIEWS,
    }
    return handovers.HandoverIn(**{**fields, **overrides})


def test_the_handover_is_acknowledged_and_both_clocks_stop(people, guardianship, wire):
    case = ward(people)
    sent = handovers.do_send_handover(people.marco, case, data(), node=guardianship.it)
    assert sent.status == "sent" and sent.due_at is not None
    now = timezone.now()
    assert _clock(sent).state(now) is ClockState.RUNNING
    dispatch_pending(guardianship.it, wire)

    received = Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING)
    assert received.local_org == people.fr_ngo and received.status == "sent"
    assert received.data.text("views_and_wishes") == VIEWS
    assert received.due_at == sent.due_at
    assert _clock(received).state(now) is ClockState.RUNNING
    # Sealed: nothing of the child's words in a column in clear.
    assert VIEWS not in str(Thread.objects.filter(pk=received.pk).values().get())

    acked = handovers.do_acknowledge_handover(
        people.claire,
        received,
        handovers.HandoverAckIn(note="Guardian to be appointed Monday."),
        node=guardianship.fr,
    )
    assert acked.status == "acknowledged"
    assert _clock(acked).state(timezone.now()) is ClockState.MET
    dispatch_pending(guardianship.fr, wire)

    sent.refresh_from_db()
    assert sent.status == "acknowledged" and sent.answered_at is not None
    assert _clock(sent).state(timezone.now()) is ClockState.MET
    # The sending side's timeline shows the hand-over and its acknowledgement.
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any(s.startswith("Guardian hand-over sent to") for s in summaries)
    assert any(s.startswith("Guardian hand-over acknowledged by") for s in summaries)


def test_the_receiving_timeline_shows_it_on_the_case_named_at_acknowledgement(people, guardianship, wire):
    case = ward(people)
    theirs = create_case(people.claire, given_names="Amina")
    handovers.do_send_handover(people.marco, case, data(), node=guardianship.it)
    dispatch_pending(guardianship.it, wire)
    received = Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING)
    handovers.do_acknowledge_handover(
        people.claire, received, handovers.HandoverAckIn(existing_case=theirs.reference), node=guardianship.fr
    )
    summaries = list(Event.objects.filter(case=theirs).values_list("summary", flat=True))
    assert any(s.startswith("Guardian hand-over from") and "acknowledged" not in s for s in summaries)
    assert any(s.endswith("acknowledged") for s in summaries)


def test_without_an_agreement_nothing_leaves(people, federation):
    # Every node takes hand-overs, but the only agreement does not include Milan's guardians.
    federation.publish(dated_registry(version=2, nodes=_nodes_taking_handovers()))
    case = ward(people)
    with pytest.raises(ActionError) as refused:
        handovers.do_send_handover(people.marco, case, data(), node=federation.it)
    assert "to_org" in refused.value.errors
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()


def test_a_category_the_agreement_does_not_grant_does_not_leave(people, guardianship):
    # Case notes (the open issues) are not granted for this purpose.
    case = ward(people)
    with pytest.raises(ActionError):
        handovers.do_send_handover(
            people.marco, case, data(open_issues="Asylum interview pending."), node=guardianship.it
        )
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()


def test_only_the_wards_guardian_hands_over(people, guardianship):
    case = ward(people)
    with pytest.raises(ActionError):
        handovers.do_send_handover(people.giulia, case, data(), node=guardianship.it)
    other = create_case(people.giulia, given_names="Amira")  # not marco's ward
    with pytest.raises(ActionError):
        handovers.do_send_handover(people.marco, other, data(), node=guardianship.it)
    assert not OutboxMessage.objects.exists()


def test_immigration_purpose_is_refused_before_anything_is_sealed(people, guardianship):
    with pytest.raises(ValueError):
        data(purpose=Purpose.IMMIGRATION_ENFORCEMENT)


def test_an_acknowledgement_twice_or_by_the_sender_is_refused(people, guardianship, wire):
    case = ward(people)
    sent = handovers.do_send_handover(people.marco, case, data(), node=guardianship.it)
    with pytest.raises(ActionError):
        handovers.do_acknowledge_handover(people.marco, sent, handovers.HandoverAckIn(), node=guardianship.it)
    dispatch_pending(guardianship.it, wire)
    received = Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING)
    with pytest.raises(ActionError):
        handovers.do_acknowledge_handover(
            people.luc, received, handovers.HandoverAckIn(), node=guardianship.fr
        )
    handovers.do_acknowledge_handover(
        people.claire, received, handovers.HandoverAckIn(), node=guardianship.fr
    )
    received.refresh_from_db()
    with pytest.raises(ActionError):
        handovers.do_acknowledge_handover(
            people.claire, received, handovers.HandoverAckIn(), node=guardianship.fr
        )


def test_both_dashboards_show_the_running_clock(people, guardianship, wire):
    case = ward(people)
    handovers.do_send_handover(people.marco, case, data(), node=guardianship.it)
    dispatch_pending(guardianship.it, wire)
    fr = Client()
    login(fr, people.claire, Purpose.BEST_INTERESTS_ASSESSMENT)
    page = fr.get(reverse("exchange:dashboard")).content.decode()
    assert 'id="handovers-in"' in page or "Guardian hand-overs to acknowledge" in page
    received = Thread.objects.get(kind="guardian_handover", direction=Direction.INCOMING)
    assert str(received.public_id) in page
    thread_page = fr.get(reverse("exchange:thread", args=["handover", received.public_id]))
    assert thread_page.status_code == 200 and "Acknowledge the hand-over" in thread_page.content.decode()


def test_the_guardian_sends_a_handover_from_the_cases_exchange_page(people, guardianship, monkeypatch):
    monkeypatch.setattr(plumbing, "local_node", lambda: guardianship.it)  # the web process is node-it
    case = ward(people)
    browser = Client()
    login(browser, people.marco, Purpose.BEST_INTERESTS_ASSESSMENT)
    page = browser.get(reverse("exchange:case", args=[case.public_id]) + "?action=handover")
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("exchange:send", args=[case.public_id, "handover"]) in html and "fr-ngo-calais" in html
    sent = browser.post(
        reverse("exchange:send", args=[case.public_id, "handover"]),
        {"to_org": "fr-ngo-calais", "purpose": "best_interests_assessment", "summary": "Moved to Calais."},
    )
    body = sent.content.decode()
    assert sent.status_code == 302, body[body.find("<main") :][:3000]
    assert Thread.objects.get(kind="guardian_handover", direction=Direction.OUTGOING).case == case
    # A caseworker of the case's organisation is not offered it: only the ward's guardian hands over.
    other = Client()
    login(other, people.giulia)
    assert (
        "?action=handover" not in other.get(reverse("exchange:case", args=[case.public_id])).content.decode()
    )
