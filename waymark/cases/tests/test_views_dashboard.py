"""The dashboard: my cases, overdue reviews, recent events, cases by status."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from waymark.cases import actions
from waymark.cases.schemas import CarePlanIn, EventIn
from waymark.test import create_case, days_ago, login, set_care_plan


def test_giulia_sees_her_cases_overdue_reviews_and_recent_events(client, people):
    mine = create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    colleagues = create_case(
        people.sara,
        given_names="Omar",
        family_name="Said",
        case={"status": "missing", "missing_category": "runaway"},
    )
    set_care_plan(people.sara, colleagues, CarePlanIn(review_date=days_ago(2)))
    actions.do_add_event(people.sara, colleagues, EventIn(type="sighting", summary="Seen in Ventimiglia"))
    elsewhere = create_case(people.claire, given_names="Yonas", family_name="Haile")
    login(client, people.giulia)

    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["my_cases"]] == [mine.pk]
    assert [c.pk for c in response.context["overdue"]] == [colleagues.pk]
    summaries = [e.summary_text for e in response.context["recent_events"]]
    assert summaries[0] == "Seen in Ventimiglia"
    assert all(e.case_id != elsewhere.pk for e in response.context["recent_events"])
    bars = {b["status"].value: b["count"] for b in response.context["bars"]}
    assert bars["open"] == 1 and bars["missing"] == 1 and bars["closed"] == 0
    html = response.content.decode()
    assert "Yonas" not in html
    assert "2 cases you can see." in html


def test_marco_sees_the_case_he_guards_as_his(client, people):
    guarded = create_case(people.giulia, case={"guardian": "marco"})
    login(client, people.marco)
    response = client.get(reverse("dashboard"))
    assert [c.pk for c in response.context["my_cases"]] == [guarded.pk]


def test_ivan_sees_an_empty_dashboard(client, people):
    create_case(people.giulia)
    login(client, people.ivan)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    # No purpose opens anything to him: the home says so and lists no case.
    assert response.context.get("total", 0) == 0
    assert not response.context.get("recent_events")
    assert "opens no child" in response.content.decode()
    assert "Hussain" not in response.content.decode()


def test_the_demo_banner_shows_only_on_a_demo_node(client, people):
    login(client, people.giulia)
    with override_settings(WAYMARK_DEMO=True):
        assert "Fictional demo data — not real children" in client.get(reverse("dashboard")).content.decode()
    with override_settings(WAYMARK_DEMO=False):
        assert "Fictional demo data" not in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_asks_for_a_purpose_first_then_shows_it_on_every_page(client, people):
    login(client, people.giulia, purpose=None)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("purpose_choose"))
    chosen = client.post(reverse("purpose_choose"), {"purpose": "locate_missing_child", "next": "/"})
    assert chosen["Location"] == "/"
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="current-purpose"' in html
    assert "Locate a missing child" in html


def test_an_event_recorded_today_about_last_month_is_recent(client, people):
    quiet = create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    for n in range(3):
        create_case(people.giulia, given_names=f"Omar{n}", family_name="Said")
    actions.do_add_event(
        people.giulia,
        quiet,
        EventIn(
            type="interview", occurred_at=timezone.now() - dt.timedelta(days=30), summary="Interview notes"
        ),
    )
    login(client, people.giulia)
    recent = client.get(reverse("dashboard")).context["recent_events"]
    assert recent[0].summary_text == "Interview notes"
