"""Recompute the search keys of every child's names (NameKey and MatchKey) with this node's
``core.names.NAMES_VERSION``: run after upgrading name preparation, or with ``--stale`` to touch
only names whose match keys were made by another version (or have none)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Exists, OuterRef

from waymark.cases.actions import match_keys_of
from waymark.cases.models import ChildName, MatchKey, NameKey
from waymark.core import names as name_prep

BATCH = 2000


class Command(BaseCommand):
    help = "Recompute name search keys (NameKey, MatchKey) with the current NAMES_VERSION."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale", action="store_true", help="only names without current keys")

    def handle(self, *args: Any, **options: Any) -> None:
        names = ChildName.objects.order_by("pk")
        if options["stale"]:
            current = MatchKey.objects.filter(name_id=OuterRef("pk"), version=name_prep.NAMES_VERSION)
            names = names.exclude(Exists(current))
        done = 0
        last = 0
        while True:
            batch = list(names.filter(pk__gt=last).values_list("pk", "child_id", "full_name")[:BATCH])
            if not batch:
                break
            last = batch[-1][0]
            ids = [pk for pk, _c, _n in batch]
            with transaction.atomic():
                NameKey.objects.filter(name_id__in=ids).delete()
                MatchKey.objects.filter(name_id__in=ids).delete()
                NameKey.objects.bulk_create(
                    NameKey(child_id=child, name_id=pk, latin=latin[:100], skeleton=skel[:100])
                    for pk, child, full in batch
                    for latin, skel in name_prep.name_keys(full)
                )
                MatchKey.objects.bulk_create(
                    key for pk, child, full in batch for key in match_keys_of(child, pk, full)
                )
            done += len(batch)
        self.stdout.write(f"reindexed {done} names (names version {name_prep.NAMES_VERSION})")
