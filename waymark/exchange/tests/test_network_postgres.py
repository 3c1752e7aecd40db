"""The receiver's PostgreSQL goes away under load (its connections are cut and new ones refused
for a few seconds, twice — what a database restart looks like to the node, without disturbing
other databases on the same server): the sender retries, nothing is lost, nothing doubled.

Runs only when the suite runs on PostgreSQL (DATABASE_URL); each node then gets its own
database on that server.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from .cluster import all_receipted, reconciled, rows, send_notices, two_nodes, wait_until

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL pointing at PostgreSQL (the receiver's database is restarted)",
    ),
]


def server_url() -> str:
    base = DATABASE_URL.replace("postgres://", "postgresql://", 1).split("?", 1)[0]
    return base.rsplit("/", 1)[0] + "/postgres"


def outage(database: str, seconds: float) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(database)))
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
        time.sleep(seconds)
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(database)))


def test_the_receivers_database_restarting_under_load_loses_and_doubles_nothing(tmp_path):
    with two_nodes(tmp_path / "net", template=None, postgres_url=server_url()) as net:
        it, fr = net.nodes["node-it"], net.nodes["node-fr"]
        sender = threading.Thread(
            target=send_notices,
            args=(net, it),
            kwargs={"count": 80, "conversations": 4, "label": "load", "rate": 15},
        )
        sender.start()
        database = fr.database_url.rsplit("/", 1)[1]
        time.sleep(4)
        outage(database, 3)
        time.sleep(1.5)
        outage(database, 3)
        sender.join()

        wait_until(all_receipted(net, it, 80), timeout=120, what="all 80 receipted after the outages")
        assert rows(
            net, fr, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'notice' AND direction = 'in'"
        ) == [(80,)]
        # The outages did bite: some deliveries needed more than one attempt.
        assert rows(net, it, "SELECT MAX(attempts) FROM exchange_outboxmessage")[0][0] > 1
        report = reconciled(net)
        assert report.ok, report.problems
