"""Issue 9, finding 4: filters and columns agree with the decisions.

A case's status, missing-child category and risk level are case notes (``Case.FIELD_CATEGORIES``).
Whoever may not see them must not learn them from a column, a filter or a count; whoever may see
them (the owner included) gets them in the list API.
"""

from __future__ import annotations

from uuid import uuid4

import pytest
from django.urls import reverse

from waymark.cases.schemas import CarePlanIn
from waymark.cases.tests.api_client import api_as
from waymark.policy.contexts import open_context
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_user, days_ago, login, set_care_plan
from waymark.vocab import CaseStatus, ContextSource, DataCategory, MissingCategory, Purpose, RiskLevel, Role

LOCATE = Purpose.LOCATE_MISSING_CHILD
CP = Purpose.CHILD_PROTECTION


@pytest.fixture
def hana(people):
    """A hotline operator of the Milan service: identity and contact, never case notes."""
    return create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)


@pytest.fixture
def milan(people, hana):
    """Three Milan children: one high risk, one missing, one neither; hana is caseworker of all."""
    high = create_case(
        people.giulia,
        given_names="Amina",
        family_name="Tesfaye",
        case={"risk_level": RiskLevel.HIGH, "caseworker": "hana"},
    )
    missing = create_case(
        people.giulia,
        given_names="Yonas",
        family_name="Haile",
        case={
            "status": CaseStatus.MISSING,
            "missing_category": MissingCategory.RUNAWAY,
            "risk_level": RiskLevel.LOW,
            "caseworker": "hana",
        },
    )
    plain = create_case(
        people.giulia,
        given_names="Omar",
        family_name="Said",
        case={"risk_level": RiskLevel.LOW, "caseworker": "hana"},
    )
    return {"high": high, "missing": missing, "plain": plain}


def _references(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["items"]}


# ---------------------------------------------------------------------------------------------
# The list API


@pytest.mark.parametrize(
    "params",
    [{"risk_level": "high"}, {"status": "missing"}, {"missing_category": "runaway"}],
    ids=["risk", "status", "missing-category"],
)
def test_finding_4_a_filter_on_what_the_caller_may_see_on_no_case_is_refused(people, hana, milan, params):
    api = api_as(hana, purpose=LOCATE)
    assert len(_references(api.get("/api/cases"))) == 3  # she may list them all (identity)
    response = api.get("/api/cases", params)
    assert response.status_code == 403, response.content
    (field,) = params
    assert set(response.json()["errors"]) == {field}
    assert "no case" in response.json()["errors"][field][0]


def test_finding_4_a_filter_applies_only_where_its_category_is_shown(people):
    """Claire sees her own cases whole and, under an agreement, the identity (not the case notes)
    of a Milan child referred to her: filtering on risk finds her own high-risk child, never a
    Milan one."""
    create_agreement(
        "IT-FR-CP-2026",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, CP)],
    )
    milan_high = create_case(people.giulia, given_names="Amina", case={"risk_level": RiskLevel.HIGH})
    # Need to know: a referral about this child between the two organisations.
    open_context(
        milan_high, partner="fr-ngo-calais", purpose=CP, source=ContextSource.REFERRAL, source_id=uuid4()
    )
    calais_high = create_case(people.claire, given_names="Dawit", case={"risk_level": RiskLevel.HIGH})
    calais_low = create_case(people.claire, given_names="Eden", case={"risk_level": RiskLevel.LOW})
    api = api_as(people.claire, purpose=CP)
    assert milan_high.reference in _references(api.get("/api/cases"))

    assert _references(api.get("/api/cases", {"risk_level": "high"})) == {calais_high.reference}
    calais = {calais_high.reference, calais_low.reference}
    assert _references(api.get("/api/cases", {"status": "open"})) == calais
    assert api.get("/api/cases", {"status": "open"}).json()["count"] == 2


def test_finding_4_the_list_api_returns_status_missing_category_and_risk_to_the_owner(people, milan):
    api = api_as(people.giulia, purpose=CP)
    items = {i["reference"]: i for i in api.get("/api/cases").json()["items"]}
    missing = items[milan["missing"].reference]
    assert (missing["status"], missing["missing_category"], missing["risk_level"]) == (
        "missing",
        "runaway",
        "low",
    )
    assert items[milan["high"].reference]["risk_level"] == "high"
    assert all(item["withheld"] == {} for item in items.values())


def test_finding_4_the_list_api_withholds_them_with_the_reason(people, hana, milan):
    items = api_as(hana, purpose=LOCATE).get("/api/cases").json()["items"]
    assert len(items) == 3
    for item in items:
        assert (item["status"], item["missing_category"], item["risk_level"]) == (None, None, None)
        assert item["child"]["given_names"]  # identity is hers to see
        assert item["withheld"]["risk_level"] == "not shared with you for this purpose"


# ---------------------------------------------------------------------------------------------
# The pages


def test_finding_4_the_case_list_shows_status_and_risk_only_where_allowed(client, people, hana, milan):
    login(client, people.giulia, purpose=CP)
    html = client.get(reverse("case_list")).content.decode()
    assert "risk risk-high" in html and "status status-missing" in html

    login(client, hana, purpose=LOCATE)
    html = client.get(reverse("case_list")).content.decode()
    assert milan["high"].reference in html and "Amina" in html
    assert "risk risk-" not in html and "status status-" not in html


def test_finding_4_the_case_list_refuses_a_risk_filter_to_the_hotline(client, people, hana, milan):
    login(client, hana, purpose=LOCATE)
    response = client.get(reverse("case_list"), {"risk_level": "high"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "no case for this purpose" in html
    assert milan["high"].reference not in html

    htmx = client.get(reverse("case_list"), {"status": "missing"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422
    assert milan["missing"].reference not in htmx.content.decode()
    assert "no case for this purpose" in htmx.content.decode()


def test_finding_4_the_dashboard_shows_no_status_risk_or_review_to_the_hotline(client, people, hana, milan):
    set_care_plan(people.giulia, milan["plain"], CarePlanIn(review_date=days_ago(3)))
    login(client, hana, purpose=LOCATE)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert {c.pk for c in response.context["my_cases"]} == {c.pk for c in milan.values()}
    assert "risk risk-" not in html and "status status-" not in html
    assert response.context["overdue"] == []  # a care plan's review date is a case note
    assert all(bar["count"] == 0 for bar in response.context["bars"])
    assert response.context["total"] == 3
    assert "The status of 3 is not shared with you." in html

    login(client, people.giulia, purpose=CP)
    response = client.get(reverse("dashboard"))
    assert [c.pk for c in response.context["overdue"]] == [milan["plain"].pk]
    assert {b["status"].value: b["count"] for b in response.context["bars"]}["missing"] == 1
