"""The family-tracing pages on a case: the section shows the relatives and plans where the
family category is open; recording, changing, the guardian's agreement, the confirmation and a
plan go through the forms; bad input answers 422 naming the field; another organisation gets the
same 404 as no case; the page works in Arabic."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.cases.actions import do_record_consent
from waymark.cases.schemas import ConsentIn
from waymark.continuity import actions
from waymark.continuity.models import FamilyLink, Relative, ReunificationPlan
from waymark.continuity.schemas import RelativeIn
from waymark.test import create_case, login
from waymark.vocab import Purpose

TRACING = Purpose.FAMILY_TRACING
BROTHER = "ዮናስ ተስፋይ"  # Yonas Tesfay (fictional)


def ward(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay", case={"guardian": "marco"})


def browser(user, purpose=TRACING):
    client = Client()
    login(client, user, purpose)
    return client


def test_a_caseworker_records_a_relative_and_sees_it_on_the_case(people):
    case = ward(people)
    client = browser(people.giulia)
    form = client.get(reverse("continuity:add_relative", args=[case.public_id]))
    assert form.status_code == 200
    sent = client.post(
        reverse("continuity:add_relative", args=[case.public_id]),
        {"full_name": BROTHER, "relationship": "sibling", "country": "be", "contact_status": "not_traced"},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    relative = Relative.objects.get()
    assert relative.country == "BE" and relative.full_name == BROTHER
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert 'id="family-tracing-h"' in page and BROTHER in page and "Confirm as family" in page
    # What is still missing before the link may be confirmed is said on the page.
    assert "Still missing:" in page and "consent to family tracing" in page


def test_a_bad_relative_answers_422_naming_the_field(people):
    case = ward(people)
    sent = browser(people.giulia).post(
        reverse("continuity:add_relative", args=[case.public_id]),
        {"full_name": BROTHER, "relationship": "sibling", "country": "ZZ", "contact_status": "not_traced"},
    )
    assert sent.status_code == 422 and "ISO 3166-1" in sent.content.decode()
    assert not Relative.objects.exists()


def test_confirming_without_consent_shows_what_is_missing(people):
    case = ward(people)
    relative = actions.do_add_relative(
        people.giulia, case, RelativeIn(full_name=BROTHER, relationship="sibling")
    )
    client = browser(people.giulia)
    answer = client.post(
        reverse("continuity:confirm_relative", args=[case.public_id, relative.public_id]), follow=True
    )
    html = answer.content.decode()
    assert "consent to family tracing" in html and "guardian" in html
    relative.refresh_from_db()
    assert relative.link == FamilyLink.STATED


def test_the_guardian_agrees_then_the_caseworker_confirms_and_plans(people):
    case = ward(people)
    relative = actions.do_add_relative(
        people.giulia, case, RelativeIn(full_name=BROTHER, relationship="sibling")
    )
    do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=TRACING,
            categories=["family"],
            valid_from=timezone.localdate() - dt.timedelta(days=1),
        ),
    )
    guardian = browser(people.marco, Purpose.CHILD_PROTECTION)
    page = guardian.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "As the child&#x27;s guardian, I agree" in page or "As the child's guardian, I agree" in page
    guardian.post(reverse("continuity:guardian_agreement", args=[case.public_id, relative.public_id]))
    client = browser(people.giulia)
    client.post(reverse("continuity:confirm_relative", args=[case.public_id, relative.public_id]))
    relative.refresh_from_db()
    assert relative.link == FamilyLink.CONFIRMED
    form = client.get(reverse("continuity:record_plan", args=[case.public_id]))
    assert form.status_code == 200 and str(relative.public_id) in form.content.decode()
    bad = client.post(
        reverse("continuity:record_plan", args=[case.public_id]),
        {"relative": str(relative.public_id), "country": "BE", "steps": ""},
    )
    assert bad.status_code == 422
    sent = client.post(
        reverse("continuity:record_plan", args=[case.public_id]),
        {"relative": str(relative.public_id), "country": "be", "steps": "Video call\nTake-charge request"},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    plan = ReunificationPlan.objects.get()
    assert plan.steps == ["Video call", "Take-charge request"]
    client.post(
        reverse("continuity:plan_status", args=[case.public_id, plan.public_id]), {"status": "agreed"}
    )
    plan.refresh_from_db()
    assert plan.status == "agreed"
    page = client.get(
        reverse("case_detail", args=[case.public_id]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert "Take-charge request" in page


def test_another_organisation_gets_a_404_and_nothing_is_written(people):
    case = ward(people)
    relative = actions.do_add_relative(
        people.giulia, case, RelativeIn(full_name=BROTHER, relationship="sibling")
    )
    for someone in (people.claire, people.luc, people.ivan):
        client = browser(someone)
        assert client.get(reverse("continuity:add_relative", args=[case.public_id])).status_code == 404
        assert (
            client.post(
                reverse("continuity:confirm_relative", args=[case.public_id, relative.public_id])
            ).status_code
            == 404
        )
    assert Relative.objects.get().link == FamilyLink.STATED
