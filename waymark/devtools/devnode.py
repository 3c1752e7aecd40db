"""``make run``: the single demo node — its web server and its dispatcher — on 127.0.0.1.

    python -m waymark.devtools.devnode [--port 8000] [--data-dir data] [--noreload] [--prepare-only]

Prepares, idempotently (each step does nothing the second time), in one Django process:

1. ``migrate`` and ``load_demo --once`` (the fictional organisations, logins and children);
2. the node's exchange identity (``node_init --if-missing``, node id ``WAYMARK_NODE_ID`` or
   ``local-node``), its private keys encrypted under a development passphrase kept in
   ``<data>/devnode/passphrase`` (mode 0600, created on first use) unless
   ``WAYMARK_EXCHANGE_PASSPHRASE(_FILE)`` is set;
3. a demo registry key (``<data>/devnode/registry-key.jwk``) and a registry signed with it that
   lists this node and every demo organisation, all hosted here, with the demo agreement among the
   Milan child-protection service, the Calais NGO and the Brussels police; re-signed only when
   missing, within a week of expiry, or when this node's endpoint (the port), keys or message
   types (``node.json``, kept up to date by ``node_init``) changed, and loaded with
   ``registry_load`` (loading the same document again changes nothing).

Then it starts two child processes, ``runserver 127.0.0.1:PORT`` and ``run_dispatcher``, prints
the address, forwards Ctrl-C / SIGTERM to both and stops when either exits (non-zero if one
crashed). Development only: refused when ``WAYMARK_ENV=production``; the passphrase and registry
key live in the ignored data folder and nowhere in settings. ``make network`` is the three-node
version (``waymark.devtools.network``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK

from waymark.cases import demo as cases_demo
from waymark.core.protocol.registry import load_registry
from waymark.devtools import demo
from waymark.devtools.network import LOOPBACK, ROOT, _stop
from waymark.exchange import authority

NODE_COUNTRY = "IT"
RENEW_BEFORE = dt.timedelta(days=7)
# Variables that would point the children at another installation than this one.
# (A passphrase set by hand is honoured: it may be what the node's existing keys were made with.)
_SCRUB = (
    "DATABASE_URL",
    "WAYMARK_EXCHANGE_KEY_DIR",
    "WAYMARK_EXCHANGE_REGISTRY_KEY_FILE",
    "WAYMARK_EXCHANGE_REGISTRY_FILE",
)
_PASSPHRASE_VARS = ("WAYMARK_EXCHANGE_PASSPHRASE", "WAYMARK_EXCHANGE_PASSPHRASE_FILE")


@dataclass(frozen=True)
class DevNode:
    """Where the single demo node keeps its things, and the environment its processes get."""

    data_dir: Path
    port: int
    node_id: str = "local-node"
    database_url: str = ""  # default: the SQLite file in data_dir

    @property
    def folder(self) -> Path:
        return self.data_dir / "devnode"

    @property
    def passphrase_file(self) -> Path:
        return self.folder / "passphrase"

    @property
    def registry_key(self) -> Path:
        return self.folder / "registry-key.jwk"

    @property
    def registry_anchor(self) -> Path:
        return self.folder / "registry-key.pub.json"

    @property
    def registry_file(self) -> Path:
        return self.folder / "registry.jws"

    @property
    def descriptor_file(self) -> Path:
        return self.data_dir / "keys" / "node.json"

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.url}/exchange/inbox"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
        env.update(
            {
                "WAYMARK_DATA_DIR": str(self.data_dir),
                "WAYMARK_NODE_ID": self.node_id,
                "WAYMARK_EXCHANGE_REGISTRY_KEY_FILE": str(self.registry_anchor),
                # The dispatcher reloads it whenever it is newer than the copy held.
                "WAYMARK_EXCHANGE_REGISTRY_FILE": str(self.registry_file),
                # Loopback only: the one peer is this node itself, at 127.0.0.1.
                "WAYMARK_EXCHANGE_ALLOW_HTTP": "true",
                "PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if not any(env.get(name) for name in _PASSPHRASE_VARS):
            env["WAYMARK_EXCHANGE_PASSPHRASE_FILE"] = str(self.passphrase_file)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def manage(self, *args: str, quiet: bool = False) -> str:
        """Run ``manage.py`` with this node's environment; output shown unless ``quiet``."""
        result = subprocess.run(  # noqa: S603  (our own manage.py, arguments we built)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        if not quiet:
            print(result.stdout, end="", flush=True)
        return result.stdout


def registry_spec(descriptor: dict[str, Any], *, country: str = NODE_COUNTRY) -> dict[str, Any]:
    """This node and every ``load_demo`` organisation (each with its own country), hosted here,
    and the demo agreement (``waymark.devtools.demo``) among those of its parties listed."""
    slugs = {o.slug for o in cases_demo.ORGS}
    return {
        "federation": "waymark-demo-local",
        "valid_days": 30,
        "nodes": [{"descriptor": descriptor, "country": country}],
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "country": o.country,
                "sector": o.sector.value,
                "node_id": descriptor["node_id"],
            }
            for o in cases_demo.ORGS
        ],
        "agreements": [demo.agreement(parties=tuple(p for p in demo.PARTIES if p in slugs))],
    }


