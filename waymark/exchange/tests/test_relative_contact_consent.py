"""The relative's own consent to their contact details being shared (issue 13 item 5), recorded
apart from the child's: required before a tracing request sends the contact; a tracer's result
brings the contact only with the relative's agreement, and then records it on the requester's
relative. Shown on the case page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions as continuity
from waymark.continuity.schemas import RelativeIn, RelativeUpdateIn
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.tests.test_family_tracing import (
    BROTHER,
    CONTACT,
    _nodes,
    _tracing_agreement,
    ask,
    received,
)
from waymark.exchange.threads import family_tracing as tracing
from waymark.test import create_case, login
from waymark.vocab import DataCategory

pytestmark = pytest.mark.django_db


def brother_without_consent(people):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay", case={"guardian": "marco"})
    relative = continuity.do_add_relative(
        people.giulia,
        case,
        RelativeIn(full_name=BROTHER, relationship="sibling", country="FR", contact=CONTACT),
    )
    return case, relative


@pytest.fixture
def contact_federation(federation):
    granted = _tracing_agreement(
        to_tracer=(DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.CONTACT_LOCATION)
    )
    federation.publish(dated_registry(version=2, nodes=_nodes(), agreements=(dated_agreement(), granted)))
    return federation


def test_the_contact_does_not_leave_without_the_relatives_own_consent(people, contact_federation):
    case, relative = brother_without_consent(people)
    with pytest.raises(ActionError) as refused:
        ask(people, case, relative, contact_federation, share_contact=True)
    assert "share_contact" in refused.value.errors
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()
    # Recorded, it goes.
    today = timezone.localdate()
    continuity.do_update_relative(
        people.giulia, relative, RelativeUpdateIn(contact_consent=True, contact_consent_on=today)
    )
    relative.refresh_from_db()
    assert relative.contact_consent and relative.contact_consent_on == today
    assert (
        "contact_location" in ask(people, case, relative, contact_federation, share_contact=True).categories
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"contact_consent": True}, "contact_consent_on"),
        ({"contact_consent_on": "2026-01-01"}, "contact_consent"),
        ({"contact_consent": True, "contact_consent_on": "2999-01-01"}, "contact_consent_on"),
    ],
)
def test_a_bad_consent_is_refused_naming_the_field(people, fields, field):
    case = create_case(people.giulia)
    with pytest.raises(ActionError) as refused:
        continuity.do_add_relative(
            people.giulia, case, RelativeIn(full_name=BROTHER, relationship="sibling", **fields)
        )
    assert field in refused.value.errors


def test_a_result_sends_the_contact_only_with_the_relatives_agreement_and_records_it(
    people, contact_federation, wire
):
    with pytest.raises(ValueError, match="relative_agreed"):
        tracing.TracingResultIn(outcome="contact_established", relative_contact=CONTACT)
    case, relative = brother_without_consent(people)
    ask(people, case, relative, contact_federation)  # the contact itself not sent
    dispatch_pending(contact_federation.it, wire)
    theirs = received()
    ngo_case = create_case(people.claire, given_names="Yonas", family_name="Tesfay")
    tracing.do_send_result(
        people.claire,
        theirs,
        tracing.TracingResultIn(
            outcome="contact_established",
            relative_contact="+33 3 00 00 00 00 (fictional)",
            relative_agreed=True,
            existing_case=ngo_case.reference,
        ),
        node=contact_federation.fr,
    )
    dispatch_pending(contact_federation.fr, wire)
    relative.refresh_from_db()
    assert relative.contact_consent and relative.contact_consent_on is not None
    assert relative.contact_consent_on <= timezone.localdate() + dt.timedelta(days=1)


def test_the_consent_is_shown_on_the_case_and_in_the_api(client, people):
    case, relative = brother_without_consent(people)
    login(client, people.giulia)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Not recorded: their contact details are not shared" in page
    continuity.do_update_relative(
        people.giulia,
        relative,
        RelativeUpdateIn(contact_consent=True, contact_consent_on=dt.date(2026, 11, 2)),
    )
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Given on" in page
    [out] = api_as(people.giulia).get(case_url(case, "/relatives")).json()
    assert out["contact_consent"] is True and out["contact_consent_on"] == "2026-11-02"
