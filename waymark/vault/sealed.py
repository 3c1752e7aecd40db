"""Sealed columns on models: the one descriptor every app uses to keep text sealed at rest.

A column is named to the vault as ``"<label>.<name>"`` (``sealed_field``): the label is the model's
``"<app>.<model>"`` unless the row says otherwise with ``seal_label`` (a str attribute or property,
or a method returning one), which lets rows moved to another model keep opening their old
ciphertexts. The name is bound into each ciphertext, so it must never change for stored rows.

- ``reveal(key, field, value)``: the readable text, or ``ERASED`` once the key was shredded; blank
  passes through. ``SealError`` (tampered, another key or field, plain text where a sealed value
  belongs) propagates: an incident, never "empty".
- ``sealed_text(name)`` / ``sealed_json(name, empty)``: a model attribute stored sealed in the
  column ``<name>_sealed`` under the key ``obj.sealing_key()`` returns. Reading opens it (``ERASED``
  / ``empty()`` once shredded); assigning seals it — call inside the writing transaction. Sealing
  under a shredded key keeps nothing (``""``): what arrives about an erased child is dropped.
- ``create_sealed(model, sealed, **fields)``: create a row with sealed attributes set first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

from . import service as vault
from .service import ERASED, ChildRef

__all__ = ["ERASED", "create_sealed", "reveal", "sealed_field", "sealed_json", "sealed_text"]

M = TypeVar("M", bound=models.Model)


def sealed_field(obj: Any, name: str) -> str:
    """The vault's name for a column, ``"<app>.<model>.<name>"`` (``"cases.careplan.needs"``), or
    ``"<seal_label>.<name>"`` when the row (or model) declares a ``seal_label``."""
    label = getattr(obj, "seal_label", None)
    if callable(label):
        if isinstance(obj, type):
            raise TypeError(f"{obj.__name__}.seal_label depends on the row: pass the row, not the model")
        label = label()
    if label is None:
        label = obj._meta.label_lower
    if not isinstance(label, str):  # a property read on the model class
        raise TypeError("seal_label depends on the row: pass the row, not the model")
    return f"{label}.{name}"


def reveal(key: ChildRef, field: str, value: str) -> str:
    """The readable text of a sealed column, or ``ERASED`` if the key was shredded.

    Blank passes through without touching the vault; plain text is refused (``vault.reveal``).
    """
    if not value:
        return value
    try:
        return vault.reveal(key, field, value)
    except vault.Shredded:
        return ERASED


def _key(obj: Any) -> ChildRef:
    key: ChildRef = obj.sealing_key()
    return key


def _seal(obj: Any, name: str, text: str) -> str:
    try:
        return vault.seal_text(_key(obj), sealed_field(obj, name), text)
    except vault.Shredded:
        # Erased here: nothing new about them is kept (a late answer from a partner still
        # updates what it answers, its text is dropped).
        return ""


def sealed_text(name: str) -> Any:
    """A text attribute stored sealed in ``<name>_sealed``."""
    column = f"{name}_sealed"

    def get(obj: Any) -> str:
        return reveal(_key(obj), sealed_field(obj, name), getattr(obj, column))

    def set_(obj: Any, value: str) -> None:
        setattr(obj, column, _seal(obj, name, value or ""))

    return property(get, set_, doc=f"{name}, sealed at rest in {column}")


def sealed_json(name: str, empty: Callable[[], Any]) -> Any:
    """A JSON attribute (dict or list) stored sealed in ``<name>_sealed``; ``empty()`` when blank."""
    column = f"{name}_sealed"

    def get(obj: Any) -> Any:
        stored: str = getattr(obj, column)
        try:
            text = vault.reveal(_key(obj), sealed_field(obj, name), stored)
        except vault.Shredded:
            return empty()  # erased here: nothing of it is readable
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
