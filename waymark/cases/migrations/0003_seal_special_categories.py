"""Seal the special categories already stored in the clear (waymark/vault/README.md).

Seals, per child, every non-blank value that is not sealed yet:

- ``cases.event.summary`` / ``cases.event.details`` of events whose category is special;
- ``cases.case.risk_reasons``;
- ``cases.careplan.needs`` / ``.objectives`` / ``.services``;
- ``cases.consent.childs_views``.

Idempotent: values already sealed are left alone, so it can be re-run after a partial restore.
A child whose key was already shredded gets the marker "[erased]" instead of their text: their
data must not stay readable just because it predates sealing.

NOT REVERSIBLE. Unsealing would write special categories back in the clear, and the
``summary`` column could no longer return to ``varchar(300)`` once it holds sealed values (about
1,650 characters). To go back, restore the backup taken before migrating.

The vault service is used as it is today (not a historical model): it seals with the node KEK
(``WAYMARK_KEK`` or ``WAYMARK_KEK_FILE``), which must be configured before migrating a node that
holds data. An empty database (tests, a new node) seals nothing and needs no key.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 500
# vocab.SPECIAL_CATEGORIES as of this migration (a migration must not follow later changes).
SPECIAL = ("health", "psychosocial", "trafficking_indicators", "disclosure", "case_notes")


def _seal_rows(model: Any, rows: Any, child_of: Any, fields: tuple[str, ...], prefix: str) -> None:
    """Seal ``fields`` of ``rows`` in batches by primary key (never updating under an open cursor)."""
    from waymark.vault import service as vault

    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for row in batch:
            child = child_of(row)
            dirty = False
            for name in fields:
                value = getattr(row, name)
                if not value or vault.is_sealed(value):
                    continue
                try:
                    sealed = vault.seal_text(child.public_id, f"{prefix}.{name}", value)
                except vault.Shredded:
                    sealed = vault.ERASED
                setattr(row, name, sealed)
                dirty = True
            if dirty:
                changed.append(row)
        if changed:
            model.objects.bulk_update(changed, list(fields))


def seal_existing(apps: Any, schema_editor: Any) -> None:
    from waymark.vault import service as vault

    Case = apps.get_model("cases", "Case")
    Event = apps.get_model("cases", "Event")
    CarePlan = apps.get_model("cases", "CarePlan")
    Consent = apps.get_model("cases", "Consent")
    with vault.key_cache():
        _seal_rows(
            Case,
            Case.objects.exclude(risk_reasons="").select_related("child"),
            lambda case: case.child,
            ("risk_reasons",),
            "cases.case",
        )
        _seal_rows(
            Event,
            Event.objects.filter(category__in=SPECIAL).select_related("case__child"),
            lambda event: event.case.child,
            ("summary", "details"),
            "cases.event",
        )
        _seal_rows(
            CarePlan,
            CarePlan.objects.select_related("case__child"),
            lambda plan: plan.case.child,
            ("needs", "objectives", "services"),
            "cases.careplan",
        )
        _seal_rows(
            Consent,
            Consent.objects.exclude(childs_views="").select_related("case__child"),
            lambda consent: consent.case.child,
            ("childs_views",),
            "cases.consent",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_event_summary_text"),
        ("vault", "0001_initial"),
    ]

    # No reverse function: Django refuses to unapply it (see the module docstring).
    operations = [migrations.RunPython(seal_existing)]
