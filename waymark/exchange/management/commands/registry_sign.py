"""``manage.py registry_sign SPEC --key PRIVATE --out REGISTRY``: validate and sign a registry.

SPEC is YAML or JSON: ``federation``, ``valid_days``, ``nodes`` (``descriptor``: a node.json
path, ``country``), ``organisations`` and ``agreements`` in the registry's field names.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from pydantic import ValidationError

from waymark.exchange.authority import build_registry, read_private_key, sign


class Command(BaseCommand):
    help = "Build a registry from a spec, validate it (firewall included), sign it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("spec", type=Path)
        parser.add_argument("--key", type=Path, required=True, help="the registry's private JWK")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--registry-version", type=int, default=0, help="default: the current Unix time in ms (monotonic)"
        )

    def handle(
        self, *args: Any, spec: Path, key: Path, out: Path, registry_version: int, **opts: Any
    ) -> None:
        try:
            data = yaml.safe_load(spec.read_text(encoding="utf-8"))
            registry = build_registry(
                data,
                version=registry_version or int(time.time() * 1000),
                now=timezone.now(),
                base_dir=spec.parent,
            )
            token = sign(registry, read_private_key(key))
        except ValidationError as exc:
            raise CommandError(f"{spec} is not a valid registry:\n{exc}") from exc
        except (OSError, ValueError, KeyError, yaml.YAMLError) as exc:
            raise CommandError(f"cannot build the registry: {exc}") from exc
        out.write_bytes(token + b"\n")
        self.stdout.write(
            f"registry {registry.federation} version {registry.version}: {len(registry.nodes)} nodes, "
            f"{len(registry.organisations)} organisations, {len(registry.agreements)} agreements, "
            f"valid until {registry.expires_at:%Y-%m-%d %H:%M} UTC → {out}"
        )
