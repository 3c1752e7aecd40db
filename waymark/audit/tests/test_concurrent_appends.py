"""Writers in parallel still get gap-free, unique sequence numbers and a log that verifies."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from waymark.audit import service
from waymark.audit.models import AuditEntry, AuditHead
from waymark.vocab import AuditKind

WRITERS = 6
EACH = 15


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_get_a_gap_free_sequence(people):
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                service.record(AuditKind.OTHER, actor=people.giulia, details={"writer": n, "i": i})
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(WRITERS * EACH)
    )
    assert service.verify().ok


def _appended_after_a_stale_read(stale_head: object) -> int:
    """Record one entry whose first attempt reads ``stale_head``; returns how many reads it took."""
    reads: list[int] = []
    fresh = service._head

    def head() -> object:
        reads.append(1)
        return stale_head if len(reads) == 1 else fresh()

    with mock.patch.object(service, "_head", side_effect=head):
        service.record(AuditKind.OTHER, details={"after": "a stale read"})
    return len(reads)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement append is PostgreSQL's")
@pytest.mark.parametrize(
    "in_transaction",
    [
        pytest.param(True, marks=pytest.mark.django_db),
        pytest.param(False, marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_an_append_from_a_head_another_writer_has_moved_is_refused_and_tried_again(in_transaction):
    service.record(AuditKind.OTHER, details={"i": 0})
    stale = AuditHead.objects.get(pk=1)
    service.record(AuditKind.OTHER, details={"i": 1})  # another writer: the head moves on

    assert _appended_after_a_stale_read(stale) == 2  # its seq collided: read again
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [0, 1, 2]
    assert service.verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement append is PostgreSQL's")
@pytest.mark.django_db
def test_an_append_from_a_head_that_does_not_match_the_log_writes_nothing_and_tries_again():
    service.record(AuditKind.OTHER, details={"i": 0})
    wrong = AuditHead.objects.get(pk=1)
    wrong.last_leaf_hash = "0" * 64  # the right size, the wrong chain: its seq is free

    assert _appended_after_a_stale_read(wrong) == 2
    assert AuditEntry.objects.count() == 2
    assert service.verify().ok
