"""The disappearance's own page closes it: "found", "came back by themselves" or "reported in
error" — before, only the alert page and the API could, so a node that had sent no alert had no
button at all. The same action as the API (every alerted organisation is told); refused to who
may not change the case (404, as for a disappearance that does not exist)."""

from __future__ import annotations

from django.test import Client

from waymark.cases.models import Case, Event
from waymark.missing.models import Disappearance
from waymark.missing.tests.helpers import report
from waymark.test import create_case, login
from waymark.vocab import CaseStatus, Purpose

LOCATE = Purpose.LOCATE_MISSING_CHILD


def _page(user) -> Client:
    client = Client()
    login(client, user, LOCATE)
    return client


def test_the_disappearance_page_offers_the_ways_to_close_it(people):
    d = report(people.giulia, create_case(people.giulia))
    page = _page(people.giulia).get(f"/missing/{d.public_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/exchange/missing/{d.public_id}/close" in body
    for outcome in ("found", "returned", "withdrawn"):
        assert f'value="{outcome}"' in body


def test_found_from_the_page_closes_the_disappearance_and_the_case_is_found(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    answer = _page(people.giulia).post(
        f"/exchange/missing/{d.public_id}/close", {"outcome": "found", "note": "At the station (fictional)"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith(f"/missing/{d.public_id}/")
    d.refresh_from_db()
    assert d.closed_at is not None and d.outcome == "found"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FOUND
    assert Event.objects.filter(case=case, type="found").exists()


def test_came_back_from_the_page_opens_the_case_again(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    answer = _page(people.giulia).post(f"/exchange/missing/{d.public_id}/close", {"outcome": "returned"})
    assert answer.status_code == 302
    d.refresh_from_db()
    assert d.outcome == "returned"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_closing_twice_or_with_a_bad_outcome_is_refused_and_changes_nothing(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    client = _page(people.giulia)
    bad = client.post(f"/exchange/missing/{d.public_id}/close", {"outcome": "vanished"})
    assert bad.status_code == 422 and b"outcome" in bad.content
    assert Disappearance.objects.get(pk=d.pk).closed_at is None
    assert client.post(f"/exchange/missing/{d.public_id}/close", {"outcome": "returned"}).status_code == 302
    again = client.post(f"/exchange/missing/{d.public_id}/close", {"outcome": "found"})
    assert again.status_code == 422 and b"not recorded as missing" in again.content
    assert Disappearance.objects.get(pk=d.pk).outcome == "returned"


def test_someone_of_another_organisation_gets_the_same_404(people):
    d = report(people.giulia, create_case(people.giulia))
    answer = _page(people.claire).post(f"/exchange/missing/{d.public_id}/close", {"outcome": "found"})
    assert answer.status_code == 404
    assert Disappearance.objects.get(pk=d.pk).closed_at is None
