"""Fuzzer finding (the stateful phase, a seed other than CI's): ``POST /api/cases/{id}/information-
requests`` with a question whose text was "\\r" — one character, as the document's ``minLength: 1``
allows — was a 400 "at least 1 character": the exchange's input base trimmed every text before
checking its length, so a schema-valid request was called schema-invalid. A text that is blank
once trimmed breaks a rule the document cannot state: a 422 naming the field, and nothing sent.

Also here: the sighting and found date-times of the alert operations are kept as UTC instants
(PostgreSQL refuses an offset beyond ±15:59 that RFC 3339 allows)."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.cases.tests.api_client import api_as
from waymark.exchange.models import OutboxMessage, Thread
from waymark.exchange.threads.info_request import InfoRequestIn
from waymark.exchange.threads.missing_alert import FoundIn, SightingIn
from waymark.exchange.threads.notice import NoticeIn
from waymark.test import create_case
from waymark.vocab import Purpose


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


@pytest.mark.parametrize("blank", ["\r", " ", "\t\n"])
def test_fuzz_finding_blank_question_is_a_422_naming_it_not_a_400(people, federation, blank):
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay (fictional)")
    answer = api_as(people.giulia, purpose=Purpose.CHILD_PROTECTION).post(
        f"/api/cases/{amina.public_id}/information-requests",
        {
            "to_org": "be-police-mpu",
            "questions": [
                {"category": "family", "text": "Where is her brother?"},
                {"category": "family", "text": blank},
            ],
        },
    )
    assert answer.status_code == 422, answer.json()
    assert "questions.1.text" in answer.json()["errors"], answer.json()
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()


def test_required_exchange_texts_are_trimmed_and_blank_is_a_rule_not_a_type():
    asked = InfoRequestIn.model_validate(
        {"to_org": " be-police-mpu ", "questions": [{"category": "family", "text": "  Where?  "}]}
    )
    assert asked.to_org == "be-police-mpu" and asked.questions[0].text == "Where?"
    with pytest.raises(ValueError, match="must not be blank"):
        NoticeIn.model_validate({"to_org": "x", "subject": "   "})


def test_sighting_and_found_times_are_kept_as_utc_instants():
    seen = SightingIn.model_validate({"seen_at": "2024-12-03T18:13:11-23:06", "place": "Station (fictional)"})
    found = FoundIn.model_validate({"found_at": "2024-12-03T18:13:11+23:59"})
    assert seen.seen_at == dt.datetime(2024, 12, 4, 17, 19, 11, tzinfo=dt.UTC)
    assert seen.seen_at.utcoffset() == dt.timedelta(0)
    assert found.found_at == dt.datetime(2024, 12, 2, 18, 14, 11, tzinfo=dt.UTC)
    assert found.found_at.utcoffset() == dt.timedelta(0)
