"""``manage.py check`` (and every start-up) fails when the Cedar schema or a policy is broken."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from . import engine


@register(Tags.security)
def check_cedar_policies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        schema, files = engine.read_sources()
    except OSError as exc:
        return [Error(f"cannot read the Cedar policies: {exc}", id="policy.E001")]
    return [
        Error(f"Cedar policy check failed: {problem}", hint="see waymark/policy/cedar/", id="policy.E002")
        for problem in engine.check_sources(schema, files)
    ]
