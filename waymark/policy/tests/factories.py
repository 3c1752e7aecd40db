"""``create_agreement`` for the policy tests: straight to the database, bypassing the validator
(tests that want validation call it explicitly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from waymark.accounts.models import Organisation
from waymark.policy.models import Agreement, Grant
from waymark.vocab import AgreementStatus, PolicyAction


def create_agreement(
    identifier: str,
    parties: Iterable[Organisation],
    *,
    grants: Iterable[tuple[Organisation, str, str, str] | tuple[Organisation, str, str, str, str]] = (),
    status: AgreementStatus = AgreementStatus.ACTIVE,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> Agreement:
    now = timezone.now()
    agreement = Agreement.objects.create(
        identifier=identifier,
        title=identifier.replace("-", " ").title(),
        status=status,
        valid_from=valid_from or now - dt.timedelta(days=30),
        valid_until=valid_until or now + dt.timedelta(days=365),
        lawful_basis="Fictional test agreement",
    )
    agreement.parties.set(list(parties))
    for g in grants:
        org, role, category, purpose, *rest = g
        Grant.objects.create(
            agreement=agreement,
            organisation=org,
            role=role,
            category=category,
            purpose=purpose,
            action=rest[0] if rest else PolicyAction.READ,
        )
    return agreement
