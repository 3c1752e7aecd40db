"""Issue 9, finding 8 (c): whoever owns the audit tables can drop the append-only triggers, so
the application's database role must not own them. A deploy check says so on PostgreSQL
(``manage.py check --deploy --database default``); on SQLite it says nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import checks
from django.db import connection

from waymark.audit.checks import Ownership, check_audit_tables_not_owned, ownership, problems

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [m.id or "" for m in messages]


def test_finding_8_a_role_owning_the_audit_tables_fails_the_deploy_check():
    facts = Ownership(
        "waymark", False, {"audit_auditentry": ("waymark", True), "audit_checkpoint": ("waymark", True)}
    )
    [error] = problems(facts)
    assert error.id == "audit.E002" and error.level == checks.ERROR
    assert "audit_auditentry, audit_checkpoint" in error.msg


def test_finding_8_a_role_that_may_act_as_the_owner_fails_too():
    facts = Ownership("waymark_app", False, {"audit_auditentry": ("waymark_owner", True)})
    assert ids(problems(facts)) == ["audit.E002"]


def test_finding_8_a_superuser_fails_the_deploy_check():
    assert ids(problems(Ownership("postgres", True, {}))) == ["audit.E001"]


def test_finding_8_a_role_granted_only_what_it_needs_passes():
    facts = Ownership("waymark_app", False, {"audit_auditentry": ("waymark_owner", False)})
    assert problems(facts) == []


def test_finding_8_the_check_is_a_deploy_check_that_asks_only_a_named_database():
    registered = list(checks.registry.registry.get_checks(include_deployment_checks=True))
    assert check_audit_tables_not_owned in registered
    assert check_audit_tables_not_owned not in checks.registry.registry.get_checks()
    # ``check`` without --database opens no connection and says nothing.
    assert check_audit_tables_not_owned(databases=None) == []


@pytest.mark.django_db
def test_finding_8_on_the_test_database_the_check_says_what_it_should():
    found = ids(check_audit_tables_not_owned(databases=["default"]))
    if connection.vendor == "sqlite":
        assert found == []  # whoever can write the file can do anything: nothing to check
    else:
        # The test suite connects as the server's superuser.
        assert found == ["audit.E001"]


@contextmanager
def scratch_database() -> Iterator[tuple[str, str, str]]:
    """A database on the local PostgreSQL whose audit tables belong to an owner role, with an
    application role granted SELECT and INSERT on them: (url template, owner, application)."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    tag = uuid.uuid4().hex[:8]
    name, owner, app = f"waymark_roles_{tag}", f"wm_owner_{tag}", f"wm_app_{tag}"
    url = "postgresql://{role}@127.0.0.1:5432/" + name
    try:
        for role in (owner, app):
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner))
        )
        with psycopg.connect(url.format(role=owner), autocommit=True) as conn:
            conn.execute("CREATE TABLE audit_auditentry (id bigint)")
            conn.execute("CREATE TABLE audit_checkpoint (id bigint)")
            conn.execute(
                sql.SQL("GRANT SELECT, INSERT ON audit_auditentry, audit_checkpoint TO {}").format(
                    sql.Identifier(app)
                )
            )
        yield url, owner, app
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for role in (app, owner):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()


def test_finding_8_on_postgresql_the_owner_fails_and_the_application_role_passes():
    import psycopg

    with scratch_database() as (url, owner, app):

        def facts(role: str) -> Ownership:
            with psycopg.connect(url.format(role=role)) as conn, conn.cursor() as cursor:
                return ownership(cursor)

        assert facts(owner).owners == {
            "audit_auditentry": (owner, True),
            "audit_checkpoint": (owner, True),
        }
        assert ids(problems(facts(owner))) == ["audit.E002"]
        assert problems(facts(app)) == []
        assert ids(problems(facts("postgres"))) == ["audit.E001"]
