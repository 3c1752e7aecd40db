"""Helpers for tests: simulate an unavailable audit log, and tamper with it on purpose.

- ``audit_unavailable()``: every ``service.record`` (and ``checkpoint``) raises
  ``AuditUnavailable`` inside the block, as if the database refused the write. Use it to prove a
  view or action refuses access when it cannot audit::

      with audit_unavailable():
          response = client.get(url)
      assert response.status_code == 503  # or whatever refusal the caller chose

- ``triggers_disabled()``: drop the append-only triggers for the block, to alter entries with
  raw SQL (``tamper``) and show that ``audit_verify`` notices. Inside a test transaction the
  rollback restores the triggers as well (DDL is transactional on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from waymark.audit import triggers


@contextmanager
def audit_unavailable() -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("audit log unavailable (simulated by waymark.audit.testing)")

    with (
        mock.patch("waymark.audit.service._write_many", side_effect=refuse),
        mock.patch("waymark.audit.keys.signing_key", side_effect=OSError("simulated")),
    ):
        yield


@contextmanager
def triggers_disabled(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    connection = connections[using]
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def tamper(sql: str, params: Sequence[Any] = (), using: str = DEFAULT_DB_ALIAS) -> int:
    """Run one parameterised statement on the audit tables with the triggers lifted; rows changed."""
    with triggers_disabled(using), connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount
