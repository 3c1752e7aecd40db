"""``manage.py run_dispatcher``: send the outbox to peer nodes until stopped (SIGTERM / Ctrl-C).

Safe to run several at once and to kill at any moment: rows are claimed with a lease, and a
receiver's inbox absorbs a re-send. ``--once`` delivers what is due now and exits.

It also keeps the audit log witnessed: every ``WAYMARK_AUDIT_CHECKPOINT_SECONDS`` it signs a
checkpoint if the log grew and sends the latest to each partner node (``--once``: one round,
before delivering).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.audit.service import AuditUnavailable
from waymark.core.protocol.registry import RegistryRefused
from waymark.exchange import keys
from waymark.exchange.dispatcher import Dispatcher, dispatch_pending
from waymark.exchange.node import LocalNode, local_node
from waymark.exchange.registry import ExchangeUnavailable, refresh_from_file
from waymark.exchange.threads import audit_checkpoint
from waymark.exchange.transport import HttpTransport


class Command(BaseCommand):
    help = "Deliver the exchange outbox to peer nodes (per-peer worker threads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
        parser.add_argument("--threads-per-peer", type=int, default=4)
        parser.add_argument("--poll", type=float, default=0.05, help="seconds between looks at an idle queue")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            node = local_node()
        except ExchangeUnavailable as exc:
            raise CommandError(exc.reason) from exc
        transport = HttpTransport(
            identity=keys.client_identity(),
            allow_http=settings.WAYMARK_EXCHANGE_ALLOW_HTTP,
            timeout=settings.WAYMARK_EXCHANGE_TIMEOUT_SECONDS,
        )
        self._refresh_registry()
        if opts["once"]:
            self._witness_once(node)
            n = dispatch_pending(node, transport, worker=f"once:{node.node_id}")
            self.stdout.write(f"{n} delivery attempts")
            return
        dispatcher = Dispatcher(
            lambda: node, transport, threads_per_peer=opts["threads_per_peer"], poll_seconds=opts["poll"]
        )

        def stop(signum: int, frame: Any) -> None:
            dispatcher.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        refresher = threading.Thread(target=self._refresh_loop, args=(dispatcher.stop,), daemon=True)
        refresher.start()
        witnessing = threading.Thread(
            target=audit_checkpoint.run_rounds,
            args=(dispatcher.stop, node),
            daemon=True,
            name="audit-witness",
        )
        witnessing.start()
        self.stdout.write(f"dispatcher for {node.node_id} running")
        self.stdout.flush()
        dispatcher.run()

    def _witness_once(self, node: LocalNode) -> None:
        if settings.WAYMARK_AUDIT_CHECKPOINT_SECONDS <= 0:
            return
        try:
            done = audit_checkpoint.witness_round(node)
        except (ExchangeUnavailable, AuditUnavailable) as exc:
            self.stderr.write(f"audit checkpoint round skipped: {getattr(exc, 'reason', exc)}")
            return
        if done.checkpoint is not None:
            self.stdout.write(f"audit checkpoint {done.checkpoint.pk}: {done.checkpoint.tree_size} entries")
        for thread in done.sent:
            self.stdout.write(f"audit checkpoint queued for {thread.peer_node}")

    def _refresh_registry(self) -> None:
        try:
            copy = refresh_from_file()
        except (RegistryRefused, ExchangeUnavailable, OSError) as exc:
            self.stderr.write(f"registry file not loaded: {exc}")
            return
        if copy is not None:
            self.stdout.write(f"registry version {copy.serial} loaded from {copy.loaded_from}")

    def _refresh_loop(self, stop: threading.Event) -> None:
        from django.db import connection

        try:
            while not stop.wait(30):
                self._refresh_registry()
        finally:
            connection.close()
