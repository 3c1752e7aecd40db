"""Issue 10, items 1 and 2: Waymark as each role lives it. The menu offers a role only what it can
use, each role has a home for its work, the purpose page offers the purposes the policies open to
the role (plus immigration enforcement, refused visibly), a purpose says what it hides, and a
refusal says why and what to do — never revealing a child the user may not know about."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases import actions
from waymark.cases.access import cases_visible_to
from waymark.cases.models import Case, Event
from waymark.cases.roles import _decide
from waymark.cases.schemas import CarePlanIn
from waymark.policy import breakglass
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_org, create_user, days_ago, login, set_care_plan, share
from waymark.vocab import CaseStatus, ContextSource, DataCategory, Purpose, Role, Sector

LOCATE, CP = Purpose.LOCATE_MISSING_CHILD, Purpose.CHILD_PROTECTION
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def elena(people):
    """A 116 000 operator of Milan's own service."""
    return create_user("elena", people.it_cps, Role.HOTLINE_OPERATOR)


@pytest.fixture
def dora(people):
    """Milan's data protection officer."""
    return create_user("dora", people.it_cps, Role.DPO)


@pytest.fixture
def nadia(people):
    """The node administrator."""
    return create_user("nadia", people.it_cps, Role.NODE_ADMIN, is_staff=True)


@pytest.fixture
def milan_calais(people):
    create_agreement(
        "it-fr-locate",
        [people.it_cps, people.fr_ngo],
        grants=[
            (people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, LOCATE),
            (people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, LOCATE),
        ],
    )
    return people


def _nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


# --- the menu ------------------------------------------------------------------------------------


def test_new_child_is_offered_only_to_roles_that_may_register(client, people, elena):
    login(client, people.giulia)
    assert "New child" in _nav(client.get(reverse("dashboard")).content.decode())
    for user, purpose in ((elena, LOCATE), (people.marco, CP)):
        client.logout()
        login(client, user, purpose=purpose)
        html = client.get(reverse("dashboard")).content.decode()
        assert "New child" not in _nav(html), user
        assert "Register a new child" not in client.get(reverse("case_list")).content.decode()


def test_new_child_for_a_hotline_operator_says_who_registers_instead_of_a_404(client, elena):
    login(client, elena, purpose=LOCATE)
    response = client.get(reverse("case_create"))
    assert response.status_code == 403
    assert "Your role does not register children" in response.content.decode()


