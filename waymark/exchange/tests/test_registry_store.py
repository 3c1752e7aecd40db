"""The node's registry copy: verified on the way in, re-verified on every use, fail closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from jwcrypto.jwk import JWK

from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import RegistryFault, RegistryRefused, registry_json, sign_registry
from waymark.exchange.models import RegistryCopy
from waymark.exchange.registry import ExchangeUnavailable, current_registry, registry_status, store_registry
from waymark.exchange.testing import dated_registry, signed


def test_the_registry_in_force_is_the_highest_version(federation):
    federation.publish(dated_registry(version=2))
    assert current_registry().version == 2
    assert registry_status().ok


def test_an_older_version_is_refused(federation):
    federation.publish(dated_registry(version=3))
    with pytest.raises(RegistryRefused) as caught:
        store_registry(signed(dated_registry(version=2)))
    assert caught.value.fault == RegistryFault.ROLLED_BACK


def test_another_document_with_the_same_version_is_refused(federation):
    with pytest.raises(RegistryRefused):
        store_registry(signed(dated_registry(version=1, federation="other-federation")))


def test_an_unsigned_registry_is_refused(federation):
    with pytest.raises(RegistryRefused) as caught:
        store_registry(registry_json(dated_registry(version=2)).encode())
    assert caught.value.fault == RegistryFault.UNSIGNED


def test_a_registry_signed_by_another_key_is_refused(federation):
    other = JWK.generate(kty="OKP", crv="Ed25519")
    with pytest.raises(RegistryRefused) as caught:
        store_registry(sign_registry(dated_registry(version=2), other))
    assert caught.value.fault == RegistryFault.BAD_SIGNATURE


def test_a_copy_tampered_in_the_database_stops_the_exchange(federation):
    row = RegistryCopy.objects.get()
    header, payload, signature = row.document.split(".")
    RegistryCopy.objects.filter(pk=row.pk).update(document=f"{header}.{payload[:-4]}AAAA.{signature}")
    with pytest.raises(ExchangeUnavailable, match="refused"):
        current_registry()
    status = registry_status()
    assert not status.ok and "refused" in status.message


def test_an_expired_registry_stops_the_exchange(federation):
    later = timezone.now() + dt.timedelta(days=8)
    with pytest.raises(ExchangeUnavailable, match="expired"):
        current_registry(later)


def test_no_registry_at_all_stops_the_exchange(db, settings, tmp_path):
    settings.WAYMARK_EXCHANGE_REGISTRY_KEY_FILE = ""
    with pytest.raises(ExchangeUnavailable, match="no registry"):
        current_registry()


def test_a_registry_that_does_not_list_this_nodes_keys_is_unusable(federation):
    from waymark.core.protocol.keys import NodeKeys
    from waymark.exchange.node import LocalNode

    impostor = LocalNode("node-it", NodeKeys.generate())
    with pytest.raises(ExchangeUnavailable, match="other keys"):
        impostor.check_listed(current_registry())


def test_the_trust_anchor_must_hold_public_keys_only(federation, settings, tmp_path):
    bad = tmp_path / "private.json"
    bad.write_text(proto.registry_key().export_private())
    settings.WAYMARK_EXCHANGE_REGISTRY_KEY_FILE = str(bad)
    with pytest.raises(ExchangeUnavailable, match="public"):
        store_registry(signed(dated_registry(version=2)))
