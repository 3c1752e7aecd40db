"""``make network``: the demo federation — three nodes on 127.0.0.1, each a real installation.

    python -m waymark.devtools.network [--base-dir data/network] [--fresh]

Italy on :8101, France on :8102, Belgium on :8103. Each node has its own data folder (keys,
audit and vault key files, logs) and its own database — a SQLite file by default, or its own
PostgreSQL database when ``WAYMARK_NETWORK_PG=1`` — and runs a web server (gunicorn) and a
dispatcher (``run_dispatcher``). A demo registry key signs a registry listing the three nodes,
their organisations and one agreement among them; every node trusts that key. Nodes talk plain
HTTP on loopback only (``WAYMARK_EXCHANGE_ALLOW_HTTP``), envelopes signed and encrypted as always.

The same ``Network`` class starts the two-node clusters of the process tests
(``tests/test_network_*.py``) and the benchmark (``bench/exchange_bench.py``).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from waymark.cases.demo import DEFAULT_PASSWORD
from waymark.devtools import demo
from waymark.exchange import authority

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
# Variables a node process must not inherit from whoever started the network.
_SCRUB = ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "WAYMARK_DATA_DIR", "WAYMARK_NODE_ID")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (tests and benchmarks; demo nodes use fixed ports)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    spec: demo.DemoNode
    port: int
    data_dir: Path
    database_url: str
    env_extra: dict[str, str] = field(default_factory=dict)
    web: subprocess.Popen[bytes] | None = None
    dispatcher: subprocess.Popen[bytes] | None = None

    @property
    def node_id(self) -> str:
        return self.spec.node_id

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.url}/exchange/inbox"


def _stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process this launcher started, and its children (its own process group)."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


class Network:
    """Demo nodes under ``base``: prepare (databases, keys, registry, demo data), start, stop."""

    def __init__(
        self,
        base: Path,
        nodes: list[tuple[demo.DemoNode, int]],
        *,
        postgres_url: str = "",
        db_suffix: str = "",
        env: dict[str, str] | None = None,
        web_workers: int = 2,
    ) -> None:
        self.base = base.resolve()
        self.postgres_url = postgres_url
        self.env_common = dict(env or {})
        self.web_workers = web_workers
        self.registry_key = self.base / "registry-key.jwk"
        self.registry_anchor = self.base / "registry-key.pub.json"
        self.registry_file = self.base / "registry.jws"
        self.nodes: dict[str, Node] = {}
        for spec, port in nodes:
            data_dir = self.base / spec.node_id
            if postgres_url:
                name = f"waymark_{spec.node_id.replace('-', '_')}{db_suffix}"
                database_url = postgres_url.rsplit("/", 1)[0] + "/" + name
            else:
                database_url = f"sqlite:///{data_dir / 'waymark.sqlite3'}"
            self.nodes[spec.node_id] = Node(spec, port, data_dir, database_url)

    # --- environment and commands ---

    def env(self, node: Node, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
        env.update(
            {
                "WAYMARK_ENV": "development",
                "DEBUG": "true",
                "WAYMARK_DATA_DIR": str(node.data_dir),
                "DATABASE_URL": node.database_url,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "WAYMARK_NODE_ID": node.node_id,
                "WAYMARK_NODE_NAME": node.spec.name,
                "WAYMARK_AUDIT_ORIGIN": f"waymark/{node.node_id}/audit",
                "WAYMARK_EXCHANGE_PASSPHRASE_FILE": str(self.base / f"{node.node_id}.passphrase"),
                "WAYMARK_EXCHANGE_REGISTRY_KEY_FILE": str(self.registry_anchor),
                # The matching key the demo partners share (fictional, made by ``prepare``).
                "WAYMARK_PPRL_KEY_FILE": str(self.base / "pprl-keys.json"),
                # Loopback demo: plain HTTP between nodes, never beyond 127.0.0.1.
                "WAYMARK_EXCHANGE_ALLOW_HTTP": "true",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env_common)
        env.update(node.env_extra)
        env.update(extra)
        return env

    def manage(
        self,
        node: Node,
        *args: str,
        check: bool = True,
        timeout: float = 300,
        env: dict[str, str] | None = None,
    ) -> str:
        result = subprocess.run(  # noqa: S603  (our own manage.py, arguments we built)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(node, **(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{node.node_id}: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    # --- preparation ---

    def _create_pg_database(self, node: Node) -> None:
        import psycopg

        name = node.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))

    def drop_pg_databases(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            for node in self.nodes.values():
                name = node.database_url.rsplit("/", 1)[1]
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
                conn.execute(
                    psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(name))
                )

    def prepare(self, *, template: Path | None = None, scrypt_n: int = 0) -> None:
        """Databases, keys, registry, demo data — idempotent. ``template``: an already migrated
        SQLite file to copy instead of migrating each node (tests)."""
        self.base.mkdir(parents=True, exist_ok=True)
        pprl_keys = self.base / "pprl-keys.json"
        if not pprl_keys.exists():
            # A fictional matching key for the demo agreement, shared by every demo node (a real
            # federation agrees its key out of band and keeps it out of any repository).
            pprl_keys.touch(mode=0o600)
            secret = base64.b64encode(secrets.token_bytes(32)).decode()
            key = {"key_id": f"{demo.AGREEMENT_ID}-demo-1", "secret": secret}
            pprl_keys.write_text(json.dumps({demo.AGREEMENT_ID: [key]}) + "\n")
        for node in self.nodes.values():
            node.data_dir.mkdir(parents=True, exist_ok=True)
            passphrase = self.base / f"{node.node_id}.passphrase"
            if not passphrase.exists():
                passphrase.touch(mode=0o600)
                passphrase.write_text(secrets.token_urlsafe(32) + "\n")
            db_file = node.data_dir / "waymark.sqlite3"
            if self.postgres_url:
                self._create_pg_database(node)
            if template is not None and not self.postgres_url and not db_file.exists():
                shutil.copyfile(template, db_file)  # already migrated
            else:
                self.manage(node, "migrate", "--noinput")
            init = ["node_init", "--if-missing", "--endpoint", node.endpoint, "--host", LOOPBACK]
            for org in node.spec.orgs:
                init += ["--org", org.slug]
            if scrypt_n:
                init += ["--scrypt-n", str(scrypt_n)]
            self.manage(node, *init)
            self.manage(node, "exchange_demo", node.node_id)
        if not self.registry_key.exists():
            authority.generate_registry_key(self.registry_key, self.registry_anchor)
        self.publish_registry()

    def publish_registry(
        self,
        *,
        agreement_status: str = "active",
        only: list[str] | None = None,
        parties: tuple[str, ...] = demo.PARTIES,
    ) -> Path:
        """Sign a new registry version and load it into every node (or only those named);
        ``parties`` of the demo agreement (a test leaves one out)."""
        spec = demo.registry_spec(
            {n.node_id: str(n.data_dir / "keys" / "node.json") for n in self.nodes.values()},
            nodes=tuple(n.spec for n in self.nodes.values()),
            agreement_status=agreement_status,
            parties=parties,
        )
        (self.base / "registry-spec.json").write_text(json.dumps(spec, indent=1))
        # Versions are the time in ms: always increasing, as a registry must be.
        registry = authority.build_registry(
            spec, version=time.time_ns() // 1_000_000, now=dt.datetime.now(dt.UTC)
        )
        out = self.base / f"registry-{registry.version}.jws"
        out.write_bytes(authority.sign(registry, authority.read_private_key(self.registry_key)) + b"\n")
        for node in self.nodes.values():
            if only is None or node.node_id in only:
                self.manage(node, "registry_load", str(out))
        shutil.copyfile(out, self.registry_file)
        return out

    # --- processes ---

    def _log(self, node: Node, name: str) -> IO[bytes]:
        return (node.data_dir / f"{name}.log").open("ab")

    def start_web(self, node: Node) -> None:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "waymark.wsgi:application",
            "--bind",
            f"{LOOPBACK}:{node.port}",
            "--workers",
            str(self.web_workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        log = self._log(node, "web")
        node.web = subprocess.Popen(  # noqa: S603  (gunicorn, arguments we built)
            cmd, cwd=ROOT, env=self.env(node), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def start_dispatcher(self, node: Node, **extra_env: str) -> None:
        log = self._log(node, "dispatcher")
        node.dispatcher = subprocess.Popen(
            [sys.executable, "manage.py", "run_dispatcher"],
            cwd=ROOT,
            env=self.env(node, **extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def stop_web(self, node: Node) -> None:
        _stop(node.web)
        node.web = None

    def stop_dispatcher(self, node: Node, sig: int = signal.SIGTERM) -> None:
        _stop(node.dispatcher, sig)
        node.dispatcher = None

    def start(self) -> None:
        for node in self.nodes.values():
            self.start_web(node)
            self.start_dispatcher(node)
        for node in self.nodes.values():
            self.wait_healthy(node)

    def stop(self) -> None:
        for node in self.nodes.values():
            self.stop_dispatcher(node)
            self.stop_web(node)

    def wait_healthy(self, node: Node, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if node.web is not None and node.web.poll() is not None:
                raise RuntimeError(f"{node.node_id}: web server exited ({node.data_dir / 'web.log'})")
            try:
                with urllib.request.urlopen(f"{node.url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{node.node_id} did not become healthy within {timeout}s")

    # --- looking inside (tests, benchmark) ---

    def query(self, node: Node, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the node's database directly (read-only use: tests and the benchmark)."""
        if self.postgres_url:
            import psycopg

            with psycopg.connect(node.database_url.replace("postgres://", "postgresql://", 1)) as conn:
                return list(conn.execute(sql.replace("?", "%s"), params).fetchall())
        with contextlib.closing(
            sqlite3.connect(f"file:{node.data_dir / 'waymark.sqlite3'}?mode=ro", uri=True, timeout=20)
        ) as conn:
            return list(conn.execute(sql, params).fetchall())

    def ledger(self, node: Node) -> dict[str, Any]:
        out = node.data_dir / "ledger.json"
        self.manage(node, "exchange_ledger", "--out", str(out))
        data: dict[str, Any] = json.loads(out.read_text())
        return data


