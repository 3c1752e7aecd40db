from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from waymark.accounts.models import User
from waymark.audit import keys, service
from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.test import Personas, create_case
from waymark.vocab import AuditDecision, AuditKind, DataCategory, Purpose


@pytest.fixture(autouse=True)
def audit_keys(settings, tmp_path: Path) -> Iterator[Path]:
    """Every audit test gets its own signing and pseudonym keys, in a temporary directory."""
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    yield tmp_path / "keys"
    keys.forget_cached_keys()


def read(
    user: User,
    case: Case,
    categories: Iterable[str] = (DataCategory.IDENTITY,),
    *,
    purpose: str = Purpose.CHILD_PROTECTION,
    decision: str = AuditDecision.ALLOW,
    agreement: str = "",
) -> AuditEntry:
    """``user`` reads ``categories`` of ``case``: the access decision the firewall would record."""
    return service.record(
        AuditKind.ACCESS_DECISION,
        actor=user,
        purpose=purpose,
        decision=decision,
        reasons=["permit-own-org"] if decision == AuditDecision.ALLOW else ["firewall-purpose"],
        agreement=agreement,
        subject=case.audit_subject,
        categories=categories,
    )


@pytest.fixture
def case(people: Personas) -> Case:
    return create_case(people.giulia, given_names="Amina", family_name="Yusuf")


@pytest.fixture
def log(people: Personas, case: Case) -> list[AuditEntry]:
    """Eight entries about one child: reads, a refusal, an exchange."""
    entries = [read(people.giulia, case) for _ in range(5)]
    entries.append(read(people.sara, case, [DataCategory.HEALTH]))
    entries.append(
        read(people.ivan, case, purpose=Purpose.IMMIGRATION_ENFORCEMENT, decision=AuditDecision.DENY)
    )
    entries.append(
        service.record(
            AuditKind.ENVELOPE_SENT,
            actor=people.giulia,
            purpose=Purpose.LOCATE_MISSING_CHILD,
            decision=AuditDecision.ALLOW,
            agreement="IT-FR-2026",
            peer_org="fr-ngo-calais",
            subject=case.audit_subject,
            categories=[DataCategory.IDENTITY, DataCategory.PHOTO],
        )
    )
    return entries
