"""If the audit entry cannot be written, record() raises AuditUnavailable and nothing commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from waymark.accounts.models import Organisation
from waymark.audit import service
from waymark.audit.models import AuditEntry, AuditHead
from waymark.audit.testing import audit_unavailable
from waymark.audit.tests.conftest import read
from waymark.test import create_org
from waymark.vocab import AuditKind


def test_a_database_failure_raises_audit_unavailable(people, case):
    with audit_unavailable(), pytest.raises(service.AuditUnavailable):
        read(people.giulia, case)
    assert not AuditEntry.objects.exists()


def test_the_business_write_rolls_back_with_the_failed_audit(people, case):
    with pytest.raises(service.AuditUnavailable), audit_unavailable(), transaction.atomic():
        create_org("fr-new-partner", country="FR")
        service.record(
            AuditKind.AGREEMENT_CHANGE, actor=people.sara, details={"organisation": "fr-new-partner"}
        )
    assert not Organisation.objects.filter(slug="fr-new-partner").exists()


def test_an_unreadable_pseudonym_key_raises_audit_unavailable(settings, tmp_path, people, case):
    (tmp_path / "not-a-directory").write_text("")
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "not-a-directory" / "pseudonym.key"
    with pytest.raises(service.AuditUnavailable):
        read(people.giulia, case)
    assert not AuditEntry.objects.exists()


def test_a_corrupt_head_raises_audit_unavailable(people, case):
    read(people.giulia, case)
    AuditHead.objects.filter(pk=1).update(frontier=[])
    with pytest.raises(service.AuditUnavailable):
        read(people.giulia, case)
    assert AuditEntry.objects.count() == 1


def test_the_log_works_again_once_the_failure_is_over(people, case):
    with audit_unavailable(), pytest.raises(service.AuditUnavailable):
        read(people.giulia, case)
    entry = read(people.giulia, case)
    assert entry.seq == 0
    assert service.verify().ok
