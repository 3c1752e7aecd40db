"""Issue 9, finding 3: exchange pages showed child data with no policy decision, no purpose and no
audit entry — offered referrals, answers to information requests, notice subjects on the
dashboard. Now every thread page and every line that shows a thread's child data is decided for
the thread's purpose and categories and audited, allow and deny; what is refused is withheld with
a visible marker, and nothing can be answered without reading."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case, create_user, login
from waymark.vocab import AuditDecision, AuditKind, DataCategory, Purpose, Role


@pytest.fixture
def node(monkeypatch, federation):
    current = {"node": federation.fr}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


@pytest.fixture
def offered(people, federation, wire):
    """Milan refers Amina, with the reason (case notes), to Calais for child protection."""
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason="Fled a forced marriage (fictional)."),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return Thread.objects.get(kind="referral", direction=Direction.INCOMING)


@pytest.fixture
def hotline(people):
    """A hotline operator of the receiving organisation: exchanges, but reads only to locate."""
    return create_user("hugo", people.fr_ngo, Role.HOTLINE_OPERATOR)


def thread_entries(thread):
    return AuditEntry.objects.filter(kind=AuditKind.ACCESS_DECISION, details__thread=str(thread.public_id))


def test_finding_3_an_offered_referral_page_is_decided_and_audited(client, people, node, offered):
    login(client, people.claire)
    page = client.get(reverse("exchange:thread", args=["referral", offered.public_id])).content.decode()
    assert "Amina" in page and "Fled a forced marriage" in page
    [entry] = thread_entries(offered)
    assert entry.decision == AuditDecision.ALLOW
    assert entry.actor == "claire" and entry.purpose == Purpose.CHILD_PROTECTION
    assert set(entry.categories) == set(offered.categories)
    assert entry.child_pseudonym  # the child the offer is about, by pseudonym


def test_finding_3_a_role_that_may_not_read_the_offer_sees_it_withheld_and_cannot_answer(
    client, people, node, offered, hotline
):
    login(client, hotline, Purpose.LOCATE_MISSING_CHILD)
    response = client.get(reverse("exchange:thread", args=["referral", offered.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Amina" not in page and "Fled a forced marriage" not in page
    assert 'id="thread-withheld"' in page
    assert 'action="/exchange/referrals/' not in page  # no answer form
    denied = thread_entries(offered).filter(decision=AuditDecision.DENY)
    assert denied.filter(actor="hugo").exists()

    accept = reverse("exchange:thread_act", args=["referral", offered.public_id, "accept"])
    assert client.post(accept, {"note": "ok"}).status_code == 404
    offered.refresh_from_db()
    assert offered.status == "offered"


def test_finding_3_a_notice_subject_on_the_dashboard_is_decided_and_audited(
    client, people, federation, wire, node, hotline
):
    case = create_case(people.giulia)
    notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(to_org="fr-ngo-calais", subject="Amina left the centre (fictional)"),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    notice = Thread.objects.get(kind="notice", direction=Direction.INCOMING)

    login(client, people.claire)
    seen = client.get(reverse("exchange:dashboard")).content.decode()
    assert "Amina left the centre" in seen
    assert thread_entries(notice).filter(actor="claire", decision=AuditDecision.ALLOW).exists()

    client.logout()
    login(client, hotline, Purpose.LOCATE_MISSING_CHILD)
    hidden = client.get(reverse("exchange:dashboard")).content.decode()
    assert "Amina left the centre" not in hidden
    assert "A notice whose subject is not shown to you" in hidden
    assert thread_entries(notice).filter(actor="hugo", decision=AuditDecision.DENY).exists()


def test_finding_3_a_thread_about_a_case_here_is_decided_on_that_case(client, people, federation, wire):
    """The sender's page about its own case: the case is the resource, its reference in the log."""
    case = create_case(people.giulia, given_names="Amina")
    sent = referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais", reason="x"), node=federation.it
    )
    login(client, people.giulia)
    assert client.get(reverse("exchange:thread", args=["referral", sent.public_id])).status_code == 200
    [entry] = thread_entries(sent)
    assert entry.case_reference == case.reference and entry.decision == AuditDecision.ALLOW
    assert DataCategory.CASE_NOTES in entry.categories
