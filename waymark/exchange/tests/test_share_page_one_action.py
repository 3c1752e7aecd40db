"""The case's share page (issue 10, item 4): one action at a time, chosen first; only purposes a
message about one child can have; the irreversible transfer marked and confirmed before it goes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.models import OutboxMessage, Thread
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case, login
from waymark.vocab import CaseStatus, Purpose


@pytest.fixture
def web_node(monkeypatch, federation):
    monkeypatch.setattr(plumbing, "local_node", lambda: federation.it)
    return federation.it


@pytest.fixture
def case(people):
    return create_case(people.giulia, given_names="Yonas", family_name="Haile")


def page(client, case, **params):
    return client.get(reverse("exchange:case", args=[case.public_id]), params).content.decode()


def test_the_page_first_asks_what_to_do_and_shows_no_form(client, people, federation, case):
    login(client, people.giulia)
    html = page(client, case)
    assert "What do you want to do?" in html
    for choice in ("?action=referral", "?action=request", "?action=notice", "?action=transfer"):
        assert choice in html
    assert (
        '<form method="post" action="' + reverse("exchange:send", args=[case.public_id, "transfer"])
        not in html
    )
    assert 'name="to_org"' not in html


def test_choosing_an_action_shows_that_form_only(client, people, federation, case):
    login(client, people.giulia)
    html = page(client, case, action="referral")
    assert reverse("exchange:send", args=[case.public_id, "referral"]) in html
    assert reverse("exchange:send", args=[case.public_id, "transfer"]) not in html
    assert html.count('name="to_org"') == 1


def test_statistics_and_audit_are_not_offered_as_purposes(client, people, federation, case):
    login(client, people.giulia)
    html = page(client, case, action="notice")
    assert 'value="child_protection"' in html
    assert 'value="statistics"' not in html
    assert 'value="audit"' not in html
    assert 'value="immigration_enforcement"' not in html


def test_the_transfer_is_marked_irreversible_and_asks_for_confirmation(client, people, federation, case):
    login(client, people.giulia)
    html = page(client, case, action="transfer")
    assert "This cannot be undone." in html
    assert 'name="confirmed"' in html


def test_a_transfer_without_confirmation_is_refused_naming_the_field_and_sends_nothing(
    client, people, federation, web_node, case
):
    login(client, people.giulia, purpose=Purpose.CHILD_PROTECTION)
    response = client.post(
        reverse("exchange:send", args=[case.public_id, "transfer"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "reason": "Moved to Calais."},
    )
    assert response.status_code == 422
    assert "confirmed" in response.context["errors"]
    html = response.content.decode()
    assert 'name="confirmed"' in html  # the transfer form comes back, alone
    assert reverse("exchange:send", args=[case.public_id, "referral"]) not in html
    assert not Thread.objects.filter(kind="transfer").exists()
    assert not OutboxMessage.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    response = client.post(
        reverse("exchange:send", args=[case.public_id, "transfer"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "reason": "Moved.", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert Thread.objects.filter(kind="transfer").count() == 1


def test_the_action_itself_requires_the_confirmation(people, federation, web_node, case):
    with pytest.raises(ActionError) as refused:
        transfers.do_offer_transfer(
            people.giulia,
            case,
            transfers.TransferIn(to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION),
        )
    assert "confirmed" in refused.value.errors
