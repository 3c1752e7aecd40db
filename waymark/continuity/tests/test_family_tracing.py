"""Family tracing on a case (issue 13 item 5): relatives with names in any script, searchable as
a child's names are; a family link confirmed only with the child's consent to family tracing and
the agreement of the child's guardian, refused naming what is missing; a reunification plan only
with a confirmed relative, resting on the best-interests assessment if there is one. Actions and
API, each through the policy and audited; refused to the wrong people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.actions import do_record_consent, do_withdraw_consent
from waymark.cases.models import Event
from waymark.cases.schemas import ConsentIn
from waymark.cases.tests.api_client import api_as
from waymark.continuity import actions
from waymark.continuity.models import ContactStatus, FamilyLink, Relative, ReunificationPlan
from waymark.continuity.schemas import (
    RelativeIn,
    RelativeUpdateIn,
    ReunificationPlanIn,
    ReunificationPlanUpdateIn,
)
from waymark.core.protocol import messages as protocol
from waymark.errors import ActionError
from waymark.test import create_case, create_user
from waymark.vocab import Purpose, Role

TRACING = Purpose.FAMILY_TRACING
BROTHER = "ዮናስ ተስፋይ"  # Yonas Tesfay, in Ge'ez script (fictional)


def ward(people):
    """A case of Milan's with Marco (Milan's guardianship office) as the child's guardian."""
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay", case={"guardian": "marco"})


def brother(people, case, **extra):
    fields = {
        "full_name": BROTHER,
        "relationship": "sibling",
        "country": "BE",
        "last_known_place": "Brussels (fictional)",
        "contact": "+32 2 000 00 00 (fictional)",
    }
    return actions.do_add_relative(people.giulia, case, RelativeIn(**(fields | extra)))


def consent(people, case, purpose=TRACING):
    return do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="be-ngo-bruxelles",
            purpose=purpose,
            categories=["identity", "family"],
            valid_from=timezone.localdate() - dt.timedelta(days=1),
            childs_views="I want to find my brother (fictional).",
        ),
    )


def test_the_relationship_vocabulary_is_the_protocols():
    from waymark.continuity.models import Relationship

    assert [r.value for r in Relationship] == [r.value for r in protocol.Relationship]


# --- relatives ---------------------------------------------------------------------------------


def test_a_relative_in_another_script_is_found_under_a_latin_spelling(people):
    case = ward(people)
    relative = brother(people, case)
    assert relative.name_latin  # transliterated when not given
    assert relative.answers_to("Yonas Tesfay") and relative.answers_to("Yonas")
    assert not relative.answers_to("Muhammad Hussain")
    # The contact details are sealed at rest.
    row = Relative.objects.get(pk=relative.pk)
    assert "+32" not in row.contact_sealed and row.contact.startswith("+32")
    assert Event.objects.filter(case=case, summary__startswith="Relative recorded").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"country": "ZZ"}, "country"), ({"full_name": "---"}, "full_name")],
)
def test_a_bad_relative_is_refused_naming_the_field(people, change, field):
    case = ward(people)
    with pytest.raises(ActionError) as refused:
        brother(people, case, **change)
    assert field in refused.value.errors
    assert not Relative.objects.exists()


def test_a_changed_status_of_contact_is_on_the_timeline(people):
    case = ward(people)
    relative = brother(people, case)
    actions.do_update_relative(
        people.giulia, relative, RelativeUpdateIn(contact_status=ContactStatus.TRACING)
    )
    relative.refresh_from_db()
    assert relative.contact_status == "tracing" and relative.full_name == BROTHER
    assert Event.objects.filter(case=case, summary__contains="Tracing under way").exists()


def test_a_new_name_gets_new_search_forms(people):
    case = ward(people)
    relative = brother(people, case)
    actions.do_update_relative(people.giulia, relative, RelativeUpdateIn(full_name="Robel Haile"))
    relative.refresh_from_db()
    assert relative.answers_to("Robel") and not relative.answers_to("Yonas")


# --- the confirmed family link -----------------------------------------------------------------


def test_confirming_without_consent_or_agreement_is_refused_naming_both(people):
    case = ward(people)
    relative = brother(people, case)
    with pytest.raises(ActionError) as refused:
        actions.do_confirm_family_link(people.giulia, relative)
    message = " ".join(refused.value.errors["link"])
    assert "the child's consent to family tracing" in message and "the guardian's agreement" in message
    relative.refresh_from_db()
    assert relative.link == FamilyLink.STATED and relative.confirmed_at is None


def test_confirming_with_consent_but_without_the_guardian_names_the_guardian(people):
    case = ward(people)
    relative = brother(people, case)
    consent(people, case)
    with pytest.raises(ActionError) as refused:
        actions.do_confirm_family_link(people.giulia, relative)
    message = " ".join(refused.value.errors["link"])
    assert "guardian's agreement" in message and "consent" not in message.split("missing:")[1]


