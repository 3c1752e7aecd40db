"""Response protocols as data: one YAML file per country or organisation, validated, versioned.

A protocol lists the steps to take when a child goes missing — police informed within N hours,
the guardian and the hotline informed, an SIS alert requested, the route countries alerted,
reviews at 24 h / 72 h / 7 days — each with the role responsible and a clock. The files live in
``settings.WAYMARK_PROTOCOLS_DIR`` (docs/missing.md). ``protocols()`` loads them once per process;
a file that does not validate is left out and named with its line (``ProtocolError``), and
``manage.py check`` fails on it (``checks.py``), so a node starts knowing its protocols are sound.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from waymark.core.clocks import ClockRule
from waymark.vocab import Role

logger = logging.getLogger(__name__)

_SPAN = re.compile(r"^\s*(\d+)\s*(m|h|d)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_KEY = r"^[a-z][a-z0-9_]{0,39}$"


def parse_span(text: str) -> dt.timedelta:
    """``"90m"``, ``"12h"``, ``"7d"`` as elapsed time; ValueError naming the expected form."""
    match = _SPAN.match(str(text))
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"a span is a positive number and m, h or d (e.g. 12h, 7d), not {text!r}")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=_KEY)
    label: str = Field(min_length=1, max_length=200)
    role: Role
    within: str
    warn_before: str | None = None
    help: str = Field(default="", max_length=1000)

    @field_validator("within", "warn_before")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None:
            parse_span(value)
        return value

    @field_validator("role")
    @classmethod
    def _no_admin(cls, value: Role) -> Role:
        if value in (Role.NODE_ADMIN, Role.DPO):
            raise ValueError(f"{value} never works on a child's case; choose a case role")
        return value


class ProtocolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protocol: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    # Which cases it applies to: an organisation's own protocol wins over its country's; a file
    # naming neither is the node's default.
    country: str = Field(default="", pattern=r"^([A-Z]{2})?$")
    organisations: list[str] = Field(default_factory=list)
    source: str = Field(default="", max_length=500)
    steps: list[StepIn] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> ProtocolIn:
        seen: set[str] = set()
        for step in self.steps:
            if step.key in seen:
                raise ValueError(f"two steps have the key {step.key!r}")
            seen.add(step.key)
        return self


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    role: Role
    rule: ClockRule
    help: str = ""


@dataclass(frozen=True)
class Protocol:
    name: str
    version: int
    title: str
    country: str
    organisations: tuple[str, ...]
    source: str
    steps: tuple[Step, ...]
    path: str

    @property
    def ident(self) -> str:
        return f"{self.name}@{self.version}"

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


class ProtocolError(ValueError):
    """A protocol file was refused; ``problems`` name the file and line of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at pydantic's error location (its parent's if absent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def parse_protocol(text: str, path: str = "<protocol>") -> Protocol:
    """One protocol file's text as a ``Protocol``, or ``ProtocolError`` naming each line at fault."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise ProtocolError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    try:
        parsed = ProtocolIn.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = _line_of(node, loc)
            field = ".".join(str(p) for p in loc) or "(file)"
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{path}:{line or 1}: {field}: {message}")
        raise ProtocolError(problems) from exc
    steps = tuple(
        Step(
            key=s.key,
            label=s.label,
            role=s.role,
            rule=ClockRule(
                f"missing:{s.key}",
                within=parse_span(s.within),
                warn_before=parse_span(s.warn_before) if s.warn_before else None,
            ),
            help=s.help,
        )
        for s in parsed.steps
    )
    return Protocol(
        name=parsed.protocol,
        version=parsed.version,
        title=parsed.title,
        country=parsed.country,
        organisations=tuple(parsed.organisations),
        source=parsed.source,
        steps=steps,
        path=path,
    )


@dataclass(frozen=True)
class Loaded:
    protocols: tuple[Protocol, ...]
    problems: tuple[str, ...]


def load_dir(directory: Path) -> Loaded:
    """Every ``*.yaml`` in ``directory``: the valid protocols, and the problems of the others
    (which are not loaded). Two files with the same name and version: the second is refused."""
    found: list[Protocol] = []
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            protocol = parse_protocol(path.read_text(encoding="utf-8"), str(path))
        except ProtocolError as exc:
            problems.extend(exc.problems)
            continue
        if any(p.ident == protocol.ident for p in found):
            problems.append(f"{path}:1: protocol {protocol.ident} is already defined by another file")
            continue
        found.append(protocol)
    return Loaded(tuple(found), tuple(problems))


@functools.cache
def protocols() -> Loaded:
    """The protocols of this node, loaded once per process (``reset()`` in tests)."""
    loaded = load_dir(Path(settings.WAYMARK_PROTOCOLS_DIR))
    for problem in loaded.problems:
        logger.error("protocol file not loaded: %s", problem)
    return loaded


def reset() -> None:
    protocols.cache_clear()


def protocol_for(org_slug: str, country: str) -> Protocol | None:
    """The protocol that applies to a case of this organisation: its own, else its country's,
    else the node's default (a file naming neither); the highest version of the one chosen."""
    loaded = protocols().protocols
    for fits in (
        lambda p: org_slug in p.organisations,
        lambda p: not p.organisations and p.country == country,
        lambda p: not p.organisations and not p.country,
    ):
        matching = [p for p in loaded if fits(p)]
        if matching:
            return max(matching, key=lambda p: p.version)
    return None


def find(ident: str) -> Protocol | None:
    """A loaded protocol by ``name@version`` (what a disappearance records)."""
    return next((p for p in protocols().protocols if p.ident == ident), None)
