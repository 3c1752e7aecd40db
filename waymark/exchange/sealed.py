"""The exchange threads' own free text and offers, sealed at rest like the case's special categories.

What travels between organisations — a referral's reason, the child and case as offered, the
questions and answers of a request, a notice, a transferred care plan and history — is child data
and often a special category. Each thread seals it with one key (``_Thread.seal_key``): the
child's own key when the thread is about a case this node holds (so erasing the child shreds it
too), otherwise a key of the thread's own (an offer that arrived before any case exists here).

``sealed_text`` / ``sealed_json`` make a model attribute whose column (``<name>_sealed``) holds the
sealed value; reading opens it, assigning seals it (call inside the writing transaction). Rows
written before sealing hold plain text, which reads through unchanged (``vault.reveal``). After the
child is erased here (their key shredded) text reads as ``vault.ERASED`` and JSON as empty.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

from waymark.vault import service as vault

M = TypeVar("M", bound=models.Model)


def _field(obj: Any, name: str) -> str:
    return f"{obj._meta.label_lower}.{name}"


def _key(obj: Any) -> uuid.UUID:
    key: uuid.UUID = obj.sealing_key()
    return key


def _seal(obj: Any, name: str, text: str) -> str:
    try:
        return vault.seal_text(_key(obj), _field(obj, name), text)
    except vault.Shredded:
        # The child was erased here: nothing new about them is kept (a late answer from a
        # partner still updates the thread's status, its text is dropped).
        return ""


def sealed_text(name: str) -> Any:
    """A text attribute stored sealed in ``<name>_sealed``."""
    column = f"{name}_sealed"

    def get(obj: Any) -> str:
        stored: str = getattr(obj, column)
        try:
            return vault.reveal(_key(obj), _field(obj, name), stored)
        except vault.Shredded:
            return vault.ERASED

    def set_(obj: Any, value: str) -> None:
        setattr(obj, column, _seal(obj, name, value or ""))

    return property(get, set_, doc=f"{name}, sealed at rest in {column}")


def sealed_json(name: str, empty: Callable[[], Any]) -> Any:
    """A JSON attribute (dict or list) stored sealed in ``<name>_sealed``; ``empty()`` when blank."""
    column = f"{name}_sealed"

    def get(obj: Any) -> Any:
        stored: str = getattr(obj, column)
        try:
            text = vault.reveal(_key(obj), _field(obj, name), stored)
        except vault.Shredded:
            return empty()  # the child was erased here: nothing of it is readable
        return json.loads(text) if text else empty()

    def set_(obj: Any, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
        setattr(obj, column, _seal(obj, name, text))

    return property(get, set_, doc=f"{name} (JSON), sealed at rest in {column}")


def create_sealed(model: type[M], sealed: dict[str, Any], **fields: Any) -> M:
    """``model.objects.create(**fields)`` with the sealed attributes in ``sealed`` set (sealed)
    before the row is written. Call inside the writing transaction."""
    row = model(**fields)
    for name, value in sealed.items():
        setattr(row, name, value)
    row.save(force_insert=True)
    return row


def shred_threads_of(sender: object, *, child: Any, cases: list[Any], actor: Any, **_: Any) -> None:
    """The child is being erased here: shred the keys of threads about their cases that were
    sealed under a key of their own (offers that arrived before the case existed here). Threads
    sealed under the child's key are already unreadable."""
    from .models import InfoRequest, Notice, Referral, Transfer

    keys: set[uuid.UUID] = set()
    for model in (Referral, InfoRequest, Notice, Transfer):
        keys.update(
            k
            for k in model.objects.filter(case__in=cases).values_list("seal_key", flat=True)
            if k is not None and k != child.public_id
        )
    for key in sorted(keys):
        vault.shred(key, actor=actor)
