"""Writers in parallel still get gap-free, unique sequence numbers and a log that verifies."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from waymark.audit import service
from waymark.audit.models import AuditEntry
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
