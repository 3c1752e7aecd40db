"""A take-charge request rests on a family-tracing result (issue 13 item 6): the child's relative
whose family link is confirmed. Linked, validated (same child, confirmed), shown on the case page
and answered by the API; another child's relative or an unconfirmed one is refused naming the
field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions
from waymark.continuity.schemas import TakeChargeIn
from waymark.continuity.tests.test_family_tracing import brother, confirmed_brother, ward
from waymark.errors import ActionError
from waymark.test import create_case, login


def _in(**extra) -> TakeChargeIn:
    registered = (timezone.now() - dt.timedelta(days=20)).isoformat()
    return TakeChargeIn(requested_country="BE", registered_at=registered, **extra)


def test_a_request_links_the_confirmed_relative_and_shows_it(client, people):
    case = ward(people)
    relative = confirmed_brother(people, case)
    request = actions.do_record_take_charge(people.giulia, case, _in(relative=relative.public_id))
    assert request.relative == relative
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Family-tracing result:" in html and relative.full_name in html
    [answer] = api_as(people.giulia).get(case_url(case, "/take-charge-requests")).json()
    assert answer["relative"] == str(relative.public_id)


def test_an_unconfirmed_relative_is_refused_naming_the_field(people):
    case = ward(people)
    relative = brother(people, case)
    with pytest.raises(ActionError) as refused:
        actions.do_record_take_charge(people.giulia, case, _in(relative=relative.public_id))
    assert "not confirmed" in refused.value.errors["relative"][0]


def test_another_childs_relative_is_refused_naming_the_field(people):
    case = ward(people)
    theirs = confirmed_brother(people, ward(people))
    with pytest.raises(ActionError) as refused:
        actions.do_record_take_charge(people.giulia, case, _in(relative=theirs.public_id))
    assert "relative" in refused.value.errors


def test_the_api_refuses_an_unconfirmed_relative_with_a_422(people):
    case = ward(people)
    relative = brother(people, case)
    payload = {
        "requested_country": "BE",
        "registered_at": (timezone.now() - dt.timedelta(days=20)).isoformat(),
        "relative": str(relative.public_id),
    }
    response = api_as(people.giulia).post(case_url(case, "/take-charge-requests"), payload)
    assert response.status_code == 422, response.content
    assert "relative" in response.content.decode()


def test_an_update_keeps_or_clears_the_link(people):
    case = ward(people)
    relative = confirmed_brother(people, case)
    request = actions.do_record_take_charge(people.giulia, case, _in(relative=relative.public_id))
    kept = actions.do_update_take_charge(people.giulia, request, _in(relative=relative.public_id))
    assert kept.relative == relative
    cleared = actions.do_update_take_charge(people.giulia, request, _in())
    assert cleared.relative is None


def test_a_request_without_a_tracing_result_is_still_recorded(people):
    request = actions.do_record_take_charge(people.giulia, create_case(people.giulia), _in())
    assert request.relative is None
