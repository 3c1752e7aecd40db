"""``make run``'s launcher (``python -m waymark.devtools.devnode``) as real processes on 127.0.0.1:
it prepares the node (demo data, keys, signed registry), serves /healthz, runs a dispatcher that
delivers a notice between two organisations hosted on this node, stops both children on SIGTERM,
prepares nothing twice, and stops with a non-zero status when its dispatcher crashes."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from waymark.core.protocol.keys import MIN_SCRYPT_N
from waymark.devtools.devnode import DevNode
from waymark.devtools.network import ROOT, free_port
from waymark.exchange.tests.cluster import wait_until

pytestmark = pytest.mark.network

STARTED = re.compile(r"started web server \(pid (\d+)\) and dispatcher \(pid (\d+)\)")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WAYMARK_DATA_DIR", "PORT")}
    # The test settings only swap in a fast password hasher (load_demo makes eleven logins).
    env.update({"WAYMARK_ENV": "test", "DEBUG": "true", "PYTHONUNBUFFERED": "1"})
    return env


@contextlib.contextmanager
def launcher(node: DevNode, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "waymark.devtools.devnode",
                "--port",
                str(node.port),
                "--data-dir",
                str(node.data_dir),
                "--noreload",
                "--scrypt-n",
                str(MIN_SCRYPT_N),
            ],
            cwd=ROOT,
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
            return bool(response.status == 200)
    except OSError:
        return False


def _children(log: Path) -> tuple[int, int]:
    found = STARTED.findall(log.read_text())
    assert found, log.read_text()
    web, dispatcher = found[-1]
    return int(web), int(dispatcher)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _query(node: DevNode, sql: str) -> list[tuple[Any, ...]]:
    db = node.data_dir / "waymark.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)) as conn:
        return list(conn.execute(sql).fetchall())


def _started(proc: subprocess.Popen[bytes], node: DevNode, log: Path) -> tuple[int, int]:
    wait_until(lambda: proc.poll() is not None or _healthy(node.url), timeout=60, what="/healthz 200")
    assert proc.poll() is None, log.read_text()
    wait_until(lambda: "dispatcher for local-node running" in log.read_text(), timeout=20, what="dispatcher")
    web, dispatcher = _children(log)
    assert _alive(web) and _alive(dispatcher)
    return web, dispatcher


def test_make_run_serves_the_node_and_runs_its_dispatcher(tmp_path: Path, sqlite_template: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(sqlite_template, data / "waymark.sqlite3")  # migrate then has nothing to do
    node = DevNode(data_dir=data, port=free_port())
    log = tmp_path / "devnode.log"

    with launcher(node, log) as proc:
        web, dispatcher = _started(proc, node, log)
        assert "demo-caseworker" in log.read_text()  # the logins are printed
        (serial,) = _query(node, "SELECT serial FROM exchange_registrycopy ORDER BY serial DESC LIMIT 1")[0]

        # Milan's caseworker writes to the Calais NGO, both hosted here: the dispatcher (and no
        # one else) delivers it over HTTP to this node's own inbox, and a signed receipt comes back.
        node.manage(
            "exchange_load", "--to", "fr-ngo-calais", "--user", "demo-caseworker", "--count", "1", quiet=True
        )
        wait_until(
            lambda: _query(node, "SELECT status FROM exchange_outboxmessage") == [("receipted",)],
            timeout=20,
            what="the notice receipted",
        )
        assert _query(
            node, "SELECT direction FROM exchange_thread WHERE kind = 'notice' ORDER BY direction"
        ) == [("in",), ("out",)]

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text()
        wait_until(lambda: not _alive(web) and not _alive(dispatcher), timeout=5, what="children gone")

    # Again on the same data: nothing prepared twice (same registry), and a dispatcher that
    # crashes takes the launcher down with a non-zero status, web server included.
    with launcher(node, log) as proc:
        web, dispatcher = _started(proc, node, log)
        assert _query(node, "SELECT serial FROM exchange_registrycopy") == [(serial,)]
        os.kill(dispatcher, signal.SIGKILL)
        assert proc.wait(timeout=20) != 0, log.read_text()
        wait_until(lambda: not _alive(web), timeout=5, what="web server gone")
    assert "dispatcher exited (-9); stopping" in log.read_text()