def test_a_consent_for_another_purpose_or_withdrawn_does_not_count(people):
    case = ward(people)
    relative = brother(people, case)
    consent(people, case, purpose=Purpose.CHILD_PROTECTION)
    given = consent(people, case)
    do_withdraw_consent(people.giulia, case, given.pk)
    actions.do_record_guardian_agreement(people.marco, relative)
    with pytest.raises(ActionError) as refused:
        actions.do_confirm_family_link(people.giulia, relative)
    assert "consent to family tracing" in " ".join(refused.value.errors["link"])


def test_a_child_without_a_guardian_cannot_have_a_link_confirmed(people):
    case = create_case(people.giulia, given_names="Amina")
    relative = brother(people, case)
    consent(people, case)
    with pytest.raises(ActionError) as refused:
        actions.do_confirm_family_link(people.giulia, relative)
    assert "no guardian appointed" in " ".join(refused.value.errors["link"])


def test_only_the_childs_guardian_records_the_agreement(people):
    case = ward(people)
    relative = brother(people, case)
    other_guardian = create_user("gianni", people.it_guardians, Role.GUARDIAN)
    for someone in (people.giulia, people.sara, other_guardian):
        with pytest.raises(ActionError) as refused:
            actions.do_record_guardian_agreement(someone, relative)
        assert "guardian" in refused.value.errors


def test_consent_and_the_guardians_agreement_confirm_the_link(people):
    case = ward(people)
    relative = brother(people, case)
    consent(people, case)
    actions.do_record_guardian_agreement(people.marco, relative)
    confirmed = actions.do_confirm_family_link(people.giulia, relative)
    assert confirmed.link == FamilyLink.CONFIRMED and confirmed.confirmed_by == people.giulia
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any(s.startswith("The guardian agrees") for s in summaries)
    assert any(s.startswith("Family link confirmed") for s in summaries)
    with pytest.raises(ActionError):
        actions.do_confirm_family_link(people.giulia, confirmed)


def test_a_previous_guardians_agreement_does_not_count(people):
    case = ward(people)
    relative = brother(people, case)
    consent(people, case)
    actions.do_record_guardian_agreement(people.marco, relative)
    successor = create_user("gianni", people.it_guardians, Role.GUARDIAN)
    type(case).objects.filter(pk=case.pk).update(guardian=successor)
    relative = Relative.objects.select_related("case").get(pk=relative.pk)
    with pytest.raises(ActionError) as refused:
        actions.do_confirm_family_link(people.giulia, relative)
    assert "guardian's agreement" in " ".join(refused.value.errors["link"])


# --- reunification plans -----------------------------------------------------------------------


def confirmed_brother(people, case):
    relative = brother(people, case)
    consent(people, case)
    actions.do_record_guardian_agreement(people.marco, relative)
    return actions.do_confirm_family_link(people.giulia, relative)


def plan_in(relative, **extra):
    fields = {
        "relative": relative.public_id,
        "country": "BE",
        "place": "Brussels (fictional)",
        "steps": ["Video call with the brother", "Dublin take-charge request", "Transfer and first visit"],
    }
    return ReunificationPlanIn(**(fields | extra))


def test_a_plan_needs_a_confirmed_relative(people):
    case = ward(people)
    relative = brother(people, case)
    with pytest.raises(ActionError) as refused:
        actions.do_record_reunification_plan(people.giulia, case, plan_in(relative))
    assert "confirmed family link" in " ".join(refused.value.errors["relative"])
    assert not ReunificationPlan.objects.exists()


def test_a_plan_rests_on_the_assessment_recommending_reunification(people):
    from waymark.continuity.schemas import BestInterestsIn

    case = ward(people)
    relative = confirmed_brother(people, case)
    bia = actions.do_record_best_interests(
        people.marco,
        case,
        BestInterestsIn(
            kind="assessment",
            child_views="I want to live with my brother (fictional).",
            child_views_language="ti",
            options="Stay in Milan; join the brother in Brussels.",
            recommendation="family_reunification",
            recommendation_country="BE",
            guardian_consulted=True,
            guardian_views="Agrees (fictional).",
        ),
    )
    plan = actions.do_record_reunification_plan(people.giulia, case, plan_in(relative))
    assert plan.best_interests == bia and plan.status == "draft"
    assert "Video call" not in ReunificationPlan.objects.get(pk=plan.pk).steps_sealed
    updated = actions.do_update_reunification_plan(
        people.giulia, plan, ReunificationPlanUpdateIn(status="completed")
    )
    assert updated.status == "completed"
    assert Event.objects.filter(case=case, summary__startswith="Reunification plan: Completed").exists()
    with pytest.raises(ActionError) as refused:
        actions.do_update_reunification_plan(
            people.giulia, updated, ReunificationPlanUpdateIn(status="agreed")
        )
    assert "status" in refused.value.errors