def _current_registry_fits(node: DevNode, descriptor: dict[str, Any], now: dt.datetime) -> bool:
    """The registry file exists, verifies, is not about to expire, and lists this node as it is."""
    if not (node.registry_file.exists() and node.registry_anchor.exists()):
        return False
    try:
        anchor = JWK.from_json(node.registry_anchor.read_text())
        registry = load_registry(node.registry_file.read_bytes().strip(), anchor, now)
    except Exception:
        return False
    entry = registry.node(node.node_id)
    if entry is None or registry.expires_at - now < RENEW_BEFORE:
        return False
    listed = {o.slug for o in registry.organisations}
    return (
        str(entry.endpoint) == node.endpoint
        and entry.signing_jwk == descriptor["signing_jwk"]
        and entry.encryption_jwk == descriptor["encryption_jwk"]
        and (None if entry.message_types is None else [t.value for t in entry.message_types])
        == descriptor.get("message_types")
        and listed == {o.slug for o in cases_demo.ORGS}
    )


def publish_registry(node: DevNode, now: dt.datetime | None = None) -> bool:
    """Sign a new registry if the one on file does not fit; True if it did."""
    now = now or dt.datetime.now(dt.UTC)
    descriptor = json.loads(node.descriptor_file.read_text())
    descriptor["endpoint"] = node.endpoint  # the port may differ from the one node_init saw
    if not node.registry_key.exists():
        authority.generate_registry_key(node.registry_key, node.registry_anchor)
    elif _current_registry_fits(node, descriptor, now):
        return False
    # Versions are the time in ms: always increasing, as a registry must be.
    registry = authority.build_registry(
        registry_spec(descriptor), version=time.time_ns() // 1_000_000, now=now
    )
    signed = authority.sign(registry, authority.read_private_key(node.registry_key))
    tmp = node.registry_file.with_suffix(".tmp")
    tmp.write_bytes(signed + b"\n")
    tmp.replace(node.registry_file)
    return True


