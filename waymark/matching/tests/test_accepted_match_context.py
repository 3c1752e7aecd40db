"""An accepted match is a need-to-know context (ContextSource.MATCH) between the two organisations
for that child — for a local pair, and for a partner's candidate once the partner answered the
information request the review opened. Before acceptance the other organisation sees nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.cases.access import access_case
from waymark.errors import ActionError, NotFound
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.tests.pprl_fixtures import create_children
from waymark.exchange.threads import info_request
from waymark.exchange.threads.match_query import MatchQueryIn, do_query_match
from waymark.matching import actions
from waymark.matching.models import MatchReview, RemoteCandidate, RemoteStatus
from waymark.policy.contexts import close_contexts
from waymark.policy.models import SharedContext
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, login, share
from waymark.vocab import ContextSource, DataCategory, MatchStatus, Purpose, Role

pytestmark = pytest.mark.django_db

# One database holds every node's outbox: each dispatch sends the one message just written, as
# the node that wrote it (``limit=1``), so no node sends another's answer.

P = Purpose.CHILD_PROTECTION
LOCATE = Purpose.LOCATE_MISSING_CHILD


# --- a local pair between two organisations -------------------------------------------------------


def _agreement(people) -> None:
    """Milan and Calais caseworkers read each other's children's identity, once there is a reason."""
    create_agreement(
        "it-fr-matching-test",
        [people.it_cps, people.fr_ngo],
        grants=[
            (org, Role.CASEWORKER, DataCategory.IDENTITY, purpose)
            for org in (people.it_cps, people.fr_ngo)
            for purpose in (P, LOCATE)
        ],
    )


@pytest.fixture
def cross_org_pair(people):
    """Giulia's child, and a French NGO child the NGO already shares with her service (a referral)."""
    _agreement(people)
    ours = create_case(people.giulia, given_names="Mohamed", family_name="Hossein")
    theirs = create_case(people.claire, given_names="محمد", family_name="حسين")
    share(theirs, people.it_cps, P)
    left, right = sorted((ours, theirs), key=lambda c: c.pk)
    review = MatchReview.objects.create(left=left, right=right, score=0.9, names_version=2)
    return ours, theirs, review


def test_before_acceptance_the_other_organisation_sees_nothing(people, cross_org_pair):
    ours, _theirs, _review = cross_org_pair
    with pytest.raises(NotFound):
        access_case(people.claire, ours.public_id, P)
    assert not SharedContext.objects.filter(source=ContextSource.MATCH).exists()


def test_accepting_a_local_match_opens_a_match_context_both_ways(people, cross_org_pair):
    ours, theirs, review = cross_org_pair
    actions.do_decide_match(people.giulia, P, review, MatchStatus.ACCEPTED, "same father's name and year")
    contexts = SharedContext.objects.filter(source=ContextSource.MATCH, source_id=review.public_id)
    assert {(c.case_id, c.partner) for c in contexts} == {
        (ours.pk, "fr-ngo-calais"),
        (theirs.pk, "it-cps-milano"),
    }
    assert access_case(people.claire, ours.public_id, P).case == ours


def test_unaccepting_closes_the_match_context(people, cross_org_pair):
    ours, _theirs, review = cross_org_pair
    actions.do_decide_match(people.giulia, P, review, MatchStatus.ACCEPTED, "same")
    actions.do_decide_match(people.giulia, P, review, MatchStatus.REJECTED, "the interview says otherwise")
    assert not SharedContext.objects.filter(source=ContextSource.MATCH, closed_at__isnull=True).exists()
    with pytest.raises(NotFound):
        access_case(people.claire, ours.public_id, P)


def test_a_match_within_one_organisation_opens_no_context(people):
    a = create_case(people.giulia, given_names="Amina")
    b = create_case(people.giulia, given_names="Aminah")
    review = MatchReview.objects.create(left=a, right=b, score=0.9, names_version=2)
    actions.do_decide_match(people.giulia, P, review, MatchStatus.ACCEPTED, "same child")
    assert not SharedContext.objects.exists()


# --- a partner's candidate -----------------------------------------------------------------------


@pytest.fixture
def answered_query(people, matching_federation, wire):
    children = create_children(people)
    query = do_query_match(
        people.giulia,
        children.missing,
        MatchQueryIn(to_org="fr-ngo-calais", purpose=LOCATE),
        node=matching_federation.it,
    )
    dispatch_pending(matching_federation.it, wire, limit=1)
    dispatch_pending(matching_federation.fr, wire, limit=1)
    query.refresh_from_db()
    (candidate,) = query.data.doc("candidates", list)
    return children, query, candidate["token"]


def _answer(people, federation, wire):
    incoming = Thread.objects.get(kind="info_request", direction=Direction.INCOMING)
    info_request.do_answer_information(
        people.claire,
        incoming,
        info_request.InfoAnswerIn(
            answers=[{"question_id": "q1", "text": "Muhammad Hussain, born 2008 (fictional)"}]
        ),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire, limit=1)