def test_another_cases_relative_or_assessment_is_refused(people):
    case = ward(people)
    other = create_case(people.giulia, given_names="Samir", case={"guardian": "marco"})
    theirs = confirmed_brother(people, other)
    with pytest.raises(ActionError) as refused:
        actions.do_record_reunification_plan(people.giulia, case, plan_in(theirs))
    assert "relative" in refused.value.errors


# --- API ---------------------------------------------------------------------------------------


def url(case, suffix=""):
    return f"/api/cases/{case.public_id}{suffix}"


def test_the_api_adds_lists_searches_and_updates_relatives(people):
    case = ward(people)
    client = api_as(people.giulia, purpose=TRACING)
    added = client.post(
        url(case, "/relatives"), {"full_name": BROTHER, "relationship": "sibling", "country": "BE"}
    )
    assert added.status_code == 201, added.content
    body = added.json()
    assert body["link"] == "stated" and body["contact_status"] == "not_traced"
    assert len(body["missing_for_confirmation"]) == 2
    assert [r["public_id"] for r in client.get(url(case, "/relatives"), {"q": "Yonas"}).json()] == [
        body["public_id"]
    ]
    assert client.get(url(case, "/relatives"), {"q": "Muhammad"}).json() == []
    patched = client.patch(url(case, f"/relatives/{body['public_id']}"), {"contact_status": "found"})
    assert patched.status_code == 200 and patched.json()["contact_status"] == "found"
    assert patched.json()["full_name"] == BROTHER
    # Each call was decided and audited under the declared purpose.
    assert AuditEntry.objects.filter(purpose=TRACING).count() >= 4


def test_the_api_refuses_a_bad_country_naming_it(people):
    case = ward(people)
    client = api_as(people.giulia, purpose=TRACING)
    refused = client.post(
        url(case, "/relatives"), {"full_name": "Yonas", "relationship": "sibling", "country": "ZZ"}
    )
    assert refused.status_code == 422 and "country" in refused.content.decode()


def test_the_api_confirms_only_with_consent_and_agreement_then_plans(people):
    case = ward(people)
    client = api_as(people.giulia, purpose=TRACING)
    rid = client.post(url(case, "/relatives"), {"full_name": BROTHER, "relationship": "sibling"}).json()[
        "public_id"
    ]
    refused = client.post(url(case, f"/relatives/{rid}/confirmation"))
    assert refused.status_code == 422
    assert "consent" in refused.content.decode() and "guardian" in refused.content.decode()
    consent(people, case)
    # The guardian agrees, for the child's protection (their purpose on their ward's case).
    agreed = api_as(people.marco).post(url(case, f"/relatives/{rid}/guardian-agreement"))
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["missing_for_confirmation"] == []
    confirmed = client.post(url(case, f"/relatives/{rid}/confirmation"))
    assert confirmed.status_code == 200 and confirmed.json()["link"] == "confirmed"
    plan = client.post(
        url(case, "/reunification-plans"), {"relative": rid, "country": "BE", "steps": ["Call the brother"]}
    )
    assert plan.status_code == 201, plan.content
    assert plan.json()["best_interests"] is None and plan.json()["steps"] == ["Call the brother"]
    pid = plan.json()["public_id"]
    assert [p["public_id"] for p in client.get(url(case, "/reunification-plans")).json()] == [pid]
    moved = client.patch(url(case, f"/reunification-plans/{pid}"), {"status": "agreed"})
    assert moved.status_code == 200 and moved.json()["status"] == "agreed"


def test_the_wrong_people_are_refused(people):
    case = ward(people)
    relative = brother(people, case)
    # Another organisation's caseworker, the police and immigration: the same 404 as no case.
    for someone, purpose in ((people.claire, TRACING), (people.luc, TRACING), (people.ivan, TRACING)):
        client = api_as(someone, purpose=purpose)
        assert client.get(url(case, "/relatives")).status_code == 404
        assert (
            client.post(url(case, "/relatives"), {"full_name": "X", "relationship": "other"}).status_code
            == 404
        )
        assert (
            client.patch(
                url(case, f"/relatives/{relative.public_id}"), {"contact_status": "found"}
            ).status_code
            == 404
        )
    assert (
        api_as(people.giulia, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
        .get(url(case, "/relatives"))
        .status_code
        == 403
    )
    # A Dublin officer of Milan reads the family for family tracing, but does not write it.
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    dublin = api_as(dora, purpose=TRACING)
    assert dublin.get(url(case, "/relatives")).status_code == 200
    assert (
        dublin.post(url(case, "/relatives"), {"full_name": "X", "relationship": "other"}).status_code == 404
    )
    # A relative of another case is not found through this one.
    other = create_case(people.giulia, given_names="Samir")
    assert (
        api_as(people.giulia, purpose=TRACING)
        .patch(url(other, f"/relatives/{relative.public_id}"), {"contact_status": "found"})
        .status_code
        == 404
    )
