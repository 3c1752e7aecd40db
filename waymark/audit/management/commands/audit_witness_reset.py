"""Clear the flag on a partner node whose audit log went backwards, forked or changed key: its
next checkpoint is taken as a first one (trust on first use again). Audited, with the reason.

Only after the two organisations' DPOs have established what happened (a restore from backup, a
new audit key) — never to make a warning go away (docs/firewall.md, "Witnessed audit")."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waymark.audit import witness


class Command(BaseCommand):
    help = "Reset what this node pinned for a partner node's audit log (with a reason)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("node_id", help="the partner node, as the registry names it")
        parser.add_argument("--reason", required=True, help="what happened, and who agreed (audited)")
        parser.add_argument("--by", default="", help="who resets it (default: the operating-system user)")

    def handle(self, *args: Any, **options: Any) -> None:
        import getpass

        node_id = options["node_id"]
        if not witness.peer_status([node_id]):
            raise CommandError(f"no checkpoint of {node_id} is held here")
        by = options["by"] or f"cli:{getpass.getuser()}"
        try:
            witness.reset(node_id, actor_name=by, reason=options["reason"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{node_id}: reset; its next checkpoint will be pinned as a first one")