def test_accepting_a_partners_candidate_opens_an_information_request_naming_it(
    people, matching_federation, wire, answered_query
):
    children, query, token = answered_query
    candidate = actions.do_ask_about_candidate(
        people.giulia, LOCATE, query, token, "close score, same year", node=matching_federation.it
    )
    assert candidate.status == RemoteStatus.ASKED and candidate.request is not None
    assert candidate.request.facts["match_candidate"] == token
    dispatch_pending(matching_federation.it, wire, limit=1)
    incoming = Thread.objects.get(kind="info_request", direction=Direction.INCOMING)
    assert incoming.case == children.same  # mapped on the answering node, only now
    # Still nothing seen across, and no match context, before the partner answers and we accept.
    with pytest.raises(NotFound):
        access_case(people.giulia, children.same.public_id, LOCATE)
    with pytest.raises(NotFound):
        access_case(people.claire, children.missing.public_id, LOCATE)
    assert not SharedContext.objects.filter(source=ContextSource.MATCH).exists()
    assert AuditEntry.objects.filter(kind="match_review", details__what="asked").exists()


def test_same_child_only_once_the_partner_answered(people, matching_federation, wire, answered_query):
    _children, query, token = answered_query
    with pytest.raises(ActionError, match="ask the partner first"):
        actions.do_decide_candidate(people.giulia, LOCATE, query, token, RemoteStatus.ACCEPTED, "sure")
    actions.do_ask_about_candidate(
        people.giulia, LOCATE, query, token, "close score", node=matching_federation.it
    )
    with pytest.raises(ActionError, match="once it has answered"):
        actions.do_decide_candidate(people.giulia, LOCATE, query, token, RemoteStatus.ACCEPTED, "sure")


def test_accepting_an_answered_candidate_opens_a_match_context(
    people, matching_federation, wire, answered_query
):
    children, query, token = answered_query
    _agreement(people)
    # The query and the partner's answer shared nothing: the partner sees nothing of our child.
    with pytest.raises(NotFound):
        access_case(people.claire, children.missing.public_id, LOCATE)
    asked = actions.do_ask_about_candidate(
        people.giulia, LOCATE, query, token, "close score", node=matching_federation.it
    )
    dispatch_pending(matching_federation.it, wire, limit=1)
    _answer(people, matching_federation, wire)
    # Asking shared our child with the partner as an information request does (its own context,
    # closed if the request is declined); the match is not accepted yet.
    assert not SharedContext.objects.filter(source=ContextSource.MATCH).exists()

    decided = actions.do_decide_candidate(
        people.giulia, LOCATE, query, token, RemoteStatus.ACCEPTED, "the name and year agree"
    )
    assert asked.request is not None
    close_contexts(ContextSource.INFO_REQUEST, asked.request.public_id)  # the match alone keeps it open

    context = SharedContext.objects.get(source=ContextSource.MATCH)
    assert (context.case_id, context.partner, context.source_id) == (
        children.missing.pk,
        "fr-ngo-calais",
        decided.public_id,
    )
    assert access_case(people.claire, children.missing.public_id, LOCATE).case == children.missing


def test_rejecting_a_candidate_asks_nothing(people, matching_federation, wire, answered_query):
    _children, query, token = answered_query
    actions.do_decide_candidate(people.giulia, LOCATE, query, token, RemoteStatus.REJECTED, "a girl")
    assert RemoteCandidate.objects.get().request is None
    assert not Thread.objects.filter(kind="info_request").exists()


def test_the_queue_lists_a_partners_candidate_and_asks_from_it(
    client, people, matching_federation, wire, answered_query, monkeypatch
):
    _children, query, token = answered_query
    monkeypatch.setattr(plumbing, "local_node", lambda: matching_federation.it)  # the web process is node-it
    login(client, people.giulia, LOCATE)
    html = client.get(reverse("matching_queue")).content.decode()
    assert token in html and "Fondation" not in html
    url = reverse("matching_remote", args=[query.public_id, token])
    assert client.post(url, {"step": "ask", "reason": ""}).status_code == 422
    asked = client.post(url, {"step": "ask", "reason": "close score"})
    assert asked.status_code == 302, asked.content.decode()[-3000:]
    assert RemoteCandidate.objects.get().status == RemoteStatus.ASKED


def test_another_organisation_cannot_act_on_our_candidates(
    client, people, matching_federation, wire, answered_query
):
    _children, query, token = answered_query
    login(client, people.claire, LOCATE)
    url = reverse("matching_remote", args=[query.public_id, token])
    assert client.post(url, {"step": "ask", "reason": "x"}).status_code == 404
    assert token not in client.get(reverse("matching_queue")).content.decode()
