"""Template filters for the exchange pages: a peer's refusal code in words.

A receipt's code is shown as it came (a peer running a newer version may use a code this one
does not know), with a label: the code's own, or a generic one for a code this version lacks.
"""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waymark.core.protocol.reasons import ReasonCode

register = template.Library()

REFUSAL_LABELS: dict[str, Promise] = {
    ReasonCode.MALFORMED: _("not a well-formed envelope"),
    ReasonCode.ALG_NOT_ALLOWED: _("an algorithm that is not allowed"),
    ReasonCode.BAD_ENCRYPTION: _("could not be decrypted"),
    ReasonCode.BAD_SIGNATURE: _("the signature does not verify"),
    ReasonCode.UNKNOWN_SENDER: _("the sender is not in the registry"),
    ReasonCode.WRONG_RECIPIENT: _("addressed to another recipient"),
    ReasonCode.HEADER_MISMATCH: _("the routing disagrees with the signed header"),
    ReasonCode.EXPIRED: _("expired"),
    ReasonCode.CLOCK_SKEW: _("the two nodes' clocks disagree"),
    ReasonCode.NOT_YET_VALID: _("the agreement has not taken effect"),
    ReasonCode.SCHEMA_INVALID: _("not a valid message"),
    ReasonCode.UNDECLARED_CATEGORY: _("carries a data category it does not declare"),
    ReasonCode.FORBIDDEN_PURPOSE: _("a forbidden purpose"),
    ReasonCode.UNKNOWN_AGREEMENT: _("the agreement is not in the registry"),
    ReasonCode.AGREEMENT_INACTIVE: _("the agreement is not active"),
    ReasonCode.NOT_PARTY: _("not a party to the agreement"),
    ReasonCode.NOT_GRANTED: _("the agreement does not allow it"),
    ReasonCode.NOT_IMPLEMENTED: _("the receiving node does not take this type of message yet"),
}
UNKNOWN_REASON = _("a reason this version of Waymark does not know")


@register.filter
def refusal_label(code: str) -> str:
    """The label of a receipt's reason code; a generic one for a code this version lacks."""
    return str(REFUSAL_LABELS.get(code, UNKNOWN_REASON))
