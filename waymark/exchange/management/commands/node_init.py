"""``manage.py node_init``: this node's signing and encryption keys and its TLS certificate.

Private keys are written encrypted under the passphrase (``WAYMARK_EXCHANGE_PASSPHRASE`` or
``WAYMARK_EXCHANGE_PASSPHRASE_FILE``) into the key folder; ``node.json`` (public) is what to give
the registry authority. It lists the message types this node implements; after an upgrade,
``node_init --if-missing`` brings that list up to date without touching the keys.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.core.protocol.keys import DEFAULT_SCRYPT_N, MIN_SCRYPT_N
from waymark.exchange.keys import DESCRIPTOR_FILE, KeysMissing, declare_message_types, init_node
from waymark.exchange.threads import declared_types


class Command(BaseCommand):
    help = "Create this node's exchange keys (Ed25519 + X25519, encrypted) and TLS certificate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--node-id", default="", help="default: WAYMARK_NODE_ID")
        parser.add_argument(
            "--endpoint",
            required=True,
            help="this node's inbox URL, e.g. https://node.example/exchange/inbox",
        )
        parser.add_argument(
            "--org", action="append", default=[], help="an organisation this node hosts (repeat)"
        )
        parser.add_argument(
            "--host", action="append", default=[], help="a host name or IP for the TLS certificate (repeat)"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace existing keys (peers must get the new registry)"
        )
        parser.add_argument("--if-missing", action="store_true", help="do nothing if keys already exist")
        # Tests and demos may lower the key file's scrypt cost; never below the protocol's floor.
        parser.add_argument(
            "--scrypt-n", type=int, default=DEFAULT_SCRYPT_N, help="scrypt cost of the key file"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        node_id = opts["node_id"] or settings.WAYMARK_NODE_ID
        folder = settings.WAYMARK_EXCHANGE_KEY_DIR
        if opts["if_missing"] and (folder / DESCRIPTOR_FILE).exists():
            if declare_message_types(declared_types(), folder):
                self.stdout.write(
                    f"keys already exist in {folder}; {DESCRIPTOR_FILE} now lists the message types this "
                    "node implements: give it to the registry authority again"
                )
            else:
                self.stdout.write(f"keys already exist in {folder}; nothing done")
            return
        if opts["scrypt_n"] < MIN_SCRYPT_N:
            raise CommandError(f"--scrypt-n must be at least {MIN_SCRYPT_N}")
        hosts = opts["host"] or ["127.0.0.1", "localhost"]
        try:
            identity = init_node(
                node_id=node_id,
                endpoint=opts["endpoint"],
                organisations=opts["org"],
                hosts=hosts,
                force=opts["force"],
                scrypt_n=opts["scrypt_n"],
                message_types=declared_types(),
            )
        except (FileExistsError, KeysMissing) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"node {node_id}: keys written to {identity.directory}")
        self.stdout.write(f"TLS certificate SHA-256: {identity.descriptor['tls_cert_sha256']}")
        self.stdout.write(f"give {identity.directory / DESCRIPTOR_FILE} to the registry authority:")
        self.stdout.write(json.dumps(identity.descriptor, indent=2))
