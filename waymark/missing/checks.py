"""``manage.py check`` refuses a node whose protocol files do not all validate (file:line)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .protocols import protocols


@register()
def protocol_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    loaded = protocols()
    errors: list[CheckMessage] = [
        Error(problem, hint="fix the file; until then it is not loaded", id="waymark.missing.E001")
        for problem in loaded.problems
    ]
    if not loaded.protocols:
        errors.append(Error("no missing-child protocol is loaded", id="waymark.missing.E002"))
    return errors
