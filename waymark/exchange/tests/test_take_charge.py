"""A Dublin take-charge request travels (issue 13 items 4 and 6): Milan's Dublin officer (Paolo)
sends the recorded request to the Brussels Dublin unit (Dries) under an agreement in force, for
family tracing (family reunion); Brussels records its own procedure with the reply period counted
from the receipt, sees a tacit acceptance flagged by the same engine, and keeps the child, the
confirmed relative and the best-interests assessment's Dublin cut sealed — never health, the
child's views or case notes, even under an agreement that wrongly grants them. Dries accepts or
refuses; Milan's request gets its reply and both clocks stop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions as continuity
from waymark.continuity.models import TakeChargeDirection, TakeChargeRequest
from waymark.continuity.procedures import procedures_due
from waymark.continuity.schemas import BestInterestsIn, TakeChargeIn
from waymark.continuity.tests.test_family_tracing import confirmed_brother, ward
from waymark.core.clocks import Clock, ClockState
from waymark.core.deadlines import Deadline, Notice
from waymark.core.protocol import testing as proto
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import Grant, GrantAction, Organisation
from waymark.core.protocol.threads import UNDELIVERED
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.tests.test_finding_undelivered_opening import refused_by_an_older_node
from waymark.exchange.threads import implemented_types, kind
from waymark.exchange.threads import take_charge as tc
from waymark.test import create_org, create_user, login
from waymark.vocab import DataCategory, Purpose, Role, Sector

pytestmark = pytest.mark.django_db

AGREEMENT = "it-be-dublin-2026"
C = DataCategory
SECTIONS = {
    "kind": "assessment",
    "child_views": "I want to live with my brother in Brussels (fictional).",
    "child_views_language": "ti",
    "family": "An older brother in Belgium, in contact by phone (fictional).",
    "health": "Asthma, treated (fictional).",
    "safety": "Approached by a smuggler at the station (fictional).",
    "legal_status": "Asylum application registered in Italy (fictional).",
    "options": "Stay in Milan in foster care; reunion with the brother in Belgium (fictional).",
    "recommendation": "family_reunification",
    "recommendation_country": "BE",
    "recommendation_reason": "The brother can care for him (fictional).",
    "guardian_consulted": True,
    "guardian_views": "Agrees with the reunion (fictional).",
}
SECRETS = ("Asthma", "I want to live with my brother", "smuggler", "Stay in Milan in foster care", "+32 2")


def _grant(org, role, category, purpose=Purpose.FAMILY_TRACING):
    return Grant(org=org, role=role, category=category, purpose=purpose, action=GrantAction.READ)


def _agreement(be=(C.IDENTITY, C.FAMILY, C.LEGAL_STATUS), **overrides):
    return dated_agreement(
        identifier=AGREEMENT,
        parties=("it-cps-milano", "be-dublin"),
        grants=(
            *(_grant("be-dublin", Role.DUBLIN_OFFICER, c) for c in be),
            # The reply (legal status) back to Milan's Dublin desk.
            _grant("it-cps-milano", Role.DUBLIN_OFFICER, C.LEGAL_STATUS),
        ),
        response_commitments=(),
        **overrides,
    )


def _publish(federation, version=2, agreements=None):
    nodes = tuple(
        n.model_copy(update={"message_types": tuple(sorted(implemented_types()))})
        for n in proto.registry().nodes
    )
    orgs = (
        *proto.registry().organisations,
        Organisation(
            slug="be-dublin",
            name="Cellule Dublin (fictional)",
            country="BE",
            sector=Sector.ASYLUM_DUBLIN_UNIT,
            node_id="node-be",
        ),
    )
    federation.publish(
        dated_registry(
            version=version,
            nodes=nodes,
            organisations=orgs,
            agreements=(dated_agreement(), _agreement()) if agreements is None else agreements,
        )
    )


@pytest.fixture
def dublin(people, federation):
    unit = create_org(
        "be-dublin", name="Cellule Dublin (fictional)", country="BE", sector=Sector.ASYLUM_DUBLIN_UNIT
    )
    paolo = create_user("paolo", people.it_cps, Role.DUBLIN_OFFICER)
    dries = create_user("dries", unit, Role.DUBLIN_OFFICER)
    _publish(federation)
    return paolo, dries


def _request(people, *, days_ago=20, sent_days_ago=None, bia=True, relative=True):
    case = ward(people)
    brother = confirmed_brother(people, case) if relative else None
    record = (
        continuity.do_record_best_interests(people.giulia, case, BestInterestsIn(**SECTIONS)) if bia else None
    )
    now = timezone.now()
    fields = {
        "requested_country": "BE",
        "registered_at": now - dt.timedelta(days=days_ago),
        "relative": brother.public_id if brother else None,
        "best_interests": record.public_id if record else None,
    }
    if sent_days_ago is not None:
        fields["request_sent_at"] = now - dt.timedelta(days=sent_days_ago)
    return case, continuity.do_record_take_charge(people.giulia, case, TakeChargeIn(**fields))


def _send(paolo, request, federation, **data):
    return tc.do_send_take_charge(
        paolo, request, tc.TakeChargeSendIn(to_org="be-dublin", **data), node=federation.it
    )


def _due(record: TakeChargeRequest) -> Deadline:
    deadline = record.reply_deadline()
    assert deadline is not None
    return deadline


def _clock(thread: Thread) -> Clock:
    clock = kind("take_charge").clock_of(thread)
    assert clock is not None
    return clock


def _received():
    return Thread.objects.get(kind="take_charge", direction=Direction.INCOMING)


def test_the_request_travels_and_brussels_sees_its_own_reply_clock(people, federation, wire, dublin):
    paolo, dries = dublin
    case, request = _request(people)
    sent = _send(paolo, request, federation, note="Family reunion with the brother (fictional).")
    request.refresh_from_db()
    assert sent.status == "awaiting_reply" and sent.purpose == Purpose.FAMILY_TRACING
    assert request.request_sent_at is not None and request.conversation == sent.public_id
    assert sent.facts["take_charge"] == str(request.public_id)
    assert sent.due_at == _due(request).due_at
    assert any(
        e.summary_text.startswith("Take-charge request sent to") for e in Event.objects.filter(case=case)
    )
    dispatch_pending(federation.it, wire)

    received = _received()
    assert received.local_org.slug == "be-dublin" and received.case is None
    mine = TakeChargeRequest.objects.get(direction=TakeChargeDirection.INCOMING)
    assert mine.organisation is not None and mine.organisation.slug == "be-dublin" and mine.case is None
    assert mine.requesting_country == "IT" and mine.requested_country == "BE"
    assert mine.request_received_at == received.created_at  # the reply period counts from receipt
    assert mine.conversation == received.public_id and received.facts["take_charge"] == str(mine.public_id)
    assert received.due_at == _due(mine).due_at
    assert _clock(received).state(timezone.now()) is ClockState.RUNNING
    # Dries finds it among his threads (a Dublin officer is no exchange role otherwise).
    from waymark.exchange.access import threads_of

    assert list(threads_of(dries)) == [received]
    assert received.data.doc("child")["given_names"] == "Amina"
    assert received.data.doc("relative")["relationship"] == "sibling"


def test_only_the_dublin_cut_of_the_bia_travels_and_nothing_else_is_kept_in_brussels(
    people, federation, wire, dublin
):
    paolo, _dries = dublin
    _case, request = _request(people)
    _send(paolo, request, federation)
    dispatch_pending(federation.it, wire)
    received = _received()
    bia = received.data.doc("best_interests")
    assert bia["recommendation"] == "family_reunification" and bia["family"].startswith("An older brother")
    assert set(bia) <= {
        "kind",
        "approved",
        "recorded_on",
        "recommendation",
        "recommendation_country",
        "recommendation_reason",
        "review_on",
        "legal_status",
        "family",
    }
    assert set(received.categories) <= {C.IDENTITY, C.FAMILY, C.LEGAL_STATUS}
    # Nothing secret anywhere in the receiving side's rows (sealed or not), nor in clear.
    with connection.cursor() as cur:
        for table in ("exchange_thread", "continuity_takechargerequest"):
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            dump = repr(cur.fetchall())
            assert "An older brother" not in dump  # sealed, not in clear
            for secret in SECRETS:
                assert secret not in dump


def test_a_wrongly_granted_agreement_sends_no_health_disclosure_or_case_notes(
    people, federation, wire, dublin
):
    paolo, _dries = dublin
    _publish(
        federation,
        version=3,
        agreements=(dated_agreement(), _agreement(be=tuple(DataCategory))),
    )
    _case, request = _request(people)
    sent = _send(paolo, request, federation)
    assert not {C.HEALTH, C.DISCLOSURE, C.CASE_NOTES, C.GUARDIAN} & set(sent.categories)
    dispatch_pending(federation.it, wire)
    bia = _received().data.doc("best_interests")
    for name in ("health", "child_views", "safety", "options", "guardian_views", "education"):
        assert name not in bia


def test_without_an_agreement_for_the_dublin_unit_nothing_leaves(people, federation, dublin):
    paolo, _dries = dublin
    _publish(federation, version=3, agreements=(dated_agreement(),))
    _case, request = _request(people)
    with pytest.raises(ActionError):
        _send(paolo, request, federation)
    request.refresh_from_db()
    assert request.request_sent_at is None
    assert not Thread.objects.filter(kind="take_charge").exists()


def test_immigration_and_caseworkers_may_not_send_it(people, federation, dublin):
    _case, request = _request(people)
    for user in (people.ivan, people.giulia):
        with pytest.raises(ActionError):
            tc.do_send_take_charge(user, request, tc.TakeChargeSendIn(to_org="be-dublin"), node=federation.it)
    with pytest.raises(ValueError):
        tc.TakeChargeSendIn(to_org="be-dublin", purpose=Purpose.IMMIGRATION_ENFORCEMENT)
    with pytest.raises(ValueError):
        tc.TakeChargeSendIn(to_org="be-dublin", purpose=Purpose.BEST_INTERESTS_ASSESSMENT)


def test_it_goes_to_a_dublin_unit_of_the_requested_country_only(people, federation, dublin):
    paolo, _dries = dublin
    _case, request = _request(people)
    # Another country's NGO; the requested country's police: neither is its Dublin unit.
    for elsewhere in ("fr-ngo-calais", "be-police-mpu"):
        with pytest.raises(ActionError) as refused:
            tc.do_send_take_charge(paolo, request, tc.TakeChargeSendIn(to_org=elsewhere), node=federation.it)
        assert "to_org" in refused.value.errors


def test_a_recorded_sending_date_stands_and_silence_is_flagged_on_both_sides(
    people, federation, wire, dublin
):
    paolo, dries = dublin
    # Sent (on paper) 70 days ago: the requesting side's reply period has passed.
    _case, request = _request(people, days_ago=100, sent_days_ago=70)
    sent_at = request.request_sent_at
    _send(paolo, request, federation)
    request.refresh_from_db()
    assert request.request_sent_at == sent_at
    rows, _page = procedures_due(paolo, Purpose.FAMILY_TRACING)
    assert any(r.request == request and r.notice is Notice.TACIT_ACCEPTANCE for r in rows)
    dispatch_pending(federation.it, wire)
    mine = TakeChargeRequest.objects.get(direction=TakeChargeDirection.INCOMING)
    # Brussels counts from its receipt (today): its clock runs; once its period passes, flagged.
    assert _due(mine).notice(timezone.now()) is Notice.RUNNING
    later = timezone.now() + dt.timedelta(days=70)
    rows, _page = procedures_due(dries, Purpose.FAMILY_TRACING, now=later)
    assert [(r.request, r.notice) for r in rows] == [(mine, Notice.TACIT_ACCEPTANCE)]
    assert rows[0].case is None
    # Listed for family tracing only, the purpose the request travelled for.
    assert procedures_due(dries, Purpose.BEST_INTERESTS_ASSESSMENT, now=later)[0] == []


def test_dries_accepts_and_both_clocks_stop(people, federation, wire, dublin):
    paolo, dries = dublin
    case, request = _request(people)
    sent = _send(paolo, request, federation)
    dispatch_pending(federation.it, wire)
    received = _received()
    answered = tc.do_reply_take_charge(
        dries,
        received,
        tc.TakeChargeReplyIn(accepted=True, note="Brother verified (fictional)."),
        node=federation.be,
    )
    assert answered.status == "accepted"
    mine = TakeChargeRequest.objects.get(direction=TakeChargeDirection.INCOMING)
    assert mine.accepted is True and mine.replied_at is not None
    assert _clock(answered).state(timezone.now()) is ClockState.MET
    dispatch_pending(federation.be, wire)
    sent.refresh_from_db()
    request.refresh_from_db()
    assert sent.status == "accepted" and request.accepted is True and request.replied_at is not None
    assert _due(request).notice(timezone.now()) is Notice.MET
    assert any(
        e.summary_text.startswith("Take-charge request accepted by") for e in Event.objects.filter(case=case)
    )


def test_a_refusal_gives_its_reasons_and_reaches_milan(people, federation, wire, dublin):
    paolo, dries = dublin
    _case, request = _request(people)
    _send(paolo, request, federation)
    dispatch_pending(federation.it, wire)
    with pytest.raises(ValueError):
        tc.TakeChargeReplyIn(accepted=False)
    tc.do_reply_take_charge(
        dries,
        _received(),
        tc.TakeChargeReplyIn(accepted=False, note="No family link shown (fictional)."),
        node=federation.be,
    )
    dispatch_pending(federation.be, wire)
    request.refresh_from_db()
    assert request.accepted is False and request.replied_at is not None


def test_only_a_dublin_officer_of_the_requested_unit_replies(people, federation, wire, dublin):
    paolo, _dries = dublin
    _case, request = _request(people)
    _send(paolo, request, federation)
    dispatch_pending(federation.it, wire)
    for user in (people.luc, paolo, people.ivan):
        with pytest.raises(ActionError):
            tc.do_reply_take_charge(
                user, _received(), tc.TakeChargeReplyIn(accepted=True), node=federation.be
            )


def test_a_request_is_sent_once(people, federation, dublin):
    paolo, _dries = dublin
    _case, request = _request(people)
    _send(paolo, request, federation)
    with pytest.raises(ActionError):
        _send(paolo, request, federation)


# --- pages -------------------------------------------------------------------------------------


def test_paolo_sends_it_from_the_requests_page_and_dries_accepts_on_the_thread_page(
    client, people, federation, wire, dublin, monkeypatch
):
    paolo, dries = dublin
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    case, request = _request(people)
    login(client, paolo, purpose=Purpose.FAMILY_TRACING)
    page = client.get(reverse("continuity:update_take_charge", args=[case.public_id, request.public_id]))
    assert "Send the take-charge request" in page.content.decode()
    send = reverse("exchange:send_take_charge", args=[case.public_id, request.public_id])
    refused = client.post(send, {"to_org": "fr-ngo-calais", "best_interests": "on"})
    assert refused.status_code == 422 and "to_org" in refused.content.decode()
    done = client.post(send, {"to_org": "be-dublin", "best_interests": "on"})
    assert done.status_code == 302, done.content
    request.refresh_from_db()
    assert done["Location"] == reverse("exchange:thread", args=["take-charge", request.conversation])
    dispatch_pending(federation.it, wire)

    received = _received()
    current["node"] = federation.be
    login(client, dries, purpose=Purpose.FAMILY_TRACING)
    url = reverse("exchange:thread", args=["take-charge", received.public_id])
    # His exchange dashboard lists it to answer (and no other kind's panel).
    board = client.get(reverse("exchange:dashboard")).content.decode()
    assert "Take-charge requests to answer" in board and url in board
    assert "Guardian hand-overs to acknowledge" not in board
    html = client.get(url).content.decode()
    assert (
        "Amina" in html
        and "Accept to take charge" in html
        and "family reunification" in html.replace("_", " ")
    )
    for secret in SECRETS:
        assert secret not in html
    answered = client.post(
        reverse("exchange:thread_act", args=["take-charge", received.public_id, "reply"]),
        {"accepted": "yes", "note": "Brother verified (fictional)."},
    )
    assert answered.status_code == 302, answered.content
    received.refresh_from_db()
    assert received.status == "accepted"


def test_the_thread_page_is_not_found_for_another_organisation(client, people, federation, wire, dublin):
    paolo, _dries = dublin
    _case, request = _request(people)
    _send(paolo, request, federation)
    dispatch_pending(federation.it, wire)
    url = reverse("exchange:thread", args=["take-charge", _received().public_id])
    for outsider in (people.luc, people.claire, paolo):
        login(client, outsider, purpose=Purpose.FAMILY_TRACING)
        assert client.get(url).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_the_api_sends_reads_and_answers_a_take_charge_request(people, federation, wire, dublin, monkeypatch):
    paolo, dries = dublin
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    case, request = _request(people)
    send = case_url(case, f"/take-charge-requests/{request.public_id}/send")
    # Another purpose is refused by the schema; immigration enforcement is refused anywhere.
    bia = api_as(paolo, purpose=Purpose.BEST_INTERESTS_ASSESSMENT).post(send, {"to_org": "be-dublin"})
    assert bia.status_code == 404, bia.content  # a Dublin officer reads the case for family tracing only
    caseworker = api_as(people.giulia, purpose=Purpose.FAMILY_TRACING).post(send, {"to_org": "be-dublin"})
    assert caseworker.status_code == 422 and "Dublin officer" in caseworker.content.decode()
    sent = api_as(paolo, purpose=Purpose.FAMILY_TRACING).post(send, {"to_org": "be-dublin"})
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["kind"] == "take_charge" and body["status"] == "awaiting_reply" and body["clock"]
    assert body["content"]["take_charge_request"] == str(request.public_id)
    dispatch_pending(federation.it, wire)

    current["node"] = federation.be
    received = _received()
    theirs = api_as(dries, purpose=Purpose.FAMILY_TRACING)
    read = theirs.get(f"/api/take-charge-threads/{received.public_id}")
    assert read.status_code == 200, read.content
    content = read.json()["content"]
    assert content["child"]["given_names"] == "Amina" and "health" not in content["best_interests"]
    assert read.json()["may_send"] == ["reply"]
    refused = theirs.post(f"/api/take-charge-threads/{received.public_id}/reply", {"accepted": False})
    assert refused.status_code == 422 and "note" in refused.content.decode()
    replied = theirs.post(
        f"/api/take-charge-threads/{received.public_id}/reply",
        {"accepted": False, "note": "No link (fictional)."},
    )
    assert replied.status_code == 200, replied.content
    assert replied.json()["status"] == "refused"
    dispatch_pending(federation.be, wire)
    request.refresh_from_db()
    assert request.accepted is False


def test_finding_undelivered_take_charge_keeps_its_failed_date(people, federation, wire, dublin, monkeypatch):
    # A request Waymark sent (no date recorded before) that Brussels refused never reached the
    # requested State: sent again days later, its periods count from the second sending, not
    # from the attempt that never arrived.
    paolo, _dries = dublin
    _case, request = _request(people)
    first = _send(paolo, request, federation)
    request.refresh_from_db()
    failed = request.request_sent_at
    assert failed is not None and abs(failed - first.created_at) < dt.timedelta(seconds=5)
    refused_by_an_older_node(federation, wire, MessageType.TAKE_CHARGE_REQUEST)
    first.refresh_from_db()
    assert first.status == UNDELIVERED
    later = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = _send(paolo, request, federation)
    request.refresh_from_db()
    assert request.request_sent_at is not None and request.request_sent_at >= later
    assert request.conversation == second.public_id


def test_a_date_recorded_before_sending_stands_when_the_first_sending_failed(
    people, federation, wire, dublin
):
    paolo, _dries = dublin
    _case, request = _request(people, days_ago=30, sent_days_ago=10)  # sent by DubliNet, recorded
    recorded = request.request_sent_at
    _send(paolo, request, federation)
    refused_by_an_older_node(federation, wire, MessageType.TAKE_CHARGE_REQUEST)
    _send(paolo, request, federation)
    request.refresh_from_db()
    assert request.request_sent_at == recorded
