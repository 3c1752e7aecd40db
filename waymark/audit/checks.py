"""``manage.py check --deploy --database default``: the application's database role must not own
the audit tables (nor be a superuser, nor be able to become their owner).

Whoever owns a table can drop its triggers, so if the role the application connects as owns the
audit tables, anyone who gets the application's database credentials can rewrite history and
then recompute the hashes; the append-only triggers would be a formality. Run migrations as an
owner role and the application as a role granted only what it needs (docs/exchange.md, "The
database roles"). PostgreSQL only: on SQLite whoever can write the file can do anything, and the
check says nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

from .triggers import TABLES

HINT = (
    "run migrations as an owner role and the application as another role granted SELECT and "
    "INSERT on the audit tables (docs/exchange.md, 'The database roles')"
)


@dataclass(frozen=True)
class Ownership:
    role: str
    superuser: bool
    # table → its owner, and whether ``role`` is that owner or may act as it (a member of it)
    owners: dict[str, tuple[str, bool]]


def ownership(cursor: Any, tables: Iterable[str] = TABLES) -> Ownership:
    """Who a PostgreSQL session is and who owns each audit table (a DB-API cursor)."""
    cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    role, superuser = cursor.fetchone()
    cursor.execute(
        "SELECT c.relname, pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'MEMBER') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND c.relname = ANY(%s) AND n.nspname = ANY(current_schemas(false))",
        [list(tables)],
    )
    owners = {name: (owner, bool(member)) for name, owner, member in cursor.fetchall()}
    return Ownership(str(role), bool(superuser), owners)


def problems(facts: Ownership) -> list[CheckMessage]:
    if facts.superuser:
        return [
            Error(
                f"the application connects to the database as {facts.role!r}, a superuser: it can "
                "drop the audit log's append-only triggers and rewrite history",
                hint=HINT,
                id="audit.E001",
            )
        ]
    owned = sorted(table for table, (_owner, mine) in facts.owners.items() if mine)
    if owned:
        owners = sorted({facts.owners[t][0] for t in owned})
        return [
            Error(
                f"the application's database role {facts.role!r} owns (or may act as {', '.join(owners)}, "
                f"the owner of) {', '.join(owned)}: it can drop the append-only triggers and rewrite history",
                hint=HINT,
                id="audit.E002",
            )
        ]
    return []


@register(Tags.database, Tags.security, deploy=True)
def check_audit_tables_not_owned(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Asked only when a database is named (``check --deploy --database default``), like every
    database check: ``check`` alone never opens a connection."""
    messages: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                facts = ownership(cursor)
        except DatabaseError as exc:
            messages.append(
                Warning(
                    f"cannot read who owns the audit tables on {alias!r}: {exc}", hint=HINT, id="audit.W001"
                )
            )
            continue
        messages.extend(problems(facts))
    return messages
