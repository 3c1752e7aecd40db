"""allauth adapters: no self-signup, TOTP secrets sealed at rest, and the last second factor of
someone who must have one cannot be switched off. (Lock-out: waymark.accounts.lockout, axes.)

Settings: ``ACCOUNT_ADAPTER = "waymark.accounts.adapter.AccountAdapter"`` and
``MFA_ADAPTER = "waymark.accounts.adapter.MFAAdapter"``.
"""

from __future__ import annotations

import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest

from waymark.accounts.second_factor import SECOND_FACTOR_TYPES, requires_second_factor
from waymark.core import sealing


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Professional accounts are created by node administrators (or load_federation), with an
        # organisation and a role; a self-made account would have neither.
        return False


# TOTP secrets and recovery-code seeds are what allauth stores encrypted through the adapter.
# A copy of the database alone must not let anyone compute someone's codes, so they are sealed
# (AES-256-GCM) under a key derived from SECRET_KEY. Rotating SECRET_KEY: keep the old value in
# SECRET_KEY_FALLBACKS until every user has set up their authenticator again.
_MFA_AAD = b"waymark/mfa-secret/v1"


def _mfa_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"waymark/mfa-secret-key/v1|" + secret_key.encode("utf-8")).digest()


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return sealing.seal_text(_mfa_key(settings.SECRET_KEY), text, _MFA_AAD)

    def decrypt(self, encrypted_text: str) -> str:
        """Open a sealed secret. A plain one is refused (``SealError``): secrets stored before
        sealing were sealed by migration (accounts 0003), so a plain secret was planted by
        someone who can write the database — taking it would let them pass the second factor."""
        if not sealing.is_sealed(encrypted_text):
            raise sealing.SealError("an MFA secret in the clear: refused (planted in the database?)")
        for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
            try:
                return sealing.open_text(_mfa_key(secret_key), encrypted_text, _MFA_AAD)
            except sealing.SealError:
                continue
        raise sealing.SealError("cannot open an MFA secret: SECRET_KEY changed without a fallback")

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A DPO or node administrator may swap factors but not remove the last one."""
        user = authenticator.user
        if not requires_second_factor(user):
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exclude(
            pk=authenticator.pk
        )
        return others.exists()
