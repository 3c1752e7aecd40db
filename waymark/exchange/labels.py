"""The protocol's codes as people read them (the pure core has no translations)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from waymark.core.protocol.messages import ReferralOutcome, RejectReason, RevokeReason

REASON_LABELS: dict[str, Any] = {
    RejectReason.NO_CAPACITY: _("No capacity"),
    RejectReason.OUT_OF_AREA: _("Outside our area"),
    RejectReason.NOT_COMPETENT: _("Not within our competence"),
    RejectReason.ALREADY_KNOWN: _("Already known to us"),
    RejectReason.OTHER: _("Other reason"),
    ReferralOutcome.SERVICES_PROVIDED: _("Services provided"),
    ReferralOutcome.CHILD_LEFT: _("The child left"),
    ReferralOutcome.CHILD_MISSING: _("The child is missing"),
    ReferralOutcome.REFERRED_ON: _("Referred on"),
    RevokeReason.CONSENT_WITHDRAWN: _("Consent withdrawn"),
    RevokeReason.SENT_IN_ERROR: _("Sent in error"),
    RevokeReason.NO_LONGER_NEEDED: _("No longer needed"),
}


def label(code: str) -> Any:
    return REASON_LABELS.get(code, str(code).replace("_", " "))


def choices(codes: Iterable[StrEnum]) -> list[tuple[str, Any]]:
    return [(str(c), label(c)) for c in codes]
