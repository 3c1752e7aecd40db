"""The ``make network`` demo's Dublin story (issue 13, "Done when": "a Dublin officer sees a
request's clocks and the tacit-acceptance warning"): Milan's Dublin desk (``paolo``) logs in
for family tracing and the dashboard shows Yonas's unanswered request to Belgium as a TACIT
ACCEPTANCE; the case page draws its clocks."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from waymark.accounts.models import User
from waymark.continuity.models import TakeChargeRequest
from waymark.core.deadlines import Notice, Step
from waymark.devtools import demo
from waymark.test import login
from waymark.vocab import Purpose, Role


def test_the_italian_node_shows_its_dublin_desk_a_tacit_acceptance(db, client):
    call_command("exchange_demo", "node-it")
    call_command("exchange_demo", "node-it")  # idempotent: one request, not two
    request = TakeChargeRequest.objects.select_related("case__child").get()
    assert request.case is not None
    assert request.case.child.given_names == "Yonas" and request.requested_country == "BE"
    assert request.schedule().must(Step.REPLY).notice(request.created_at) is Notice.TACIT_ACCEPTANCE
    paolo = User.objects.get(username="paolo")
    assert paolo.role == Role.DUBLIN_OFFICER
    login(client, paolo, purpose=Purpose.FAMILY_TRACING)
    home = client.get(reverse("dashboard")).content.decode()
    assert 'id="take-charge-due"' in home and "Yonas" in home and "TACIT ACCEPTANCE" in home
    page = client.get(reverse("case_detail", args=[request.case.public_id])).content.decode()
    assert 'id="dublin-h"' in page and "clock-overdue" in page and "TACIT ACCEPTANCE" in page


def test_the_demo_registry_lets_milans_dublin_desk_ask_brussels_to_take_charge():
    spec = demo.registry_spec({"node-it": "it.json", "node-be": "be.json"})
    (found,) = [a for a in spec["agreements"] if a["identifier"] == demo.TAKE_CHARGE_AGREEMENT_ID]
    assert set(found["parties"]) == {"it-cps-milano", "be-dublin"}
    assert found["message_types"] == ["take_charge_reply", "take_charge_request"]
    assert {g["purpose"] for g in found["grants"]} == {Purpose.FAMILY_TRACING.value}
    dublin = {g["category"] for g in found["grants"] if g["org"] == "be-dublin"}
    assert dublin == {"identity", "family", "legal_status"}  # never health, disclosures, case notes
    assert {g["role"] for g in found["grants"]} == {Role.DUBLIN_OFFICER.value}
