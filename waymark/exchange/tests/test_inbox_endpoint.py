"""POST /exchange/inbox: raw envelope in, signed receipt out; no session needed; fails closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.exchange import keys as node_keys_module
from waymark.exchange.models import InboxMessage, RegistryCopy
from waymark.exchange.node import LocalNode

from .test_inbox_refusals import sealed_notice


@pytest.fixture
def as_node_fr(federation, monkeypatch):
    """The web process is node-fr (keys loaded from its key folder in real life)."""
    monkeypatch.setattr(
        "waymark.exchange.views_inbox.local_node", lambda: LocalNode("node-fr", federation.fr.keys)
    )
    return federation.fr


def post(client, raw: bytes):
    return client.post(reverse("exchange:inbox"), data=raw, content_type="application/jose")


def test_an_envelope_gets_a_signed_receipt(client, as_node_fr):
    response = post(client, sealed_notice())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose"
    assert response["X-Waymark-Receipt"] == "accepted"
    assert response.content.decode() == InboxMessage.objects.get().receipt


def test_a_refused_envelope_also_gets_a_receipt(client, as_node_fr):
    response = post(client, b"not an envelope")
    assert response.status_code == 200
    assert response["X-Waymark-Receipt"] == "rejected"


def test_only_post_is_accepted(client, as_node_fr):
    assert client.get(reverse("exchange:inbox")).status_code == 405


def test_without_a_valid_registry_the_inbox_answers_503_and_no_receipt(client, as_node_fr):
    RegistryCopy.objects.update(document="tampered")
    response = post(client, sealed_notice())
    assert response.status_code == 503
    assert b"exchange unavailable" in response.content
    assert not InboxMessage.objects.exists()


def test_without_keys_the_inbox_answers_503(client, federation, settings, tmp_path):
    settings.WAYMARK_EXCHANGE_KEY_DIR = tmp_path / "empty"
    settings.WAYMARK_EXCHANGE_PASSPHRASE = "fictional test passphrase"
    node_keys_module.load_node_keys.cache_clear()
    response = post(client, sealed_notice())
    assert response.status_code == 503
    node_keys_module.load_node_keys.cache_clear()


def test_an_oversized_envelope_is_refused_before_reading(client, as_node_fr, settings):
    settings.WAYMARK_EXCHANGE_MAX_ENVELOPE_BYTES = 100
    assert post(client, b"x" * 101).status_code == 413
