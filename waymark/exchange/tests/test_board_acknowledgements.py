"""The Missing-now board shows, per open disappearance, who has acknowledged each alert: the
recipient node's signed receipt (the machine) and a person there marking it seen (the human),
with the seen clock while nobody has — fetched for the whole page at once, so the board's
queries do not grow with its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waymark.cases.tests.api_client import api_as
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import missing_alert as alerts
from waymark.missing.tests.helpers import report
from waymark.test import create_case, create_user, login
from waymark.vocab import Purpose, Role

from .test_missing_alert import BOTH, received

LOCATE = Purpose.LOCATE_MISSING_CHILD


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


def alerted(people, federation, wire, name: str):
    case = create_case(people.giulia, given_names=name, family_name="Test (fictional)")
    report(people.giulia, case)
    case.refresh_from_db()
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=BOTH), node=federation.it)
    dispatch_pending(federation.it, wire)
    return case


def board(user) -> str:
    client = Client()
    login(client, user, LOCATE)
    page = client.get("/missing/")
    assert page.status_code == 200
    return page.content.decode()


def ack_lines(page: str) -> dict[str, str]:
    """The board's acknowledgement lines, by recipient (Calais, or the Brussels police)."""
    block = page.split('class="acks alert-acks">')[1].split("</ul>")[0]
    return {("calais" if "Calais" in li else "police"): li for li in block.split("<li>")[1:]}


def test_the_board_shows_who_received_and_who_saw_each_alert(people, federation, wire):
    alerted(people, federation, wire, "Amina")
    alerts.do_mark_seen(people.claire, received("fr-ngo-calais"), node=federation.fr)
    dispatch_pending(federation.fr, wire)

    lines = ack_lines(board(people.giulia))
    assert set(lines) == {"calais", "police"}
    assert "received" in lines["calais"] and "seen" in lines["calais"]
    assert "not seen yet" not in lines["calais"]
    assert "received" in lines["police"] and "not seen yet" in lines["police"]
    assert "clock" in lines["police"]  # the seen clock runs while nobody there has seen it

    rows = api_as(people.giulia, purpose=LOCATE).get("/api/missing").json()["items"]
    acks = {a["organisation"]: a for a in rows[0]["alerts"]}
    assert set(acks) == set(BOTH)
    assert acks["fr-ngo-calais"]["seen_at"] and acks["fr-ngo-calais"]["seen_clock"]["state"] == "met"
    assert acks["be-police-mpu"]["seen_at"] is None and acks["be-police-mpu"]["receipt"] == "receipted"
    assert acks["be-police-mpu"]["seen_clock"]["state"] in ("running", "due_soon")


def test_who_may_not_read_the_case_notes_sees_no_acknowledgements(people, federation, wire):
    """The hotline operator reports but does not read the case notes: the acknowledgements, like
    the steps, are withheld on their row (named, not silently dropped)."""
    alerted(people, federation, wire, "Amina")
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    rows = api_as(hana, purpose=LOCATE).get("/api/missing").json()["items"]
    assert rows and rows[0]["alerts"] == [] and "alerts" in rows[0]["withheld"]
    assert "Association Refuge Calais" not in board(hana)


def test_the_boards_queries_do_not_grow_with_its_rows(people, federation, wire):
    def counted() -> tuple[int, int]:
        client = Client()
        login(client, people.giulia, LOCATE)
        api = api_as(people.giulia, purpose=LOCATE)
        api.get("/api/missing")  # the token's first use is counted once, not per row
        with CaptureQueriesContext(connection) as page:
            assert client.get("/missing/").status_code == 200
        with CaptureQueriesContext(connection) as answer:
            assert api.get("/api/missing").status_code == 200
        return len(page), len(answer)

    alerted(people, federation, wire, "Amina")
    one = counted()
    for name in ("Yonas", "Dawit"):
        alerted(people, federation, wire, name)
    calais = Thread.objects.filter(
        kind="missing_alert", direction=Direction.INCOMING, local_org__slug="fr-ngo-calais"
    )
    alerts.do_mark_seen(people.claire, calais.earliest("id"), node=federation.fr)
    dispatch_pending(federation.fr, wire)
    three = counted()
    assert three == one, (one, three)
