"""The Cedar engine: schema and policies read from ``cedar/``, checked, parsed once per process.

Policies are re-keyed by their ``@id`` annotation, so Cedar's ``diagnostics.reasons`` are the
ids a DPO reads in the policy files and in docs/firewall.md (e.g. ``firewall-purpose``), not
positional ``policy3``. Every policy must carry a unique ``@id`` and a ``@description``; the
description is what ``explain`` shows.

This module also translates facts (facts.py) into Cedar JSON entities and requests; it knows
nothing of Django models.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from .facts import AgreementFacts, Resource, Subject

CEDAR_DIR = Path(__file__).resolve().parent / "cedar"
SCHEMA_FILE = "waymark.cedarschema"


class PolicyConfigurationError(Exception):
    """The schema or a policy file is broken; ``problems`` names each fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    effect: str  # "permit" or "forbid"
    description: str
    file: str


@dataclass(frozen=True)
class Engine:
    schema: cedarpy.Schema
    policies: cedarpy.PolicySet
    info: dict[str, PolicyInfo]


def read_sources(directory: Path | None = None) -> tuple[str, dict[str, str]]:
    """The schema text and ``{file name: policy text}`` for every ``*.cedar`` file, sorted."""
    directory = directory or CEDAR_DIR
    schema = (directory / SCHEMA_FILE).read_text(encoding="utf-8")
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.cedar"))}
    return schema, files


def _parse(schema_text: str, files: dict[str, str]) -> tuple[list[str], Engine | None]:
    problems: list[str] = []
    try:
        schema = cedarpy.Schema.from_str(schema_text)
    except ValueError as exc:
        return [f"{SCHEMA_FILE}: {exc}"], None
    if not files:
        return ["no *.cedar policy files"], None

    static: dict[str, Any] = {}
    info: dict[str, PolicyInfo] = {}
    for name, text in files.items():
        try:
            est = json.loads(cedarpy.policies_to_json_str(text))
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if est.get("templates"):
            problems.append(f"{name}: policy templates are not used in Waymark")
        for n, policy in enumerate(est.get("staticPolicies", {}).values(), start=1):
            notes = policy.get("annotations") or {}
            pid = notes.get("id")
            if not pid:
                problems.append(f"{name}: policy #{n} has no @id annotation")
                continue
            if pid in info:
                problems.append(f"{name}: @id {pid!r} is already used in {info[pid].file}")
                continue
            if not notes.get("description"):
                problems.append(f"{name}: policy {pid!r} has no @description annotation")
            static[pid] = policy
            info[pid] = PolicyInfo(pid, policy["effect"], notes.get("description", ""), name)

    # Strict validation against the schema: unknown attributes, wrong types, misspelt actions.
    validation = cedarpy.validate_policies("\n".join(files.values()), schema)
    if not validation.validation_passed:
        names = validation.id_annotations_by_policy_id
        for err in validation.errors:
            where = names.get(err.policy_id, err.policy_id) or "policies"
            problems.append(f"{where}: {err.error}")
    if problems:
        return problems, None
    policies = cedarpy.PolicySet.from_json_str(
        json.dumps({"staticPolicies": static, "templates": {}, "templateLinks": []})
    )
    return [], Engine(schema=schema, policies=policies, info=info)


def check_sources(schema_text: str, files: dict[str, str]) -> list[str]:
    """Every problem with this schema and these policy files (empty when all is well)."""
    return _parse(schema_text, files)[0]


