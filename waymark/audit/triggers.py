"""Database triggers that make the audit tables append-only for every client, not just the ORM.

- PostgreSQL: a trigger function raising on UPDATE and DELETE (row level) and TRUNCATE
  (statement level) on ``audit_auditentry``, ``audit_checkpoint`` and ``audit_peercheckpoint``.
- SQLite: ``BEFORE UPDATE`` / ``BEFORE DELETE`` triggers that ``RAISE(ABORT, ...)``.

Installed by migration 0002 (which calls ``install``), and again by 0004 for the peers'
checkpoints; if this SQL or the list of tables changes, add a migration that calls ``install``
again (every statement here replaces what it finds).

Two legitimate ways around them, both deliberate and visible:

- ``manage.py flush`` (also run by Django's TransactionTestCase / pytest's ``transactional_db``
  between tests) wipes every table: ``waymark/audit/management/commands/flush.py`` lifts the
  triggers for the flush and puts them back after.
- Tamper tests: ``waymark.audit.testing.triggers_disabled()`` drops them inside the test's
  transaction (DDL is transactional on both vendors, so the rollback restores them too).

The database owner can always drop a trigger; the point of the triggers is that no application
path and no careless ``UPDATE`` can change history. Detecting a deliberate change is the Merkle
tree's job (``audit_verify``).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditentry", "audit_checkpoint", "audit_peercheckpoint")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION waymark_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""


def _pg_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION waymark_audit_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION waymark_audit_append_only()",
    ]


def _pg_uninstall(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


def _sqlite_install(table: str) -> list[str]:
    return [
        *_sqlite_uninstall(table),
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on {table} refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on {table} refused'); END",
    ]


def _sqlite_uninstall(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _present_tables(connection: BaseDatabaseWrapper) -> list[str]:
    existing = set(connection.introspection.table_names())
    return [t for t in TABLES if t in existing]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the triggers on whichever audit tables exist."""
    tables = _present_tables(connection)
    statements: list[str] = []
    if connection.vendor == "postgresql":
        statements = [_PG_FUNCTION, *(s for t in tables for s in _pg_install(t))] if tables else []
    elif connection.vendor == "sqlite":
        statements = [s for t in tables for s in _sqlite_install(t)]
    else:
        raise NotImplementedError(f"no append-only triggers for the {connection.vendor} database")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (the PostgreSQL function stays: harmless alone, and install replaces it)."""
    tables = _present_tables(connection)
    if connection.vendor == "postgresql":
        statements = [s for t in tables for s in _pg_uninstall(t)]
    elif connection.vendor == "sqlite":
        statements = [s for t in tables for s in _sqlite_uninstall(t)]
    else:
        raise NotImplementedError(f"no append-only triggers for the {connection.vendor} database")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """Names of the audit triggers present now (for tests and the health of a node)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
                [list(TABLES)],
            )
        else:
            marks = ", ".join(["%s"] * len(TABLES))
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",  # noqa: S608 (placeholders only)
                list(TABLES),
            )
        return {row[0] for row in cursor.fetchall()}
