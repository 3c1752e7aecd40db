"""Passing a call through the discovery rule never shows the hotline the other organisation's
child: not on the record page, not in the API's answers, not on the call page — before or after
the holder takes the call onto its case. Only "held by ⟨organisation⟩", audited at both sides."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.tests.api_client import api_as
from waymark.hotline.models import Call
from waymark.test import create_case, login
from waymark.vocab import AuditKind

from .helpers import LOCATE, create_hotline

# The caller's own spelling: what the hotline typed may be shown back to it, the holder's never.
TYPED = "Yonas Tesfamaryam"


@pytest.fixture
def setting(people):
    hotline = create_hotline(people)
    yonas = create_case(
        people.giulia,
        given_names="Yonas",
        family_name="Tesfamariam",
        nationality="ER",
        birth_date="2010-03-14",
        name_latin="Yonas Tesfamariam Gebre",
    )
    return hotline, yonas


def _reveals(text: str, yonas) -> list[str]:
    secrets = [
        "Tesfamariam",
        "Gebre",
        yonas.reference,
        str(yonas.public_id),
        str(yonas.child.public_id),
        "2010",
    ]
    return [s for s in secrets if s in text]


FORM = {
    "child_name": TYPED,
    "relationship": "friend",
    "known": "He called me from Como (fictional)",
    "seen_place": "Como San Giovanni",
}


def test_the_record_page_says_held_by_and_nothing_of_the_child(client, people, setting):
    hotline, yonas = setting
    login(client, hotline.elena, LOCATE)
    page = client.post("/hotline/call", {**FORM, "do": "lookup"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Servizio Tutela Minori Milano (fictional)" in html and 'value="pass:it-cps-milano"' in html
    assert _reveals(html, yonas) == []
    passed = client.post("/hotline/call", {**FORM, "do": "pass:it-cps-milano"})
    assert passed.status_code == 302
    call = Call.objects.get()
    html = client.get(passed["Location"]).content.decode()
    assert TYPED in html and _reveals(html, yonas) == []

    # The holder takes it onto the child's case: the hotline's page still shows nothing of them.
    login(client, people.giulia, LOCATE)
    holder_page = client.get(f"/hotline/calls/{call.public_id}/").content.decode()
    assert yonas.reference in holder_page  # the holder sees its own child, to add the call
    assert (
        client.post(f"/hotline/calls/{call.public_id}/take", {"case": str(yonas.public_id)}).status_code
        == 302
    )
    login(client, hotline.elena, LOCATE)
    after = client.get(f"/hotline/calls/{call.public_id}/")
    assert after.status_code == 200 and _reveals(after.content.decode(), yonas) == []
    listing = client.get("/hotline/").content.decode()
    assert _reveals(listing, yonas) == []


def test_the_api_answers_held_by_and_nothing_of_the_child(people, setting):
    hotline, yonas = setting
    api = api_as(hotline.elena, purpose=LOCATE)
    found = api.post("/api/hotline/lookup", {"child_name": TYPED})
    assert found.status_code == 200
    assert found.json()["cases"] == [] and found.json()["held_by"] == [
        {"slug": "it-cps-milano", "name": "Servizio Tutela Minori Milano (fictional)"}
    ]
    assert _reveals(found.content.decode(), yonas) == []
    passed = api.post(
        "/api/hotline/calls/pass",
        {
            "call": {"relationship": "friend", "child_name": TYPED, "known": "fictional"},
            "to_org": "it-cps-milano",
        },
    )
    assert passed.status_code == 201, passed.json()
    assert passed.json()["case"] is None and _reveals(passed.content.decode(), yonas) == []
    read = api.get(f"/api/hotline/calls/{passed.json()['call_id']}")
    assert read.status_code == 200 and _reveals(read.content.decode(), yonas) == []
    # Both organisations' logs hold it: the discovery shown, the call passed (the child by pseudonym).
    assert AuditEntry.objects.filter(kind=AuditKind.DISCOVERY, peer_org="it-cps-milano").exists()
    assert AuditEntry.objects.filter(kind=AuditKind.OTHER, details__action="hotline_call_passed").exists()


def test_another_organisation_cannot_read_a_call_it_was_not_passed(client, people, setting):
    hotline, _yonas = setting
    api = api_as(hotline.elena, purpose=LOCATE)
    made = api.post(
        "/api/hotline/calls/pass",
        {"call": {"relationship": "friend", "child_name": TYPED}, "to_org": "it-cps-milano"},
    ).json()
    assert (
        api_as(people.claire, purpose=LOCATE).get(f"/api/hotline/calls/{made['call_id']}").status_code == 404
    )
    login(client, people.luc, LOCATE)
    assert client.get(f"/hotline/calls/{made['call_id']}/").status_code == 404
