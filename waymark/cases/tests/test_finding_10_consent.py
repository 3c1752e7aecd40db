"""Issue 9, finding 10 (consent): consent was recorded but no input to any decision. Where an
agreement says sharing rests on consent, its grants open a child's data only for what the child
consented to — that organisation, purpose and categories, in date, not withdrawn — and a
withdrawal takes effect on the next decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.cases import actions
from waymark.cases.access import access_case
from waymark.cases.schemas import ConsentIn
from waymark.cases.tests.api_client import api_as
from waymark.errors import NotFound
from waymark.policy import service
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, login, share
from waymark.vocab import DataCategory, Purpose, Role

CP = Purpose.CHILD_PROTECTION
C = DataCategory


@pytest.fixture
def consent_agreement(people):
    agreement = create_agreement(
        "it-fr-consent",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, c, CP) for c in (C.IDENTITY, C.FAMILY, C.HEALTH)],
    )
    agreement.requires_consent = True
    agreement.save()
    return agreement


@pytest.fixture
def amina(people):
    case = create_case(people.giulia, given_names="Amina")
    share(case, people.fr_ngo, CP)
    return case


def consent(people, case, categories, **kw):
    return actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=kw.pop("purpose", CP),
            categories=categories,
            valid_from=kw.pop("valid_from", timezone.localdate()),
            **kw,
        ),
    )


def test_finding_10_consent_without_a_consent_an_agreement_that_rests_on_it_opens_nothing(
    people, consent_agreement, amina
):
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)
    decided = service.explain(people.claire, amina, CP, C.IDENTITY)
    assert "rests on the child's consent" in decided.explanation


def test_finding_10_consent_opens_exactly_what_the_child_consented_to(people, consent_agreement, amina):
    consent(people, amina, [C.IDENTITY, C.FAMILY])
    seen = access_case(people.claire, amina.public_id, CP)
    assert seen.allowed == {C.IDENTITY, C.FAMILY}  # health is granted, not consented


def test_finding_10_consent_for_another_purpose_or_out_of_date_opens_nothing(
    people, consent_agreement, amina
):
    consent(people, amina, [C.IDENTITY], purpose=Purpose.FAMILY_TRACING)
    today = timezone.localdate()
    consent(
        people,
        amina,
        [C.IDENTITY],
        valid_from=today - dt.timedelta(days=60),
        valid_until=today - dt.timedelta(days=1),
    )
    consent(people, amina, [C.IDENTITY], valid_from=today + dt.timedelta(days=1))
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)


def test_finding_10_consent_withdrawal_takes_effect_on_the_next_decision(
    people, consent_agreement, amina, client
):
    given = consent(people, amina, [C.IDENTITY])
    assert access_case(people.claire, amina.public_id, CP).can(C.IDENTITY)
    login(client, people.giulia)
    page = client.get(f"/cases/{amina.public_id}/").content.decode()
    assert "Sharing under it-fr-consent rests on this consent" in page
    response = client.post(f"/cases/{amina.public_id}/consents/{given.pk}/withdraw")
    assert response.status_code == 302
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)


def test_finding_10_consent_withdrawal_through_the_api(people, consent_agreement, amina):
    given = consent(people, amina, [C.IDENTITY])
    api = api_as(people.giulia)
    response = api.send("post", f"/api/cases/{amina.public_id}/consents/{given.pk}/withdraw", {})
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    again = api.send("post", f"/api/cases/{amina.public_id}/consents/{given.pk}/withdraw", {})
    assert again.status_code == 422 and "consent" in again.json()["errors"]  # a rule, not the document
    assert api_as(people.claire).get(f"/api/cases/{amina.public_id}").status_code == 404


def test_finding_10_consent_an_agreement_that_does_not_rest_on_consent_ignores_it(people, amina):
    create_agreement(
        "it-fr-plain",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, C.IDENTITY, CP)],
    )
    assert access_case(people.claire, amina.public_id, CP).can(C.IDENTITY)
