"""Editing the care plan: needs, objectives, services, who is responsible, when to review."""

from __future__ import annotations

from django.urls import reverse

from waymark.cases.models import CarePlan
from waymark.test import create_case, days_ago, login


def test_giulia_writes_the_care_plan(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    url = reverse("care_plan_edit", args=[case.public_id])
    assert client.get(url).status_code == 200

    review = days_ago(-30)
    response = client.post(
        url,
        {
            "needs": "Safe shelter; Dari interpreter",
            "objectives": "Trace the aunt in Sweden",
            "services": "Shelter Casa Aurora (fictional)",
            "responsible": "sara",
            "review_date": review.isoformat(),
        },
    )
    assert response.status_code == 302
    plan = CarePlan.objects.get(case=case)
    assert plan.needs_text == "Safe shelter; Dari interpreter"
    assert plan.responsible == people.sara
    assert plan.review_date == review
    assert plan.updated_by == people.giulia

    form = client.get(url).context["form"]
    assert form.initial["responsible"] == "sara"
    assert form.initial["objectives"] == "Trace the aunt in Sweden"


def test_someone_from_another_organisation_cannot_be_made_responsible(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(
        reverse("care_plan_edit", args=[case.public_id]), {"needs": "x", "responsible": "claire"}
    )
    assert response.status_code == 422
    assert "responsible" in response.context["form"].errors
    assert CarePlan.objects.get(case=case).needs == ""


def test_a_bad_review_date_is_named(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(reverse("care_plan_edit", args=[case.public_id]), {"review_date": "next week"})
    assert response.status_code == 422
    assert "review_date" in response.context["form"].errors