@contextlib.contextmanager
def running(network: Network) -> Iterator[Network]:
    try:
        network.start()
        yield network
    finally:
        network.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Three demo Waymark nodes on 127.0.0.1 (make network).")
    parser.add_argument("--base-dir", type=Path, default=ROOT / "data" / "network")
    parser.add_argument("--fresh", action="store_true", help="delete the demo network's data first")
    args = parser.parse_args(argv)
    if args.fresh and args.base_dir.exists():
        shutil.rmtree(args.base_dir)
    pg = os.environ.get("WAYMARK_NETWORK_PG", "") in {"1", "true", "yes"}
    network = Network(
        args.base_dir,
        [(n, n.port) for n in demo.DEMO_NODES],
        postgres_url=os.environ.get("WAYMARK_NETWORK_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        if pg
        else "",
    )
    print(
        f"preparing {len(network.nodes)} nodes in {network.base} ({'PostgreSQL' if pg else 'SQLite'}) ...",
        flush=True,
    )
    network.prepare()
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with running(network):
        password = os.environ.get("WAYMARK_DEMO_PASSWORD") or DEFAULT_PASSWORD
        print("\nWaymark demo network (all data fictional):\n")
        for node in network.nodes.values():
            print(f"  {node.spec.name:28} {node.url}/   exchange: {node.url}/exchange/")
            for user in node.spec.users:
                print(f"      {user.username:12} {user.role.value:16} {user.display_name}")
        print(f"\n  password for every login: {password}")
        print(f"  logs and data: {network.base}/<node>/   registry: {network.registry_file}")
        print("  Ctrl-C stops all nodes.\n", flush=True)
        while not stopping:
            for node in network.nodes.values():
                for proc, what in ((node.web, "web server"), (node.dispatcher, "dispatcher")):
                    if proc is not None and proc.poll() is not None:
                        print(f"{node.node_id}: {what} exited ({proc.returncode}); stopping", flush=True)
                        stopping = True
            time.sleep(0.5)
    print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
