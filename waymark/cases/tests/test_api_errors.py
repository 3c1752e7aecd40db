"""Every API error is JSON: {"detail": ..., "errors": {field.path: [messages]}}."""

from __future__ import annotations

import pytest

from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case


def _assert_error_shape(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    assert all(isinstance(m, list) and all(isinstance(s, str) for s in m) for m in body["errors"].values())
    return body


def test_a_validation_error_names_nested_field_paths(people):
    api = api_as(people.giulia)
    body = _assert_error_shape(api.post("/api/cases", {"child": {"given_names": "Ali", "sex": 7}}), 400)
    assert list(body["errors"]) == ["child.sex"]
    # A rule the document cannot state (a known country) is a 422, in the same shape.
    body = _assert_error_shape(
        api.post("/api/cases", {"child": {"given_names": "Ali", "nationality": "QQ"}}), 422
    )
    assert list(body["errors"]) == ["child.nationality"]
    assert "ISO 3166-1" in body["errors"]["child.nationality"][0]


@pytest.mark.parametrize(
    "raw",
    ['{"child": ', "{'child': {}}", "[1, 2,]", '{"child": {"assessed_age_min": NaN}}', b"\xff\xfe{}"],
    ids=["truncated", "single quotes", "trailing comma", "NaN", "not utf-8"],
)
def test_malformed_json_is_400(people, raw):
    body = _assert_error_shape(api_as(people.giulia).post("/api/cases", raw=raw), 400)
    assert body["detail"].startswith("malformed JSON body")


def test_a_body_that_is_not_an_object_is_400_for_the_whole_body(people):
    body = _assert_error_shape(api_as(people.giulia).post("/api/cases", raw="[]"), 400)
    assert list(body["errors"]) == [""]


def test_an_empty_body_is_400(people):
    body = _assert_error_shape(api_as(people.giulia).post("/api/cases", raw=""), 400)
    assert body["errors"] == {"": ["a JSON body is required"]}


def test_a_body_that_is_not_json_is_415(people):
    response = api_as(people.giulia).post(
        "/api/cases", raw="child=Ali", content_type="application/x-www-form-urlencoded"
    )
    body = _assert_error_shape(response, 415)
    assert "application/json" in body["detail"]


def test_an_unknown_api_path_is_a_json_404(people):
    _assert_error_shape(api_as(people.giulia).get("/api/children"), 404)


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).send("DELETE", case_url(case))
    _assert_error_shape(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_an_action_refusal_keeps_its_field(people):
    case = create_case(people.giulia)
    body = _assert_error_shape(api_as(people.giulia).patch(case_url(case), {"caseworker": "nobody"}), 422)
    assert body == {
        "detail": "refused",
        "errors": {"caseworker": ["'nobody' is not an active user of your organisation"]},
    }


def test_an_unexpected_failure_is_a_json_500_without_a_traceback(people, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret child data in a stack trace")

    monkeypatch.setattr("waymark.cases.api.search_visible", explode)
    body = _assert_error_shape(api_as(people.giulia).get("/api/cases"), 500)
    assert body == {"detail": "internal error", "errors": {}}
