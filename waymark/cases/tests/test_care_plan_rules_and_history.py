"""The care plan (issue 10, item 4): no review date in the past (page and API), a responsible
person who does casework, a confirmation after saving, and a history of the versions replaced —
shown on the case page only with the case notes, behind the same access and audit."""

from __future__ import annotations

from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.cases.models import CarePlan, CarePlanVersion
from waymark.cases.schemas import CarePlanIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case, create_user, days_ago, login, set_care_plan
from waymark.vocab import AuditDecision, DataCategory, Purpose, Role


def edit_url(case):
    return reverse("care_plan_edit", args=[case.public_id])


def test_a_review_date_in_the_past_is_refused_on_the_page_naming_the_field(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(edit_url(case), {"needs": "Shelter", "review_date": "2020-01-15"})
    assert response.status_code == 422
    assert response.context["form"].errors["review_date"] == ["the review date cannot be in the past"]
    assert CarePlan.objects.get(case=case).needs == ""


def test_a_review_date_in_the_past_is_refused_by_the_api_naming_the_field(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).put(
        case_url(case, "/care-plan"), {"needs": "x", "review_date": "2020-01-15"}
    )
    assert response.status_code == 422
    assert "review_date" in response.json()["errors"]
    assert CarePlan.objects.get(case=case).review_date is None


def test_today_is_accepted_and_an_overdue_date_already_set_may_be_kept(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    assert client.post(edit_url(case), {"review_date": days_ago(0).isoformat()}).status_code == 302
    set_care_plan(people.giulia, case, CarePlanIn(needs="Shelter", review_date=days_ago(4)))
    # Recording the needs of an overdue plan is not blocked by its date.
    response = client.post(
        edit_url(case), {"needs": "Shelter; school", "review_date": days_ago(4).isoformat()}
    )
    assert response.status_code == 302
    assert CarePlan.objects.get(case=case).needs_text == "Shelter; school"


def test_only_people_who_do_casework_are_offered_as_responsible(client, people):
    dpo = create_user("dora", people.it_cps, Role.DPO)
    admin = create_user("nadia", people.it_cps, Role.NODE_ADMIN)
    case = create_case(people.giulia)
    login(client, people.giulia)
    offered = [
        value for value, _label in client.get(edit_url(case)).context["form"].fields["responsible"].choices
    ]
    assert "giulia" in offered and "sara" in offered
    assert dpo.username not in offered and admin.username not in offered
    # And the action refuses them, so the API does too.
    response = client.post(edit_url(case), {"responsible": "dora"})
    assert response.status_code == 422
    assert "responsible" in response.context["form"].errors
    response = api_as(people.giulia).put(case_url(case, "/care-plan"), {"responsible": "nadia"})
    assert response.status_code == 422
    assert "responsible" in response.json()["errors"]


def test_saving_says_so_and_keeps_the_version_replaced(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.post(
        edit_url(case), {"needs": "Shelter", "responsible": "sara", "review_date": days_ago(-10).isoformat()}
    )
    assert not CarePlanVersion.objects.filter(case=case).exists()  # the empty plan is not history

    response = client.post(edit_url(case), {"needs": "Shelter; Tigrinya interpreter"}, follow=True)
    assert "Care plan saved." in response.content.decode()

    version = CarePlanVersion.objects.select_related("case__child").get(case=case)
    assert version.needs_text == "Shelter"
    assert version.responsible == people.sara
    assert version.review_date == days_ago(-10)
    assert version.saved_by == people.giulia
    assert "Shelter" not in version.needs  # sealed at rest, like the plan
    assert (
        CarePlan.objects.select_related("case__child").get(case=case).needs_text
        == "Shelter; Tigrinya interpreter"
    )


def test_the_history_is_read_on_the_case_page_with_the_case_notes_and_audited(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.post(edit_url(case), {"needs": "First plan (fictional)"})
    client.post(edit_url(case), {"needs": "Second plan (fictional)"})

    before = AuditEntry.objects.count()
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Earlier version (1)" in html
    assert "First plan (fictional)" in html
    read = AuditEntry.objects.filter(
        seq__gte=before, decision=AuditDecision.ALLOW, case_reference=case.reference
    )
    assert any(DataCategory.CASE_NOTES in e.categories for e in read)


def test_the_history_is_withheld_from_whoever_may_not_read_case_notes(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.post(edit_url(case), {"needs": "First plan (fictional)"})
    client.post(edit_url(case), {"needs": "Second plan (fictional)"})
    hotline = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    login(client, hotline, Purpose.LOCATE_MISSING_CHILD)
    response = client.get(reverse("case_detail", args=[case.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "First plan (fictional)" not in html
    assert "Earlier version" not in html
    assert response.context["care_plan_versions"] == []
