"""Take-charge requests on pages (issue 13 item 6) and "a Dublin request without a BIA warns"
(the issue's Tests): recorded and updated from the case page, the regime and clocks shown, a
refusal naming its field (422); a request for a child with no approved best-interests
assessment is recorded all the same, with a warning on the page and in the API, and links to the
BIA it rests on. A Dublin officer records one and sees legal status, family and the BIA —
never health or the child's disclosures. Arabic; refused (404) to outsiders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions
from waymark.continuity.models import BestInterestsStatus, TakeChargeRequest, TakeChargeWarning
from waymark.continuity.schemas import BestInterestsIn, TakeChargeIn
from waymark.errors import ActionError
from waymark.test import create_case, create_user, login
from waymark.vocab import Purpose, Role

NOW = timezone.now()
TRACING = Purpose.FAMILY_TRACING
NO_BIA = "No approved best-interests assessment"


def local(days: int) -> str:
    """A ``datetime-local`` value ``days`` ago, as a browser sends it."""
    return timezone.localtime(NOW - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _form(**extra):
    return {"requested_country": "BE", "basis": "Art. 8", "registered_at": local(100)} | extra


def _bia(people, case, **extra):
    body = {
        "kind": "assessment",
        "child_views": "I want to live with my brother in Brussels (fictional).",
        "child_views_language": "ti",
        "family": "An older brother in Belgium (fictional).",
        "health": "Asthma, treated (fictional).",
        "legal_status": "Asylum application registered in Italy (fictional).",
        "options": "Foster care in Milan; reunion in Belgium (fictional).",
        "recommendation": "family_reunification",
        "recommendation_country": "BE",
        "guardian_consulted": False,
    } | extra
    return actions.do_record_best_interests(people.giulia, case, BestInterestsIn.model_validate(body))


def _new(case):
    return reverse("continuity:record_take_charge", args=[case.public_id])


def test_a_request_without_a_bia_is_recorded_with_a_warning_on_the_page(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    form_page = client.get(_new(case)).content.decode()
    assert NO_BIA in form_page  # said before anything is recorded
    done = client.post(_new(case), _form(request_sent_at=local(70)), follow=True)
    assert done.status_code == 200
    page = done.content.decode()
    request = TakeChargeRequest.objects.get(case=case)
    assert request.best_interests is None and request.warnings() == [TakeChargeWarning.NO_BEST_INTERESTS]
    assert page.count(NO_BIA) >= 2  # the message after saving, and on the request itself
    assert "TACIT ACCEPTANCE" in page  # the clocks are shown at once
    assert Event.objects.filter(case=case, summary__contains="without an approved best-interests").exists()


def test_a_request_with_a_bia_links_to_it_and_does_not_warn(client, people):
    case = create_case(people.giulia)
    bia = _bia(people, case)
    login(client, people.giulia)
    assert NO_BIA not in client.get(_new(case)).content.decode()
    assert client.post(_new(case), _form()).status_code == 302
    request = TakeChargeRequest.objects.get(case=case)
    assert request.best_interests == bia and request.warnings() == []
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert NO_BIA not in page and "Rests on the Best-interests assessment (BIA)" in page


def test_a_determination_waiting_for_approval_warns_until_approved(people):
    case = create_case(people.giulia)
    panel = [{"name": "Anna (fictional)", "discipline": "social work"}, {"name": "Luca", "discipline": "law"}]
    bid = _bia(
        people, case, kind="determination", panel=panel, guardian_consulted=True, guardian_views="Yes."
    )
    data = TakeChargeIn(requested_country="BE", registered_at=NOW - dt.timedelta(days=9))
    # Not standing: left out of the default link ...
    assert actions.do_record_take_charge(people.giulia, case, data).best_interests is None
    # ... and named, it warns that it waits for approval.
    named = actions.do_record_take_charge(
        people.giulia, case, data.model_copy(update={"best_interests": bid.public_id})
    )
    assert named.warnings() == [TakeChargeWarning.BEST_INTERESTS_NOT_APPROVED]
    actions.do_approve_determination(people.sara, bid)
    named.refresh_from_db()
    assert named.best_interests is not None and named.best_interests.status == BestInterestsStatus.APPROVED
    assert named.warnings() == []


def test_the_api_records_without_a_bia_with_a_warning_not_a_refusal(people):
    case = create_case(people.giulia)
    client = api_as(people.giulia)
    body = {"requested_country": "BE", "registered_at": (NOW - dt.timedelta(days=10)).isoformat()}
    made = client.post(case_url(case, "/take-charge-requests"), body)
    assert made.status_code == 201, made.content
    [warning] = made.json()["warnings"]
    assert warning["code"] == "no_best_interests" and "Art. 6(1)" in warning["message"]
    assert made.json()["best_interests"] is None
    listed = client.get(case_url(case, "/take-charge-requests")).json()
    assert listed[0]["warnings"][0]["code"] == "no_best_interests"
    bia = _bia(people, case)
    linked = client.post(
        case_url(case, "/take-charge-requests"), body | {"best_interests": str(bia.public_id)}
    )
    assert linked.status_code == 201 and linked.json()["warnings"] == []
    assert linked.json()["best_interests"] == str(bia.public_id)


def test_a_bia_of_another_child_is_refused_naming_the_field(people):
    case, other = create_case(people.giulia), create_case(people.giulia, given_names="Amanuel")
    bia = _bia(people, other)
    body = {
        "requested_country": "BE",
        "registered_at": (NOW - dt.timedelta(days=10)).isoformat(),
        "best_interests": str(bia.public_id),
    }
    refused = api_as(people.giulia).post(case_url(case, "/take-charge-requests"), body)
    assert refused.status_code == 422 and "best_interests" in refused.json()["errors"]
    assert not TakeChargeRequest.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"requested_country": "IT"}, "requested_country", "another country"),
        ({"request_sent_at": local(200)}, "request_sent_at", "comes after"),
        ({"accepted": "yes"}, "replied_at", "give its date"),
        ({"request_sent_at": local(-3)}, "request_sent_at", "not in the future"),
        # Under Dublin III (registered before the AMMR applies, 12 June 2026): at least a week.
        (
            {
                "registered_at": "2026-03-02T10:00",
                "request_sent_at": "2026-03-10T10:00",
                "urgent_reply_days": "3",
            },
            "urgent_reply_days",
            "at least 1 week",
        ),
    ],
)
def test_bad_input_is_refused_on_the_page_naming_the_field(client, people, change, field, message):
    case = create_case(people.giulia)
    login(client, people.giulia)
    refused = client.post(_new(case), _form(**change))
    assert refused.status_code == 422, field
    html = refused.content.decode()
    assert f'href="#id_{field}"' in html and message in html
    assert not TakeChargeRequest.objects.filter(case=case).exists()


def test_updating_the_dates_records_the_reply_and_the_clocks_follow(client, people):
    case = create_case(people.giulia)
    request = actions.do_record_take_charge(
        people.giulia,
        case,
        TakeChargeIn(
            requested_country="BE",
            registered_at=NOW - dt.timedelta(days=100),
            request_sent_at=NOW - dt.timedelta(days=70),
        ),
    )
    login(client, people.giulia)
    url = reverse("continuity:update_take_charge", args=[case.public_id, request.public_id])
    shown = client.get(url).content.decode()
    assert local(70) in shown  # the dates so far, in the node's zone
    before = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "TACIT ACCEPTANCE" in before
    # The reply came ten days after the request: in time under either regime.
    done = client.post(url, _form(request_sent_at=local(70), replied_at=local(60), accepted="yes"))
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.accepted is True and request.replied_at is not None
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "TACIT ACCEPTANCE" not in page and "done in time" in page


def test_the_take_charge_page_works_in_arabic(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.cookies["django_language"] = "ar"
    page = client.get(_new(case)).content.decode()
    assert 'dir="rtl"' in page and 'type="datetime-local"' in page
    assert client.post(_new(case), _form()).status_code == 302
    refused = client.post(_new(case), _form(requested_country="IT"))
    assert refused.status_code == 422 and 'dir="rtl"' in refused.content.decode()


def test_refused_to_outsiders_and_to_who_may_not_write_legal_status(client, people):
    case = create_case(people.giulia)
    request = actions.do_record_take_charge(
        people.giulia, case, TakeChargeIn(requested_country="BE", registered_at=NOW - dt.timedelta(days=9))
    )
    update = reverse("continuity:update_take_charge", args=[case.public_id, request.public_id])
    for outsider in (people.claire, people.ivan, people.luc):
        login(client, outsider)
        assert client.get(_new(case)).status_code == 404, outsider.username
        assert client.post(_new(case), _form()).status_code == 404, outsider.username
        assert client.post(update, _form(request_sent_at=local(5))).status_code == 404
    assert TakeChargeRequest.objects.filter(case=case).count() == 1
    # A request of another case is not reachable through this one.
    other = create_case(people.giulia, given_names="Amanuel")
    login(client, people.giulia)
    wrong = reverse("continuity:update_take_charge", args=[other.public_id, request.public_id])
    assert client.get(wrong).status_code == 404


def test_a_dublin_officer_records_one_on_the_page_and_never_sees_health_or_disclosures(client, people):
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia)
    _bia(people, case, safety="Approached by a smuggler (fictional).")
    login(client, dora, purpose=TRACING)
    assert client.post(_new(case), _form(request_sent_at=local(70))).status_code == 302
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "TACIT ACCEPTANCE" in page and NO_BIA not in page
    assert "An older brother in Belgium" in page  # family
    assert "Asylum application registered" in page  # legal status
    for closed in ("Asthma", "I want to live with my brother", "smuggler", "Foster care in Milan"):
        assert closed not in page, closed
    # ... nor through the API.
    body = api_as(dora, purpose=TRACING).get(case_url(case, "/best-interests")).content.decode()
    assert "Asthma" not in body and "I want to live" not in body and "An older brother" in body


def test_the_action_refuses_immigration_enforcement(people):
    case = create_case(people.giulia)
    with pytest.raises(ActionError):
        actions.do_record_take_charge(
            people.ivan, case, TakeChargeIn(requested_country="BE", registered_at=NOW - dt.timedelta(days=9))
        )
