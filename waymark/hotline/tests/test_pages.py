"""The Record-a-call page: in the menu of hotline operators only, for the purpose of locating a
child; Arabic and right-to-left with what is typed keeping its own direction; a bad outcome
answers 422 naming the field and keeps what was typed; refused to the wrong person."""

from __future__ import annotations

from django.conf import settings

from waymark.cases.models import Case
from waymark.hotline.models import Call
from waymark.test import create_case, login, share
from waymark.vocab import CallOutcome, Purpose

from .helpers import LOCATE, create_hotline

ARABIC_NAME = "يوناس تسفاي"


def test_record_a_call_is_in_the_menu_of_hotline_operators_only(client, people):
    hotline = create_hotline(people)
    login(client, hotline.elena, LOCATE)
    page = client.get("/hotline/call").content.decode()
    assert 'id="record-call-link"' in page and 'aria-current="page"' in page
    login(client, people.giulia, LOCATE)
    assert 'id="record-call-link"' not in client.get("/").content.decode()
    assert client.get("/hotline/call").status_code == 404
    login(client, people.ivan, LOCATE)
    assert client.get("/hotline/call").status_code == 404


def test_another_purpose_is_asked_to_change(client, people):
    hotline = create_hotline(people)
    login(client, hotline.elena, Purpose.CHILD_PROTECTION)
    page = client.get("/hotline/call").content.decode()
    assert "Choose the purpose" in page and '<form method="post" action="/hotline/call"' not in page


def test_in_arabic_the_page_is_right_to_left_and_typed_names_keep_their_direction(client, people):
    hotline = create_hotline(people)
    login(client, hotline.elena, LOCATE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.post(
        "/hotline/call", {"child_name": ARABIC_NAME, "relationship": "family", "do": "lookup"}
    ).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert f'value="{ARABIC_NAME}"' in page and 'dir="auto"' in page
    assert 'name="known"' in page and page.count('dir="auto"') >= 4


def test_attaching_to_a_case_shown_records_the_call(client, people):
    hotline = create_hotline(people)
    case = create_case(people.giulia, given_names="Samir", family_name="Haddad")
    share(case, hotline.org, LOCATE, missing=True)
    login(client, hotline.elena, LOCATE)
    form = {
        "child_name": "Samir Haddad",
        "relationship": "parent",
        "known": "He called his mother (fictional)",
    }
    looked = client.post("/hotline/call", {**form, "do": "lookup"}).content.decode()
    assert f'value="attach:{case.public_id}"' in looked and "Samir" in looked
    done = client.post("/hotline/call", {**form, "do": f"attach:{case.public_id}"})
    assert done.status_code == 302
    call = Call.objects.get()
    assert call.outcome == CallOutcome.ATTACHED and call.case == case
    page = client.get(done["Location"]).content.decode()
    assert "He called his mother (fictional)" in page and "Added to a case" in page


def test_a_bad_outcome_answers_422_naming_the_field_and_keeps_what_was_typed(client, people):
    hotline = create_hotline(people)
    login(client, hotline.elena, LOCATE)
    typed = {"child_name": "", "relationship": "public", "known": "Kept text (fictional)"}
    answer = client.post("/hotline/call", {**typed, "do": "new_case"})
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "give the child&#x27;s name to open a case" in html and "Kept text (fictional)" in html
    missing_relationship = client.post("/hotline/call", {"child_name": "Amina", "do": "lookup"})
    assert missing_relationship.status_code == 422
    not_seen = create_case(people.giulia)
    refused = client.post(
        "/hotline/call",
        {"child_name": "Amina", "relationship": "public", "do": f"attach:{not_seen.public_id}"},
    )
    assert refused.status_code == 422 and "no case you may add a call to" in refused.content.decode()
    assert not Call.objects.exists()


def test_a_new_case_from_the_page(client, people):
    hotline = create_hotline(people)
    login(client, hotline.elena, LOCATE)
    form = {"child_name": "Amina Tesfay", "relationship": "friend", "missing_category": "runaway"}
    done = client.post("/hotline/call", {**form, "do": "new_case"})
    assert done.status_code == 302
    case = Case.objects.get(organisation=hotline.org)
    assert case.status == "missing" and case.missing_category == "runaway"


def test_the_registration_form_stays_closed_to_a_hotline_it_writes_more_than_a_name(client, people):
    # own-org-hotline-register opens the identity only: the form also writes nationality and
    # identifiers (legal status), which a hotline may not; it registers from the call instead.
    hotline = create_hotline(people)
    login(client, hotline.elena, LOCATE)
    assert "New child" not in client.get("/").content.decode().split('<nav class="site-nav"', 1)[1]
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", {"given_names": "Amina", "nationality": "ER"}).status_code == 403
    assert not Case.objects.filter(organisation=hotline.org).exists()
