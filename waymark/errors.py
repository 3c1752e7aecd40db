"""Errors that cross from actions to the edges (web forms, JSON API), with field names."""

from __future__ import annotations

import re

from pydantic import ValidationError

_FIELD_PREFIX = re.compile(r"^(?:Value error, )?([a-z_][a-z0-9_]*): (.+)$", re.S)


class ActionError(Exception):
    """A refused action. ``errors`` maps a field name ('' for the whole input) to messages.

    The input was well formed but breaks a rule of the domain (an unknown colleague, a photo too
    large...): the API answers 422 (a subclass says otherwise)."""

    status = 422

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "") -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k or 'input'}: {', '.join(v)}" for k, v in errors.items()))


class Refused(ActionError):
    """Refused for who the caller is (403): a role, a purpose or the firewall, not the input."""

    status = 403


class DuplicateWarning(ActionError):
    """A probable duplicate registration: refused until the caller confirms."""

    status = 409

    def __init__(self, message: str, duplicates: list[str]) -> None:
        super().__init__({"confirm_not_duplicate": [message]})
        self.duplicates = duplicates


class NotFound(Exception):
    """Not found *or* not allowed: the two look the same from outside."""


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    """Turn a pydantic error into {dotted.field: [message]}.

    Model-level validators name their field by starting the message with ``field: ``.
    """
    out: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        msg = str(err["msg"])
        m = _FIELD_PREFIX.match(msg)
        if m:
            loc = [*loc, m.group(1)]
            msg = m.group(2)
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        key = ".".join([prefix, *loc] if prefix else loc)
        out.setdefault(key, []).append(msg)
    return out
