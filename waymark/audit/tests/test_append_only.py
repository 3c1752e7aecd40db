"""Audit rows cannot be changed or removed: not through the ORM, not with raw SQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from waymark.audit import service, triggers
from waymark.audit.models import AppendOnlyError, AuditEntry, Checkpoint
from waymark.audit.tests.conftest import read
from waymark.vocab import AuditKind


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_saving_an_existing_entry_again_is_refused(log):
    entry = AuditEntry.objects.get(seq=2)
    entry.decision = "deny"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(seq=2).decision == "allow"


def test_deleting_an_entry_is_refused(log):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(seq=2).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq__gte=0).delete()
    assert AuditEntry.objects.count() == len(log)


def test_bulk_writes_are_refused(log):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=2).update(actor="nobody")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(seq=99, kind=AuditKind.OTHER)])
    assert not AuditEntry.objects.filter(actor="nobody").exists()


def test_checkpoints_cannot_be_changed_or_deleted(log):
    cp = service.checkpoint()
    cp.root_hash = "00" * 32
    with pytest.raises(AppendOnlyError):
        cp.save()
    with pytest.raises(AppendOnlyError):
        cp.delete()
    with pytest.raises(AppendOnlyError):
        Checkpoint.objects.all().update(tree_size=0)


def test_the_triggers_are_installed_by_the_migrations(db):
    assert len(triggers.installed(connection)) >= 4


def test_the_database_refuses_a_raw_update(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_auditentry SET decision = %s WHERE seq = %s", ["allow", 6])
    assert AuditEntry.objects.get(seq=6).decision == "deny"


def test_the_database_refuses_renumbering_entries(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_auditentry SET seq = seq + %s", [100])
    assert service.verify().ok


def test_the_database_refuses_a_raw_delete(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    assert AuditEntry.objects.count() == len(log)


def test_the_database_refuses_changes_to_a_checkpoint(log):
    service.checkpoint()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_checkpoint SET root_hash = %s", ["00" * 32])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_checkpoint WHERE tree_size >= %s", [0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE audit_auditentry", [])
    assert AuditEntry.objects.count() == len(log)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_triggers_back(people, case):
    read(people.giulia, case)
    before = triggers.installed(connection)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert triggers.installed(connection) == before
    service.record(AuditKind.OTHER)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditentry SET actor = %s", ["nobody"])
    assert service.verify().ok
