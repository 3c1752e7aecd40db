"""Issue 9, finding 8 (d): the MFA adapter took a plain TOTP secret as stored before sealing, so
whoever can write the database could plant a secret they know and pass the second factor as
anyone. Legacy secrets are sealed by migration (accounts 0003); a plain one is now refused, the
login with it fails, and the refusal is a security event."""

from __future__ import annotations

import importlib

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps

from waymark.accounts.adapter import MFAAdapter
from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import enter_code, log_in, logged_in_as
from waymark.audit.models import AuditEntry
from waymark.core import sealing
from waymark.vocab import AuditKind

KNOWN = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a secret the attacker chose (fictional)


def test_finding_8_the_adapter_refuses_a_plain_totp_secret():
    adapter = MFAAdapter()
    with pytest.raises(sealing.SealError):
        adapter.decrypt(KNOWN)
    assert adapter.decrypt(adapter.encrypt(KNOWN)) == KNOWN


def test_finding_8_a_planted_plain_secret_does_not_pass_the_second_factor(client, people):
    provision_totp(people.sara)
    Authenticator.objects.filter(user=people.sara, type=Authenticator.Type.TOTP).update(
        data={"secret": KNOWN}
    )
    log_in(client, "sara")
    response = enter_code(client, totp_code(KNOWN))
    assert response.status_code == 200
    assert logged_in_as(client) is None
    refused = AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED, actor="sara").order_by("-seq").first()
    assert refused is not None and refused.details.get("reason") == "factor_tampered"


def test_finding_8_the_migration_seals_legacy_plain_secrets(people):
    secret = provision_totp(people.sara)
    totp = Authenticator.objects.get(user=people.sara, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=people.sara, type=Authenticator.Type.RECOVERY_CODES)
    seed = MFAAdapter().decrypt(codes.data["seed"])
    # As a node that ran allauth before secrets were sealed would hold them.
    Authenticator.objects.filter(pk=totp.pk).update(data={"secret": secret})
    Authenticator.objects.filter(pk=codes.pk).update(data={"seed": seed, "migrated_codes": ["abcd-efgh"]})

    migration = importlib.import_module("waymark.accounts.migrations.0003_seal_mfa_secrets")
    migration.seal_plain_secrets(apps, None)

    totp.refresh_from_db()
    codes.refresh_from_db()
    assert sealing.is_sealed(totp.data["secret"]) and MFAAdapter().decrypt(totp.data["secret"]) == secret
    assert MFAAdapter().decrypt(codes.data["seed"]) == seed
    assert [MFAAdapter().decrypt(c) for c in codes.data["migrated_codes"]] == ["abcd-efgh"]
    # Idempotent: sealed values are left as they are.
    before = totp.data["secret"]
    migration.seal_plain_secrets(apps, None)
    totp.refresh_from_db()
    assert totp.data["secret"] == before
