"""The demo's Dublin unit and best-interests agreement (issue 13): a Dublin unit with a Dublin
officer on the Belgian node beside its guardianship service; an agreement for
best_interests_assessment between Milan and Brussels that lets a guardian hand a ward over and
the Dublin unit read identity, family and legal status only — added beside the existing
agreements, which neither gain the Dublin unit nor change a grant. On the single-node demo the
federation file does the same: the Dublin officer reads a BIA's recommendation, family and legal
status once a conversation links the two organisations — never health or the child's views."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management import call_command

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions
from waymark.continuity.schemas import BestInterestsIn
from waymark.core.protocol.messages import MessageType
from waymark.devtools import demo
from waymark.exchange import authority
from waymark.exchange.tests.test_registry_authority import descriptor
from waymark.test import share
from waymark.vocab import DataCategory, Purpose, Role, Sector

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BIA = Purpose.BEST_INTERESTS_ASSESSMENT
FEDERATION = Path(__file__).resolve().parents[3] / "docs" / "examples" / "federation-demo.yaml"
CLOSED = {"health", "disclosure", "case_notes", "psychosocial", "trafficking_indicators", "education"}


def _registry():
    spec = demo.registry_spec({n.node_id: "unused" for n in demo.DEMO_NODES})
    for item, node in zip(spec["nodes"], demo.DEMO_NODES, strict=True):
        item["descriptor"] = descriptor(node.node_id, None)
    return spec, authority.build_registry(spec, version=1, now=NOW)


def test_the_belgian_node_has_a_guardianship_service_and_a_dublin_unit_with_their_people():
    be = demo.node("node-be")
    sectors = {o.slug: o.sector for o in be.orgs}
    roles = {(u.role, sectors[u.org]) for u in be.users}
    assert (Role.GUARDIAN, Sector.GUARDIANSHIP) in roles
    assert (Role.DUBLIN_OFFICER, Sector.ASYLUM_DUBLIN_UNIT) in roles
    assert all("(fictional)" in o.name for o in be.orgs)


def test_the_dublin_unit_is_granted_identity_family_and_legal_status_only():
    spec, _ = _registry()
    (bia,) = [a for a in spec["agreements"] if a["identifier"] == demo.BEST_INTERESTS_AGREEMENT_ID]
    assert set(bia["parties"]) == {"it-cps-milano", "it-guardians", "be-tutelles", "be-dublin"}
    dublin = {g["category"] for g in bia["grants"] if g["org"] == "be-dublin"}
    assert dublin == {"identity", "family", "legal_status"}
    assert {g["purpose"] for g in bia["grants"]} == {BIA.value}
    assert {g["action"] for g in bia["grants"]} == {"read"}
    # Never health or disclosures for a Dublin officer, in any agreement of the demo.
    for agreement in spec["agreements"]:
        for grant in agreement["grants"]:
            if grant["role"] == Role.DUBLIN_OFFICER.value:
                assert grant["category"] not in CLOSED, (agreement["identifier"], grant)


def test_the_existing_agreements_are_unchanged_and_do_not_gain_the_dublin_unit():
    spec, _ = _registry()
    found = {a["identifier"]: a for a in spec["agreements"]}
    assert found[demo.AGREEMENT_ID] == demo.agreement()  # the child-protection agreement as it was
    locate = found[demo.LOCATE_AGREEMENT_ID]
    assert "be-dublin" not in locate["parties"]
    assert {g["org"] for g in locate["grants"]} <= set(locate["parties"])
    assert not any(g["role"] == Role.DUBLIN_OFFICER.value for g in locate["grants"])
    assert "be-dublin" not in demo.local_federation(demo.node("node-be"))["agreements"][0]["parties"]


def test_a_guardian_hands_a_ward_over_to_brussels_under_it_and_the_dublin_unit_gets_no_views():
    _spec, registry = _registry()
    at = NOW + dt.timedelta(days=1)
    handover = [
        DataCategory.IDENTITY,
        DataCategory.GUARDIAN,
        DataCategory.DISCLOSURE,
        DataCategory.CASE_NOTES,
    ]
    found = registry.find_agreement(
        from_org="it-guardians",
        to_org="be-tutelles",
        purpose=BIA,
        categories=handover,
        type=MessageType.GUARDIAN_HANDOVER,
        at=at,
    )
    assert found is not None and found.identifier == demo.BEST_INTERESTS_AGREEMENT_ID
    # The same hand-over to the Dublin unit: the child's views are not granted there.
    assert (
        registry.find_agreement(
            from_org="it-guardians",
            to_org="be-dublin",
            purpose=BIA,
            categories=handover,
            type=MessageType.GUARDIAN_HANDOVER,
            at=at,
        )
        is None
    )
    # An information request about the child's family and legal status may reach it.
    asked = registry.find_agreement(
        from_org="it-cps-milano",
        to_org="be-dublin",
        purpose=BIA,
        categories=[DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.LEGAL_STATUS],
        type=MessageType.INFO_REQUEST,
        at=at,
    )
    assert asked is not None and asked.identifier == demo.BEST_INTERESTS_AGREEMENT_ID


def _bia_body():
    return {
        "kind": "assessment",
        "child_views": "I want to live with my brother (fictional).",
        "child_views_language": "ti",
        "family": "A brother in Brussels (fictional).",
        "health": "Asthma (fictional).",
        "legal_status": "Application registered in Italy (fictional).",
        "options": "Stay; reunion (fictional).",
        "recommendation": "family_reunification",
        "recommendation_country": "BE",
        "guardian_consulted": False,
    }


def test_on_the_single_node_demo_the_dublin_officer_reads_the_bia_family_and_legal_status_only(db):
    call_command("load_demo")
    call_command("load_federation", str(FEDERATION))
    dries = User.objects.get(username="demo-be-dublin-officer")
    giulia = User.objects.get(username="demo-caseworker")
    case = (
        Case.objects.filter(organisation__slug="it-cps-milano", guardian__isnull=True).order_by("pk").first()
    )
    assert case is not None
    actions.do_record_best_interests(giulia, case, BestInterestsIn.model_validate(_bia_body()))
    api = api_as(dries, purpose=BIA)
    assert api.get(case_url(case, "/best-interests")).status_code == 404  # no need to know yet
    share(case, "be-dublin", BIA)
    response = api.get(case_url(case, "/best-interests"))
    assert response.status_code == 200, response.content
    (record,) = response.json()
    assert record["recommendation"] == "family_reunification" and record["family"].startswith("A brother")
    assert record["legal_status"].startswith("Application")
    assert record["health"] is None and record["child_views"] is None
    assert "Asthma" not in response.content.decode() and "I want" not in response.content.decode()
    # Nor through the case: no health, no case notes.
    body = api.get(case_url(case, "")).content.decode()
    assert "Asthma" not in body
    assert api_as(dries, purpose=Purpose.IMMIGRATION_ENFORCEMENT).get(case_url(case, "")).status_code == 403
