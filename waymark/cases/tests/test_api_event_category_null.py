"""What the fuzzer found: ``addEvent`` took ``"category": null`` although the document does not
let it be null. Left out, the category follows from the type; null is a 400 naming the field."""

from __future__ import annotations

import pytest

from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case

pytestmark = pytest.mark.django_db


def test_a_null_category_is_refused_naming_the_field(people):
    case = create_case(people.giulia)
    answer = api_as(people.giulia).post(
        case_url(case, "/events"), {"type": "note", "summary": "Met her (fictional)", "category": None}
    )
    assert answer.status_code == 400
    assert "category" in answer.json()["errors"]


def test_a_category_left_out_follows_from_the_type(people):
    case = create_case(people.giulia)
    answer = api_as(people.giulia).post(
        case_url(case, "/events"), {"type": "sighting", "summary": "Seen at the station (fictional)"}
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["category"] == "contact_location"
