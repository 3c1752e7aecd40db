"""Found by the API fuzzer on PostgreSQL (40 examples per operation): ``PATCH /api/cases/{id}``
with ``"status": "transferred"`` was accepted, and the case became a transferred copy — read-only
for everyone (Cedar ``limit-transferred-copy-read-only``) although nothing was transferred, with
no retention date; its own caseworker's next change was a 404. A case becomes a transferred copy
only when a transfer is accepted by the other organisation (the exchange), never by hand."""

from __future__ import annotations

from django.urls import reverse

from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case, login
from waymark.vocab import CaseStatus


def test_the_api_refuses_to_mark_a_case_transferred_by_hand(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    response = api.patch(case_url(case), {"status": "transferred"})
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["status"]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    # ...and the caseworker can still change it.
    assert api.patch(case_url(case), {"risk_level": "high"}).status_code == 200


def test_a_child_cannot_be_registered_as_transferred(people):
    response = api_as(people.giulia).post(
        "/api/cases", {"child": {"given_names": "Test (fictional)"}, "case": {"status": "transferred"}}
    )
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["case.status"]
    assert not Case.objects.exists()


def test_the_case_form_does_not_offer_transferred(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    page = client.get(reverse("case_edit", args=[case.public_id]))
    assert page.status_code == 200
    assert "transferred" not in dict(page.context["form"].fields["status"].choices)
