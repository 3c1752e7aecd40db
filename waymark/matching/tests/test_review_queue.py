"""The review queue: candidates proposed through the policy, side by side, a person decides with a
reason, everything audited; nothing linked automatically; another organisation sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.matching import actions
from waymark.matching.models import MatchReview, linked_cases
from waymark.test import create_case, login
from waymark.vocab import AuditKind, MatchStatus, Purpose

P = Purpose.CHILD_PROTECTION


@pytest.fixture
def pair(people):
    a = create_case(people.giulia, given_names="محمد", family_name="حسين", birth_date=dt.date(2009, 5, 3))
    b = create_case(
        people.giulia, given_names="Mohamed", family_name="Hossein", birth_date=dt.date(2009, 1, 1)
    )
    create_case(
        people.giulia, given_names="Saba", family_name="Hossein", birth_date=dt.date(2012, 2, 2), sex="female"
    )
    return a, b


def _declare(client, user):
    login(client, user)
    client.post(reverse("purpose_choose"), {"purpose": P})


def test_looking_for_matches_queues_the_pair_without_linking_it(client, people, pair):
    a, b = pair
    _declare(client, people.giulia)
    response = client.post(reverse("matching_propose", args=[a.public_id]))
    assert response.status_code == 302
    review = MatchReview.objects.get()
    assert {review.left_id, review.right_id} == {a.pk, b.pk}  # the sister is not proposed
    assert review.status == MatchStatus.PENDING and linked_cases(a) == []
    assert any("mhmd" in reason for reason in review.reasons)
    assert AuditEntry.objects.filter(kind=AuditKind.MATCH_REVIEW).count() == 2
    html = client.get(reverse("matching_queue")).content.decode()
    assert a.reference in html and b.reference in html


def test_a_reviewer_sees_the_evidence_and_accepting_links_the_records(client, people, pair):
    a, b = pair
    (review,) = actions.do_propose_matches(people.giulia, P, str(a.public_id))
    _declare(client, people.giulia)
    url = reverse("matching_review", args=[review.public_id])
    html = client.get(url).content.decode()
    assert "ranges overlap" in html  # 1 January compared as a year range
    assert "mhmd ~ mhmd (same)" in html
    refused = client.post(url, {"status": MatchStatus.ACCEPTED, "reason": " "})
    assert refused.status_code == 422 and linked_cases(a) == []
    done = client.post(url, {"status": MatchStatus.ACCEPTED, "reason": "same photo and mother's name"})
    assert done.status_code == 302
    assert [c.pk for c in linked_cases(a)] == [b.pk]
    decided = AuditEntry.objects.filter(kind=AuditKind.MATCH_REVIEW).order_by("-id")[:2]
    assert all(e.details["what"] == "decided" and e.details["status"] == "accepted" for e in decided)


def test_another_organisation_can_neither_see_nor_decide_the_pair(client, people, pair):
    a, _b = pair
    (review,) = actions.do_propose_matches(people.giulia, P, str(a.public_id))
    _declare(client, people.claire)
    assert a.reference not in client.get(reverse("matching_queue")).content.decode()
    assert client.get(reverse("matching_review", args=[review.public_id])).status_code == 404
    response = client.post(
        reverse("matching_review", args=[review.public_id]), {"status": "accepted", "reason": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("matching_propose", args=[a.public_id])).status_code == 404
    review.refresh_from_db()
    assert review.status == MatchStatus.PENDING
