"""A node does not send a peer a message type the registry does not list for the peer's node; the
person sending is told so in words and nothing is written. A node whose entry lists no types
is taken to implement the baseline, and nothing newer."""

from __future__ import annotations

from collections.abc import Set

import pytest
from django.urls import reverse

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import BASELINE_MESSAGE_TYPES, Registry
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.models import OutboxMessage, Thread
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_registry
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import DataCategory

NOTICE = notices.NoticeIn(to_org="fr-ngo-calais", category=DataCategory.CASE_NOTES, subject="Left the centre")


def france_takes(federation, types: Set[MessageType]) -> Registry:
    """Re-issue the registry with node-fr's entry listing ``types``."""
    nodes = tuple(
        n.model_copy(update={"message_types": tuple(sorted(types))}) if n.node_id == "node-fr" else n
        for n in current_registry().nodes
    )
    registry = dated_registry(version=2, nodes=nodes)
    federation.publish(registry)
    return registry


def test_a_notice_to_a_peer_that_does_not_take_notices_is_not_sent(people, federation):
    france_takes(federation, BASELINE_MESSAGE_TYPES - {MessageType.NOTICE})
    case = create_case(people.giulia)

    with pytest.raises(ActionError) as caught:
        notices.do_send_notice(people.giulia, case, NOTICE, node=federation.it)

    assert caught.value.errors == {
        "to_org": ["Association Refuge Calais (fictional) (node node-fr) does not take notice messages yet"]
    }
    assert not OutboxMessage.objects.exists() and not Thread.objects.filter(kind="notice").exists()


def test_a_referral_to_a_peer_that_takes_only_notices_is_not_sent(people, federation):
    france_takes(federation, {MessageType.NOTICE})
    case = create_case(people.giulia)

    with pytest.raises(ActionError, match="does not take referral offer messages yet"):
        referrals.do_offer_referral(
            people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
        )

    assert not OutboxMessage.objects.exists() and not Thread.objects.filter(kind="referral").exists()
    # Other peers are not affected.
    notices.do_send_notice(people.giulia, case, NOTICE, node=federation.it)
    assert OutboxMessage.objects.get().to_node == "node-fr"


def test_a_peer_whose_entry_lists_no_types_is_sent_the_baseline(people, federation):
    assert current_registry().node("node-fr").message_types is None  # type: ignore[union-attr]
    case = create_case(people.giulia)

    notices.do_send_notice(people.giulia, case, NOTICE, node=federation.it)

    assert OutboxMessage.objects.get().message_type == "notice"


def test_the_page_says_why_the_peer_cannot_be_sent_it(client, people, federation, monkeypatch):
    monkeypatch.setattr(plumbing, "local_node", lambda: federation.it)
    france_takes(federation, BASELINE_MESSAGE_TYPES - {MessageType.NOTICE})
    case = create_case(people.giulia)
    client.force_login(people.giulia)
    session = client.session
    session["waymark.purpose"] = "child_protection"
    session.save()

    response = client.post(
        reverse("exchange:send", args=[case.public_id, "notice"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "subject": "x", "category": "case_notes"},
    )

    assert response.status_code == 422
    assert "(node node-fr) does not take notice messages yet" in response.content.decode()
    assert not OutboxMessage.objects.exists()