def build_engine(schema_text: str, files: dict[str, str]) -> Engine:
    problems, engine = _parse(schema_text, files)
    if engine is None:
        raise PolicyConfigurationError(problems)
    return engine


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine, parsed and validated on first use."""
    return build_engine(*read_sources())


# --- facts -> Cedar JSON ------------------------------------------------------------------------


def cedar_datetime(value: dt.datetime) -> dict[str, Any]:
    """An aware datetime as Cedar's ``datetime`` (UTC, millisecond precision, floored)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the policy engine")
    utc = value.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{utc.microsecond // 1000:03d}Z"
    return {"__extn": {"fn": "datetime", "arg": text}}


def _ref(kind: str, uid: str) -> dict[str, Any]:
    return {"__entity": {"type": kind, "id": uid}}


def _org(uid: str, sector: str, country: str) -> dict[str, Any]:
    return {
        "uid": {"type": "Organisation", "id": uid},
        "attrs": {"sector": sector, "country": country},
        "parents": [],
    }


def agreement_entity(agreement: AgreementFacts) -> dict[str, Any]:
    return {
        "uid": {"type": "Agreement", "id": agreement.identifier},
        "attrs": {
            "status": agreement.status,
            "requiresConsent": agreement.requires_consent,
            "validFrom": cedar_datetime(agreement.valid_from),
            "validUntil": cedar_datetime(agreement.valid_until),
            "parties": [_ref("Organisation", p) for p in sorted(agreement.parties)],
            "grants": [
                {
                    "org": _ref("Organisation", g.org),
                    "role": _ref("Role", g.role),
                    "category": g.category,
                    "purpose": g.purpose,
                    "action": g.action,
                }
                for g in sorted(
                    agreement.grants, key=lambda g: (g.org, g.role, g.purpose, g.category, g.action)
                )
            ],
        },
        "parents": [],
    }


def _people_json(subject: Subject, resources: tuple[Resource, ...]) -> list[dict[str, Any]]:
    """The user, their role, the cases and every organisation involved."""
    orgs = {subject.org: _org(subject.org, subject.org_sector, subject.org_country)}
    out: list[dict[str, Any]] = [
        {"uid": {"type": "Role", "id": subject.role}, "attrs": {}, "parents": []},
        {
            "uid": {"type": "User", "id": subject.uid},
            "attrs": {"org": _ref("Organisation", subject.org), "role": _ref("Role", subject.role)},
            "parents": [{"type": "Role", "id": subject.role}],
        },
    ]
    seen_cases: set[str] = set()
    for r in resources:
        orgs.setdefault(r.org, _org(r.org, r.org_sector, r.org_country))
        if r.uid in seen_cases:
            continue
        seen_cases.add(r.uid)
        attrs: dict[str, Any] = {
            "org": _ref("Organisation", r.org),
            "transferred": r.transferred,
            "missing": r.missing,
            "sharedWith": [
                {"org": _ref("Organisation", org), "purpose": purpose} for org, purpose in sorted(r.shared)
            ],
            "consents": [
                {"org": _ref("Organisation", org), "purpose": purpose, "category": category}
                for org, purpose, category in sorted(r.consents)
            ],
        }
        if r.guardian is not None:
            attrs["guardian"] = _ref("User", r.guardian)
        out.append({"uid": {"type": "Case", "id": r.uid}, "attrs": attrs, "parents": []})
    out.extend(orgs.values())
    return out


def entities_json(
    subject: Subject, resources: tuple[Resource, ...], agreements: tuple[AgreementFacts, ...]
) -> list[dict[str, Any]]:
    """The entity set for one call: the user, their role, the organisations, cases, agreements."""
    return _people_json(subject, resources) + [agreement_entity(a) for a in agreements]


@functools.lru_cache(maxsize=64)
def _agreement_entities(agreements: tuple[AgreementFacts, ...]) -> cedarpy.Entities:
    # Parsing an agreement (a set of grant records) is the slow part of building entities
    # (~0.8 ms); agreements change rarely, so each candidate set is parsed once.
    return cedarpy.Entities.from_json_str(
        json.dumps([agreement_entity(a) for a in agreements]), get_engine().schema
    )


@functools.lru_cache(maxsize=512)
def entities(
    subject: Subject, resources: tuple[Resource, ...], agreements: tuple[AgreementFacts, ...]
) -> cedarpy.Entities:
    """Parsed, schema-checked entities for one call. Cached: facts are immutable values, so a
    cache hit is exactly the entity set the same facts would build again."""
    people = json.dumps(_people_json(subject, resources))
    if not agreements:
        return cedarpy.Entities.from_json_str(people, get_engine().schema)
    return _agreement_entities(agreements).with_added_json_str(people, get_engine().schema)


def request(
    subject: Subject,
    resource: Resource,
    *,
    action: str,
    purpose: str,
    category: str,
    now: dict[str, Any],
    agreement: str | None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"purpose": purpose, "category": category, "now": now}
    if agreement is not None:
        context["agreement"] = _ref("Agreement", agreement)
    return {
        "principal": {"type": "User", "id": subject.uid},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Case", "id": resource.uid},
        "context": context,
    }
