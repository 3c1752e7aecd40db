"""Registering a child shows at once the records the user may see that may be this child, scored by
the linkage model with the reasons; a case the user may not see is never a candidate; a candidate
goes to the review queue only when a person sends it; everything through the policy, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.matching.models import MatchReview
from waymark.test import create_case, login
from waymark.vocab import AuditKind, MatchStatus


def _register(client, **overrides):
    data = {
        "given_names": "Mohamed",
        "family_name": "Hossein",
        "name_latin": "",
        "sex": "male",
        "birth_date": "2008-01-01",
        "birth_date_precision": "year",
        "nationality": "sy",
        "languages": "ar",
        "status": "open",
        "missing_category": "",
        "unaccompanied": "on",
        "risk_level": "medium",
        "risk_reasons": "",
        "caseworker": "",
        "guardian": "",
        "confirm_not_duplicate": "on",
    }
    data.update(overrides)
    return client.post(reverse("case_create"), data, follow=True)


@pytest.fixture
def known(people):
    """Two records of one fictional child at Giulia's service, and one at the French NGO."""
    arabic = create_case(
        people.giulia, given_names="محمد", family_name="حسين", sex="male", birth_date=dt.date(2009, 5, 3)
    )
    latin = create_case(
        people.giulia,
        given_names="Muhammad",
        family_name="Hussain",
        sex="male",
        birth_date=dt.date(2008, 1, 1),
    )
    sister = create_case(
        people.giulia, given_names="Saba", family_name="Hussain", sex="female", birth_date=dt.date(2011, 2, 2)
    )
    elsewhere = create_case(
        people.claire,
        given_names="Muhammad",
        family_name="Hussain",
        sex="male",
        birth_date=dt.date(2008, 1, 1),
    )
    return arabic, latin, sister, elsewhere


def test_registering_shows_the_candidates_at_once_with_reasons(client, people, known):
    arabic, latin, sister, _elsewhere = known
    login(client, people.giulia)
    response = _register(client)
    new = Case.objects.exclude(pk__in=[c.pk for c in known]).get()
    assert response.redirect_chain[-1][0].startswith(reverse("matching_candidates", args=[new.public_id]))
    html = response.content.decode()
    shown = [c.case for c, _shown, _queued in response.context["items"]]
    assert set(shown) >= {arabic, latin}
    assert sister not in shown  # the same family name, another child
    assert arabic.reference in html and latin.reference in html
    assert "given_name: same skeleton" in html
    assert f"Child registered: case {new.reference}." in html
    assert not MatchReview.objects.exists()  # nothing is linked or queued by itself


def test_a_case_the_user_may_not_see_is_never_a_candidate(client, people, known):
    *_ours, elsewhere = known
    login(client, people.giulia)
    response = _register(client)
    shown = [c.case for c, _shown, _queued in response.context["items"]]
    assert elsewhere not in shown
    assert elsewhere.reference not in response.content.decode()


def test_the_candidates_page_is_audited_per_child_shown(client, people, known):
    arabic, latin, *_ = known
    login(client, people.giulia)
    _register(client)
    audited = set(
        AuditEntry.objects.filter(kind=AuditKind.ACCESS_DECISION, actor="giulia").values_list(
            "case_reference", flat=True
        )
    )
    assert {arabic.reference, latin.reference} <= audited


def test_sending_a_candidate_to_review_queues_the_pair_and_nothing_else(client, people, known):
    _arabic, latin, *_ = known
    login(client, people.giulia)
    _register(client)
    new = Case.objects.exclude(pk__in=[c.pk for c in known]).get()
    response = client.post(
        reverse("matching_candidates", args=[new.public_id]), {"candidate": str(latin.public_id)}
    )
    assert response.status_code == 302
    (review,) = MatchReview.objects.all()
    assert {review.left, review.right} == {new, latin}
    assert review.status == MatchStatus.PENDING
    assert any(r.startswith("given_name:") for r in review.reasons)
    assert AuditEntry.objects.filter(kind=AuditKind.MATCH_REVIEW).count() == 2


def test_a_record_of_another_organisation_cannot_be_sent_to_review(client, people, known):
    *_ours, elsewhere = known
    login(client, people.giulia)
    _register(client)
    new = Case.objects.exclude(pk__in=[c.pk for c in known]).get()
    response = client.post(
        reverse("matching_candidates", args=[new.public_id]), {"candidate": str(elsewhere.public_id)}
    )
    assert response.status_code == 404
    assert not MatchReview.objects.exists()


def test_another_organisation_cannot_open_the_candidates_of_a_case(client, people, known):
    arabic, *_ = known
    login(client, people.claire)
    assert client.get(reverse("matching_candidates", args=[arabic.public_id])).status_code == 404
