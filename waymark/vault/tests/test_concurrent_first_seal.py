"""Two actions sealing the first data for the same child at once end up with one key."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from waymark.vault import service
from waymark.vault.models import ChildKey


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_seals_share_one_key():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    child_id = uuid.uuid4()  # the vault names children by id only; no case row is needed
    workers = 6
    barrier = threading.Barrier(workers)
    sealed: dict[int, str] = {}
    errors: list[BaseException] = []

    def act(i: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                sealed[i] = service.seal_text(child_id, "cases.event.details", f"note {i}")
                time.sleep(0.05)  # keep the transaction open so the inserts overlap
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert ChildKey.objects.filter(child_public_id=child_id).count() == 1
    for i, value in sealed.items():
        assert service.open_text(child_id, "cases.event.details", value) == f"note {i}"
