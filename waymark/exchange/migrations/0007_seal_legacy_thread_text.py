"""Seal the thread text written before the exchange sealed it (exchange 0003 sealed only what
was written from then on; 0004 copied the old plain values into ``Thread.sealed`` and
``ThreadMessage.note_sealed`` token for token).

Each plain value is sealed under the thread's key (``seal_key``) and its name, exactly as
``exchange.sealed`` seals new ones (``exchange.<kind without _>.<name>``; a message's note
``exchange.<kind without _>step.reason``). A value whose key was shredded (the child erased
here) is dropped, as a write after erasure is. Idempotent. After this ``vault.reveal`` refuses
plain text: one found later was written around the application.

Unapplying it changes nothing: the values stay sealed, which the code before it reads as well.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 500


def _label(kind: str) -> str:
    return f"exchange.{kind.replace('_', '')}"


def _seal(key: Any, field: str, value: str) -> str:
    from waymark.vault import service as vault

    try:
        return vault.seal_text(key, field, value)
    except vault.Shredded:
        return ""


def seal_legacy_text(apps: Any, schema_editor: Any) -> None:
    from waymark.vault import service as vault

    Thread = apps.get_model("exchange", "Thread")
    ThreadMessage = apps.get_model("exchange", "ThreadMessage")
    with vault.key_cache():
        last = 0
        while batch := list(Thread.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
            last = batch[-1].pk
            for thread in batch:
                key = thread.seal_key or thread.public_id
                tokens = dict(thread.sealed or {})
                changed = False
                for name, value in list(tokens.items()):
                    if isinstance(value, str) and value and not vault.is_sealed(value):
                        sealed = _seal(key, f"{_label(thread.kind)}.{name}", value)
                        if sealed:
                            tokens[name] = sealed
                        else:
                            tokens.pop(name)
                        changed = True
                if changed or thread.seal_key is None:
                    Thread.objects.filter(pk=thread.pk).update(sealed=tokens, seal_key=key)
        last = 0
        messages = ThreadMessage.objects.exclude(note_sealed="").select_related("thread")
        while batch := list(messages.filter(pk__gt=last).order_by("pk")[:BATCH]):
            last = batch[-1].pk
            for message in batch:
                if vault.is_sealed(message.note_sealed):
                    continue
                thread = message.thread
                key = thread.seal_key or thread.public_id
                note = _seal(key, f"{_label(thread.kind)}step.reason", message.note_sealed)
                ThreadMessage.objects.filter(pk=message.pk).update(note_sealed=note)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0006_outbox_cancelled"),
        ("vault", "0001_initial"),
    ]

    # Going back leaves the values sealed: the code before this reads sealed values too.
    operations = [migrations.RunPython(seal_legacy_text, migrations.RunPython.noop)]