def test_new_child_under_a_purpose_that_does_not_register_offers_the_switch(client, people):
    login(client, people.giulia, purpose=Purpose.STATISTICS)
    response = client.get(reverse("case_create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'name="purpose" value="child_protection"' in html
    assert 'name="purpose" value="statistics"' not in html


def test_every_menu_link_of_every_role_answers(client, people, elena, dora, nadia):
    cases = [
        (people.giulia, CP),
        (people.sara, CP),
        (people.marco, CP),
        (elena, LOCATE),
        (people.luc, LOCATE),
        (dora, Purpose.AUDIT),
        (nadia, None),
    ]
    for user, purpose in cases:
        client.logout()
        login(client, user, purpose=purpose)
        html = client.get(reverse("dashboard")).content.decode()
        links = re.findall(r'href="([^"]+)"', _nav(html))
        assert links, user
        for link in links:
            assert client.get(link).status_code == 200, (user.username, link)


def test_the_dpo_and_the_node_admin_get_their_own_pages_in_the_menu(client, people, dora, nadia):
    login(client, dora, purpose=Purpose.AUDIT)
    nav = _nav(client.get(reverse("dashboard")).content.decode())
    assert "Erasure" in nav and "Audit log" in nav and "Explain a decision" in nav
    assert "New child" not in nav
    client.logout()
    login(client, people.giulia)
    nav = _nav(client.get(reverse("dashboard")).content.decode())
    assert "Erasure" not in nav and "Audit log" not in nav


def test_on_exchange_one_navigation_item_is_current(client, people, dora):
    for user, purpose in ((people.giulia, CP), (dora, Purpose.AUDIT)):
        client.logout()
        login(client, user, purpose=purpose)
        nav = _nav(client.get(reverse("exchange:dashboard")).content.decode())
        assert nav.count('aria-current="page"') == 1
        assert re.search(r'href="/exchange/"[^>]*aria-current="page"', nav)


# --- purposes ----------------------------------------------------------------------------------


def _offered(client) -> list[str]:
    html = client.get(reverse("purpose_choose")).content.decode()
    return re.findall(r'name="purpose" id="purpose-[a-z_]+" value="([a-z_]+)"', html)


def test_each_role_is_offered_only_its_purposes_and_immigration_enforcement(
    client, people, elena, dora, nadia
):
    expected = {
        "giulia": [
            "child_protection",
            "locate_missing_child",
            "family_tracing",
            "best_interests_assessment",
            "care_continuity",
        ],
        "marco": ["child_protection", "locate_missing_child", "best_interests_assessment"],
        "elena": ["locate_missing_child"],
        "luc": ["locate_missing_child", "trafficking_investigation"],
        "dora": ["audit"],
        "nadia": [],
    }
    for user in (people.giulia, people.marco, elena, people.luc, dora, nadia):
        client.logout()
        login(client, user, purpose=None)
        assert _offered(client) == [*expected[user.username], "immigration_enforcement"], user.username


def test_the_purposes_offered_are_those_the_policies_open(people, elena):
    """The table above is not kept by hand: each offered purpose opens a case of the user's
    organisation (or ward), and a purpose not offered opens none."""
    create_case(people.giulia, case={"guardian": "marco"})
    for user in (people.giulia, people.marco, elena):
        offered = set(_decide(user).purposes)
        for purpose in Purpose:
            opens = cases_visible_to(user, purpose).exists()
            assert opens == (purpose in offered), (user.username, purpose)


def test_a_purpose_the_role_may_not_use_is_refused_on_the_purpose_page(client, elena):
    login(client, elena, purpose=None)
    response = client.post(reverse("purpose_choose"), {"purpose": "child_protection", "next": "/"})
    assert response.status_code == 422
    assert "opens no child" in response.content.decode()


def test_immigration_enforcement_stays_listed_and_is_refused_visibly_and_audited(client, elena):
    login(client, elena, purpose=None)
    response = client.post(reverse("purpose_choose"), {"purpose": "immigration_enforcement"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(
        actor="elena", purpose="immigration_enforcement", decision="deny"
    ).exists()


def test_the_node_admin_home_needs_no_purpose_and_shows_no_child(client, people, nadia):
    create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    login(client, nadia, purpose=None)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "never sees children" in html and "Amina" not in html
    assert "Cases" not in _nav(html)


# --- what a purpose hides ------------------------------------------------------------------------


def test_statistics_says_it_shows_no_case_instead_of_zero(client, people):
    case = create_case(people.giulia)
    set_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(3)))
    login(client, people.giulia, purpose=Purpose.STATISTICS)
    html = client.get(reverse("dashboard")).content.decode()
    assert "does not show individual cases" in html
    assert "0 cases you can see" not in html
    assert "No review is overdue" not in html
    # ...and what to do: the case is shown under child protection.
    assert "1 case is not shown for this purpose" in html
    assert 'name="purpose" value="child_protection"' in html


def test_a_partner_is_told_how_many_cases_another_purpose_shows(client, milan_calais):
    people = milan_calais
    missing = create_case(people.giulia, given_names="Yonas")
    share(missing, people.fr_ngo, LOCATE, source=ContextSource.MISSING_ALERT, missing=True)
    create_case(people.giulia, given_names="Filmon")  # nothing shared: never counted
    create_case(people.claire, given_names="Saba")
    login(client, people.claire, purpose=CP)
    html = client.get(reverse("case_list")).content.decode()
    assert "1 case is not shown for this purpose" in html
    assert "Locate a missing child" in html
    assert "Yonas" not in html and "Filmon" not in html


def test_nothing_is_said_about_children_the_user_could_not_open_under_any_purpose(client, people):
    create_case(people.claire, given_names="Saba")  # another organisation, nothing shared
    login(client, people.giulia)
    html = client.get(reverse("case_list")).content.decode()
    assert "not shown for this purpose" not in html


# --- refusals that say why -------------------------------------------------------------------------


def test_a_case_refused_for_this_purpose_offers_the_purpose_that_opens_it(client, milan_calais):
    people = milan_calais
    missing = create_case(people.giulia, given_names="Yonas")
    share(missing, people.fr_ngo, LOCATE, source=ContextSource.MISSING_ALERT, missing=True)
    login(client, people.claire, purpose=CP)
    response = client.get(reverse("case_detail", args=[missing.public_id]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "not open for your current purpose" in html
    assert 'name="purpose" value="locate_missing_child"' in html
    assert "Yonas" not in html  # the switch opens it, the refusal does not
    # After the switch the case opens.
    client.post(reverse("purpose_choose"), {"purpose": "locate_missing_child"})
    assert client.get(reverse("case_detail", args=[missing.public_id])).status_code == 200


def test_a_case_the_user_may_not_know_about_is_a_plain_not_found(client, people):
    other = create_case(people.claire, given_names="Saba")
    login(client, people.giulia)
    refused = client.get(reverse("case_detail", args=[other.public_id]))
    assert refused.status_code == 404
    assert "Saba" not in refused.content.decode()
    assert "Switch to" not in refused.content.decode()
    # The same page as a case that does not exist: it says what to try, and nothing about why.
    unknown = client.get(reverse("case_detail", args=["00000000-0000-0000-0000-000000000000"]))
    assert unknown.status_code == 404
    nil = "00000000-0000-0000-0000-000000000000"
    assert refused.content.decode().replace(str(other.public_id), nil) == unknown.content.decode()
    assert "not open to you for your current purpose" in unknown.content.decode()


def test_hotline_sighting_save_error_is_shown(client, people, elena):
    """The finding: elena saved a sighting on her own service's case with the default data
    category (case notes, which her role could not write): a bare 404 and nothing on the page.
    Now the category follows the type (a sighting is contact and location, which she may write),
    and a category her role may not write is refused on its field, in place, saving nothing."""
    case = create_case(people.giulia, given_names="Amina")
    login(client, elena, purpose=LOCATE)
    data = {"type": "sighting", "source": "hotline", "category": "health", "summary": "Seen at the station"}
    response = client.post(reverse("event_add", args=[case.public_id]), data, **HTMX)
    assert response.status_code == 422
    assert "has-error" in response.content.decode()
    assert not Event.objects.filter(case=case, type="sighting").exists()
    # Without JavaScript, the same form with the same error.
    page = client.post(reverse("event_add", args=[case.public_id]), data)
    assert page.status_code == 422 and "has-error" in page.content.decode()
    # With the category the type implies, it is saved.
    data["category"] = ""
    assert client.post(reverse("event_add", args=[case.public_id]), data, **HTMX).status_code == 200
    assert Event.objects.get(case=case, type="sighting").category == "contact_location"


def test_every_page_carries_the_htmx_error_handler_and_its_messages(client, people):
    login(client, people.giulia)
    html = client.get(reverse("dashboard")).content.decode()
    assert re.search(r'<script src="[^"]*waymark/app\.js"', html)
    assert 'data-htmx-error="' in html and 'id="htmx-error"' in html


def test_search_for_a_child_held_elsewhere_explains_where_children_are_looked_for(client, people, elena):
    create_case(people.claire, given_names="Yonas", family_name="Haile")
    login(client, elena, purpose=LOCATE)
    html = client.get(reverse("case_list"), {"q": "Yonas Haile"}).content.decode()
    assert 'id="held-elsewhere-hint"' in html
    assert "ask them" in html
    assert "Association Refuge" not in html  # no agreement: not even who holds one


# --- homes ---------------------------------------------------------------------------------------


def test_caseworker_caseload_puts_missing_and_high_risk_children_first(client, people):
    calm = create_case(people.giulia, given_names="Calm", case={"caseworker": "giulia"})
    missing = create_case(people.giulia, given_names="Gone", case={"caseworker": "giulia"})
    risky = create_case(
        people.giulia, given_names="Risky", case={"caseworker": "giulia", "risk_level": "critical"}
    )
    closed = create_case(
        people.giulia, given_names="Done", case={"caseworker": "giulia", "risk_level": "high"}
    )
    closed.status = CaseStatus.CLOSED
    closed.save(update_fields=["status"])
    missing.status = CaseStatus.MISSING
    missing.save(update_fields=["status"])
    # The calm case is the most recently active of the rest.
    Case.objects.filter(pk=calm.pk).update(updated_at=timezone.now() + dt.timedelta(minutes=1))
    login(client, people.giulia)
    mine = client.get(reverse("dashboard")).context["my_cases"]
    assert {c.pk for c in mine[:2]} == {missing.pk, risky.pk}
    # Then by activity: a closed case is not urgent, whatever its last risk level.
    assert [c.pk for c in mine[2:]] == [calm.pk, closed.pk]


def test_guardian_home_lists_wards_with_next_deadline_and_access_report(client, people):
    ward = create_case(people.giulia, given_names="Amina", case={"guardian": "marco"})
    actions.do_update_care_plan(people.giulia, ward, CarePlanIn(review_date=days_ago(-10)))
    create_case(people.giulia, given_names="Omar")  # not his ward
    login(client, people.marco)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "My wards" in html
    assert [c.pk for c in response.context["my_cases"]] == [ward.pk]
    assert "review due" in html
    assert reverse("access_report", args=[ward.public_id]) in html
    assert "Omar" not in html


def test_hotline_home_lists_open_reports(client, people, elena):
    report = create_case(people.giulia, given_names="Amina")
    login(client, elena, purpose=LOCATE)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "Open reports" in html
    assert [c.pk for c in response.context["my_cases"]] == [report.pk]
    assert "Overdue care-plan reviews" not in html  # case notes are not hers: no misleading "none"
    assert 'class="bars"' not in html  # nor "0 open, 0 missing": the status is not hers to see


def test_supervisor_home_shows_team_and_pending_confirmations(client, people, elena):
    case = create_case(people.giulia, given_names="Saba", case={"caseworker": "giulia"})
    breakglass.do_open_break_glass(elena, case, LOCATE, "Seen getting into a van an hour ago (fictional)")
    login(client, people.sara, purpose=LOCATE)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    team = {m["user"].username: m["open"] for m in response.context["team"]}
    # Her list: the team's missing and high-risk children (this one is neither).
    assert "Missing and high-risk children" in html and response.context["my_cases"] == []
    assert team["giulia"] == 1
    assert len(response.context["pending"]) == 1
    assert "waiting for your confirmation" in html and case.reference in html


def test_dpo_home_shows_alerts_and_requests(client, people, elena, dora):
    case = create_case(people.giulia, given_names="Saba")
    breakglass.do_open_break_glass(elena, case, LOCATE, "Seen getting into a van an hour ago (fictional)")
    login(client, dora, purpose=Purpose.AUDIT)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="dpo-alerts"' in html and case.reference in html
    assert reverse("exchange:erasure") in html


# --- exchange wording, dates ---------------------------------------------------------------------


def test_a_caseworker_is_not_told_to_set_registry_settings(client, people, nadia):
    login(client, people.giulia)
    html = client.get(reverse("exchange:dashboard")).content.decode()
    assert "WAYMARK_EXCHANGE_REGISTRY_KEY_FILE" not in html
    assert "node administrator" in html
    client.logout()
    login(client, nadia, purpose=None)
    html = client.get(reverse("exchange:dashboard")).content.decode()
    assert "refuses to exchange" in html


def test_english_dates_are_day_month_year(client, people):
    case = create_case(people.giulia, case={"caseworker": "giulia"})
    set_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(3)))
    login(client, people.giulia)
    html = client.get(reverse("dashboard")).content.decode()
    day = days_ago(3)
    assert f"{day.day} {day:%B} {day.year}" in html


def test_a_hotline_org_is_not_needed_for_the_menu_to_be_role_shaped(client, people):
    """A hotline organisation's own operator: the same menu as Milan's operator."""
    hotline = create_org("it-116000", name="116 000 Italia (fictional)", sector=Sector.HOTLINE)
    operator = create_user("hana", hotline, Role.HOTLINE_OPERATOR)
    login(client, operator, purpose=LOCATE)
    nav = _nav(client.get(reverse("dashboard")).content.decode())
    assert "New child" not in nav and "Cases" in nav


def test_the_role_pages_read_in_arabic(client, people, settings):
    create_case(people.giulia, case={"caseworker": "giulia"})
    login(client, people.giulia, purpose=Purpose.STATISTICS)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("dashboard")).content.decode()
    assert 'dir="rtl"' in html
    assert "حالة واحدة لا تظهر لهذا الغرض" in html
    assert "لا يعرض لدورك حالات فردية" in html
    login(client, people.giulia, purpose=CP)
    assert "الحالات التي أتابعها" in client.get(reverse("dashboard")).content.decode()
