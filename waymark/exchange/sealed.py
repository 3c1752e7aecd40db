"""The exchange threads' child data, sealed at rest like the case's special categories.

What travels between organisations — a referral's reason, the child and case as offered, the
questions and answers of a request, a notice, a transferred care plan and history — is child data
and often a special category. Each thread seals it with one key (``Thread.seal_key``): the child's
own key when the thread is about a case this node holds (so erasing the child shreds it too),
otherwise a key of the thread's own (an offer that arrived before any case exists here).

A thread keeps its values by name in one JSON column of sealed tokens (``SealedData``), each bound
to its name (``exchange.<kind>.<name>``), so a new kind of thread adds names, not columns. Text
reads as text; anything else is stored as JSON. Rows written before sealing were sealed by
migration 0007; plain text is refused (``vault.reveal``). After the child is erased here (their key
shredded) text reads as ``vault.ERASED`` and a document as empty; a value written then is dropped
(a late answer from a partner still moves the thread, its text is not kept).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Protocol

from waymark.vault import service as vault


class Sealable(Protocol):
    def sealing_key(self) -> uuid.UUID: ...


def seal_value(owner: Sealable, field: str, text: str) -> str:
    """``text`` sealed for ``owner``'s key and ``field``; "" once the key is shredded."""
    if not text:
        return ""
    try:
        return vault.seal_text(owner.sealing_key(), field, text)
    except vault.Shredded:
        return ""


def reveal_text(owner: Sealable, field: str, stored: str) -> str:
    try:
        return vault.reveal(owner.sealing_key(), field, stored)
    except vault.Shredded:
        return vault.ERASED


class SealedData:
    """Named sealed values of one row, kept in its JSON column ``column`` (name → token).

    ``data.text("reason")``, ``data.doc("offer", dict)``, ``data.put(reason=…, offer={…})``.
    Call ``put`` inside the writing transaction, then save the row."""

    def __init__(self, row: Any, column: str, label: str) -> None:
        self._row = row
        self._column = column
        self._label = label

    def _tokens(self) -> dict[str, str]:
        tokens: dict[str, str] = getattr(self._row, self._column)
        return tokens

    def _field(self, name: str) -> str:
        return f"{self._label}.{name}"

    def text(self, name: str) -> str:
        stored = self._tokens().get(name, "")
        return reveal_text(self._row, self._field(name), stored) if stored else ""

    def doc(self, name: str, empty: type[dict[str, Any]] | type[list[Any]] = dict) -> Any:
        """A JSON value; ``empty()`` when blank, cleared, or erased with the child."""
        stored = self._tokens().get(name, "")
        if not stored:
            return empty()
        try:
            text = vault.reveal(self._row.sealing_key(), self._field(name), stored)
        except vault.Shredded:
            return empty()
        return json.loads(text) if text else empty()

    def put(self, **values: Any) -> None:
        """Seal and set each value (str as text, anything else as JSON; empty clears it)."""
        tokens = dict(self._tokens())
        texts = {
            self._field(name): (
                value
                if isinstance(value, str)
                else (json.dumps(value, ensure_ascii=False, sort_keys=True) if value else "")
            )
            for name, value in values.items()
        }
        try:  # one key lookup for all of them
            sealed = vault.seal_texts(self._row.sealing_key(), texts)
        except vault.Shredded:
            sealed = dict.fromkeys(texts, "")
        for name in values:
            if sealed[self._field(name)]:
                tokens[name] = sealed[self._field(name)]
            else:
                tokens.pop(name, None)
        setattr(self._row, self._column, tokens)

    def __getitem__(self, name: str) -> str:
        """The text of ``name`` (templates: ``{{ thread.data.subject }}``)."""
        return self.text(name)

    def keys(self) -> list[str]:
        return sorted(self._tokens())
