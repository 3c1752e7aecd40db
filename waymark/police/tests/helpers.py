"""Test helpers for the police side: the police agreement between Milan and the Belgian
missing-persons unit, a child reported missing, an alert requested as the caseworker would."""

from __future__ import annotations

from typing import Any

from waymark.cases.models import Case
from waymark.missing.models import Disappearance
from waymark.missing.tests.helpers import report
from waymark.police import actions
from waymark.police.models import PoliceAlert
from waymark.police.schemas import AlertRequestIn, TransitionIn
from waymark.policy.models import Agreement
from waymark.policy.tests.factories import create_agreement
from waymark.test import Personas, create_case
from waymark.vocab import Purpose, Role

LOCATE = Purpose.LOCATE_MISSING_CHILD
# What the police agreement grants the unit's officers: the minimal identifiers, nothing else.
MINIMAL = ("identity", "physical_description", "photo", "contact_location")


def police_agreement(people: Personas, categories: tuple[str, ...] = MINIMAL) -> Agreement:
    return create_agreement(
        "it-be-police-missing-2026",
        [people.it_cps, people.be_police],
        grants=[(people.be_police, Role.POLICE_OFFICER, c, LOCATE) for c in categories],
    )


def missing_case(people: Personas, **fields: Any) -> tuple[Case, Disappearance]:
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    d = report(people.giulia, case, **fields)
    return Case.objects.get(pk=case.pk), d


def request_alert(people: Personas, case: Case, **fields: Any) -> PoliceAlert:
    data = {
        "kind": "sis_missing_minor",
        "police_org": people.be_police.slug,
        "sis_category": "protection",
    } | fields
    return actions.do_request_alert(people.giulia, case, AlertRequestIn(**data))


def advance(people: Personas, alert: PoliceAlert, to: str, **fields: Any) -> PoliceAlert:
    return actions.do_advance_alert(people.giulia, alert, TransitionIn(to=to, **fields))
