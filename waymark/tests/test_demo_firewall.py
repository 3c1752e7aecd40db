"""The firewall on the demo node, as a new user would try it: a French caseworker and an Italian
child, before and after the cooperation agreement is loaded from the demo federation file."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from waymark.accounts.models import User
from waymark.cases.access import cases_visible_to
from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as
from waymark.test import share
from waymark.vocab import ContextSource, Purpose

FEDERATION = Path(__file__).resolve().parents[2] / "docs" / "examples" / "federation-demo.yaml"


def test_the_agreement_file_opens_exactly_the_granted_categories(db, capsys):
    call_command("load_demo")
    claire = User.objects.get(username="demo-fr-caseworker")
    italian = Case.objects.filter(organisation__slug="it-cps-milano").order_by("pk").first()
    assert italian is not None
    api = api_as(claire, purpose=Purpose.LOCATE_MISSING_CHILD)
    url = f"/api/cases/{italian.public_id}"

    assert api.get(url).status_code == 404  # no agreement yet: not even its existence

    call_command("load_federation", str(FEDERATION))
    # Need to know: the agreement alone opens none of Milan's children.
    assert api.get(url).status_code == 404
    visible = cases_visible_to(claire, Purpose.LOCATE_MISSING_CHILD)
    assert not visible.filter(organisation__slug="it-cps-milano").exists()
    # Milan alerts Calais about this child, who is missing: the agreement opens what it grants.
    share(
        italian,
        "fr-ngo-calais",
        Purpose.LOCATE_MISSING_CHILD,
        source=ContextSource.MISSING_ALERT,
        missing=True,
    )
    body = api.get(url).json()
    assert body["child"]["given_names"]  # identity is granted
    assert body["risk_reasons"] is None  # case notes are not
    assert body["withheld"]["risk_reasons"].startswith("not shared with you under agreement")

    refused = api_as(claire, purpose=Purpose.IMMIGRATION_ENFORCEMENT).get(url)
    assert refused.status_code == 403
