"""``flush``, with the audit log's append-only triggers lifted while every table is emptied.

Django's own ``flush`` empties the audit tables with DELETE (SQLite) or TRUNCATE (PostgreSQL),
which the triggers refuse. Flushing the whole database is a deliberate, all-or-nothing act by
whoever owns it (and what Django's TransactionTestCase does between tests), so this command,
which takes precedence over Django's, drops the triggers, flushes, and re-creates them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from waymark.audit import triggers


class Command(flush.Command):
    help = flush.Command.help + " The audit log's append-only triggers are lifted for the flush."

    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        triggers.uninstall(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