def prepare(node: DevNode, *, scrypt_n: int = 0) -> None:
    """Database, demo data, keys, registry: idempotent. Runs in this process, which must not have
    set Django up yet (the settings are read from ``node.env()``); ``main`` gives it its own."""
    node.folder.mkdir(parents=True, exist_ok=True)
    if not node.passphrase_file.exists():
        node.passphrase_file.touch(mode=0o600)
        node.passphrase_file.write_text(secrets.token_urlsafe(32) + "\n")
    env = node.env()
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    import django
    from django.core.management import call_command

    django.setup()
    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("load_demo", once=True)
    init = ["--if-missing", "--endpoint", node.endpoint, "--host", LOOPBACK]
    for org in cases_demo.ORGS:
        init += ["--org", org.slug]
    if scrypt_n:
        init += ["--scrypt-n", str(scrypt_n)]
    call_command("node_init", *init, stdout=quiet)
    from waymark.exchange.node import local_node
    from waymark.exchange.registry import ExchangeUnavailable

    try:
        local_node()  # the dispatcher would stop on this at once: say why here instead
    except ExchangeUnavailable as exc:
        raise SystemExit(
            f"{exc.reason}\nThe keys in {node.descriptor_file.parent} were made with another passphrase: "
            "set WAYMARK_EXCHANGE_PASSPHRASE(_FILE) to that one, or move the keys folder's node files "
            "away to have new keys made."
        ) from exc
    signed = publish_registry(node)
    loaded = io.StringIO()
    call_command("registry_load", str(node.registry_file), stdout=loaded)
    print(f"exchange: node {node.node_id}, {'new ' if signed else ''}{loaded.getvalue().strip()}", flush=True)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def run(node: DevNode, *, noreload: bool = False) -> int:
    """Start the web server and the dispatcher; return when either exits or on a signal."""
    stopping: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Own sessions: Ctrl-C reaches only this launcher, which stops each child's whole group
    # (runserver's autoreloader is a parent with a child of its own).
    web_cmd = [sys.executable, "manage.py", "runserver", f"{LOOPBACK}:{node.port}"]
    if noreload:
        web_cmd.append("--noreload")
    web = subprocess.Popen(web_cmd, cwd=ROOT, env=node.env(), start_new_session=True)  # noqa: S603
    dispatcher = subprocess.Popen(
        [sys.executable, "manage.py", "run_dispatcher"], cwd=ROOT, env=node.env(), start_new_session=True
    )
    # The missing-child protocol's clocks: overdue steps notify the people responsible (every minute).
    clocks = subprocess.Popen(
        [sys.executable, "manage.py", "missing_clocks", "--loop", "60"],
        cwd=ROOT,
        env=node.env(),
        start_new_session=True,
    )
    children = {"web server": web, "dispatcher": dispatcher, "missing clocks": clocks}
    print(f"started web server (pid {web.pid}) and dispatcher (pid {dispatcher.pid})", flush=True)
    code = 0
    try:
        if wait_healthy(node.url, web):
            password = os.environ.get("WAYMARK_DEMO_PASSWORD") or cases_demo.DEFAULT_PASSWORD
            print(
                f"\nWaymark demo node {node.node_id} (all data fictional): {node.url}/\n"
                f"  exchange dashboard {node.url}/exchange/   inbox {node.endpoint}\n"
                f"  logins: printed above (e.g. {cases_demo.SENTINEL_USER}), password {password}\n"
                f"  dispatcher running; data: {node.data_dir}   Ctrl-C stops both.\n",
                flush=True,
            )
        while not stopping:
            dead = [(what, p.returncode) for what, p in children.items() if p.poll() is not None]
            if dead:
                for what, rc in dead:
                    print(f"{what} exited ({rc}); stopping", flush=True)
                code = next((1 if rc < 0 else rc for _, rc in dead if rc != 0), 0)
                break
            time.sleep(0.3)
    finally:
        _stop(clocks)
        _stop(dispatcher)
        _stop(web)
    print("stopped.", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The single demo node with its dispatcher (make run).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("WAYMARK_DATA_DIR") or ROOT / "data")
    )
    parser.add_argument("--node-id", default=os.environ.get("WAYMARK_NODE_ID") or "local-node")
    parser.add_argument("--noreload", action="store_true", help="no runserver autoreloader")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the node, start nothing")
    # Tests may lower the key file's scrypt cost (node_init refuses anything below the floor).
    parser.add_argument("--scrypt-n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if os.environ.get("WAYMARK_ENV") == "production":
        print("devnode is for development: refusing with WAYMARK_ENV=production", file=sys.stderr)
        return 2
    node = DevNode(
        data_dir=args.data_dir.resolve(),
        port=args.port,
        node_id=args.node_id,
        database_url=os.environ.get("DATABASE_URL", ""),
    )
    if args.prepare_only:
        prepare(node, scrypt_n=args.scrypt_n)
        return 0
    # One Django process for all the preparation steps (about a second each as separate commands).
    try:
        prepared = subprocess.run(  # noqa: S603  (this module, arguments we built)
            [sys.executable, "-m", "waymark.devtools.devnode", "--prepare-only", *(argv or sys.argv[1:])],
            cwd=ROOT,
            env=node.env(),
            check=False,
        )
    except KeyboardInterrupt:  # Ctrl-C while preparing: nothing was started
        return 130
    if prepared.returncode != 0:
        print("preparing the node failed; nothing started", file=sys.stderr)
        return prepared.returncode
    return run(node, noreload=args.noreload)


if __name__ == "__main__":
    sys.exit(main())
