"""Rotate the node's key-encryption key: re-wrap every live data key, retire the old KEK."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.vault.keys import ENV_VAR, KeyringError, load_keyring
from waymark.vault.rotation import rotate_kek


class Command(BaseCommand):
    help = (
        "Re-wrap every child's data key under a new key-encryption key and retire the old one. "
        "Run it after erasures: wrapped keys left in old backups then open with nothing this node "
        "holds. With a key file, a new KEK is generated; with $WAYMARK_KEK, first set it to "
        "'<new version>:<new key>,<old version>:<old key>' on every process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-generate",
            action="store_true",
            help="do not add a new KEK to the key file; only finish an interrupted rotation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            before = load_keyring()
            result = rotate_kek(generate=not options["no_generate"])
        except KeyringError as exc:
            raise CommandError(str(exc)) from exc
        if result.generated:
            self.stdout.write(f"New KEK version {result.target_version} added to {before.source}.")
        elif before.from_file is None and result.rewrapped == 0 and not result.removable_versions:
            self.stdout.write(
                f"Every data key is already wrapped under KEK version {result.target_version}. To "
                f"rotate, set {ENV_VAR} to '<{result.target_version + 1}>:<new key>,"
                f"{result.target_version}:<current key>' on every process and run this again."
            )
        self.stdout.write(
            f"Re-wrapped {result.rewrapped} data key(s) under KEK version {result.target_version}."
        )
        if result.retired_versions:
            versions = ", ".join(map(str, result.retired_versions))
            self.stdout.write(f"Retired KEK version(s) {versions}: removed from {before.source}.")
        if result.removable_versions:
            versions = ", ".join(map(str, result.removable_versions))
            self.stdout.write(
                f"No data key uses KEK version(s) {versions} any more: remove them from {ENV_VAR} "
                "on every process and destroy every other copy of them."
            )
        self.stdout.write(
            "Take a fresh backup of the vault table now, and destroy vault backups taken under the "
            "retired KEK: they hold keys of erased children."
        )
