"""The child's consent as an input to decisions (docs/firewall.md, "Consent").

Where an agreement says sharing rests on consent (``Agreement.requires_consent``), its grants open
a child's data to a partner only for what the child consented to: that organisation, that
purpose, those categories, in date (``valid_from`` ≤ today ≤ ``valid_until``) and not withdrawn.
The policy service reads the consents through ``load_valid_consents`` — registered when the app is
ready — in one query per decision batch; a withdrawal takes effect on the next decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from waymark.policy.models import Agreement
from waymark.vocab import AgreementStatus

from .models import Case, Consent


def load_valid_consents(
    cases: Sequence[Any], partner: str, day: dt.date
) -> dict[Any, frozenset[tuple[str, str, str]]]:
    rows = (
        Consent.objects.filter(
            case_id__in=[c.pk for c in cases],
            recipient_org=partner,
            withdrawn_at__isnull=True,
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values_list("case_id", "purpose", "categories")
    )
    found: dict[Any, set[tuple[str, str, str]]] = {}
    for case_id, purpose, categories in rows:
        found.setdefault(case_id, set()).update((partner, purpose, c) for c in categories)
    return {pk: frozenset(v) for pk, v in found.items()}


def resting_on_consent(case: Case) -> dict[str, list[str]]:
    """For the case page: the recipient organisations whose agreements with the case's organisation
    rest on consent, with those agreements' identifiers — the sharing a consent here enables."""
    agreements = Agreement.objects.filter(
        requires_consent=True, status=AgreementStatus.ACTIVE, parties=case.organisation
    ).prefetch_related("parties")
    out: dict[str, list[str]] = {}
    for agreement in agreements:
        for party in agreement.parties.all():
            if party.pk != case.organisation_id:
                out.setdefault(party.slug, []).append(agreement.identifier)
    return out
