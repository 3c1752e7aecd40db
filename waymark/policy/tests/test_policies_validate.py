"""The Cedar schema and policies are valid, and a broken policy stops the node from starting."""

from __future__ import annotations

import json
import shutil

import cedarpy
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from waymark.policy import engine
from waymark.vocab import AgreementStatus, DataCategory, PolicyAction, Purpose, Role, Sector


def test_the_shipped_schema_and_policies_validate():
    schema, files = engine.read_sources()
    assert set(files) == {"agreements.cedar", "domestic.cedar", "firewall.cedar", "limits.cedar"}
    assert engine.check_sources(schema, files) == []
    result = cedarpy.validate_policies("\n".join(files.values()), schema)
    assert result.validation_passed, [str(e) for e in result.errors]


def test_every_policy_is_named_and_described():
    info = engine.get_engine().info
    assert {"firewall-purpose", "firewall-sector", "agreement-grant-read", "guardian-of-the-child"} <= set(
        info
    )
    assert all(p.description for p in info.values())
    assert info["firewall-purpose"].effect == info["firewall-sector"].effect == "forbid"


def test_a_typo_in_a_policy_names_the_policy():
    schema, files = engine.read_sources()
    files["firewall.cedar"] = files["firewall.cedar"].replace("principal.org.sector", "principal.org.sectr")
    problems = engine.check_sources(schema, files)
    assert problems
    assert any(p.startswith("firewall-sector:") and "sectr" in p for p in problems)


def test_a_policy_without_an_id_or_with_a_used_id_is_refused():
    schema, files = engine.read_sources()
    files["extra.cedar"] = 'forbid (principal, action, resource) when { context.purpose == "audit" };\n'
    assert "extra.cedar: policy #1 has no @id annotation" in engine.check_sources(schema, files)
    files["extra.cedar"] = (
        '@id("firewall-purpose")\n@description("x")\nforbid (principal, action, resource);\n'
    )
    assert any(
        "'firewall-purpose' is already used in firewall.cedar" in p
        for p in engine.check_sources(schema, files)
    )


def test_a_schema_error_is_reported():
    schema, files = engine.read_sources()
    assert engine.check_sources(schema.replace("entity Role;", "entity Role"), files)


def test_manage_py_check_fails_on_a_broken_policy(tmp_path, monkeypatch):
    broken = tmp_path / "cedar"
    shutil.copytree(engine.CEDAR_DIR, broken)
    path = broken / "agreements.cedar"
    path.write_text(path.read_text().replace("context.agreement.validFrom", "context.agreement.validFromm"))
    monkeypatch.setattr(engine, "CEDAR_DIR", broken)
    with pytest.raises(SystemCheckError, match="agreement-grant-read"):
        call_command("check")


def test_manage_py_check_passes_with_the_shipped_policies():
    call_command("check")


def _strings(node, out):
    if isinstance(node, dict):
        if set(node) == {"Value"} and isinstance(node["Value"], str):
            out.add(("value", node["Value"]))
        if "entity" in node and isinstance(node["entity"], dict):
            out.add((node["entity"]["type"], node["entity"]["id"]))
        if "__entity" in node:
            out.add((node["__entity"]["type"], node["__entity"]["id"]))
        if "entities" in node:
            out.update((e["type"], e["id"]) for e in node["entities"])
        for key, value in node.items():
            if key != "annotations":
                _strings(value, out)
    elif isinstance(node, list):
        for item in node:
            _strings(item, out)
    return out


def test_every_name_in_the_policies_comes_from_the_vocabularies():
    # A misspelt purpose or category would type-check in Cedar and silently never match.
    _, files = engine.read_sources()
    found: set[tuple[str, str]] = set()
    for text in files.values():
        _strings(json.loads(cedarpy.policies_to_json_str(text)), found)
    vocab = set(Purpose.values) | set(DataCategory.values) | set(Sector.values) | set(AgreementStatus.values)
    vocab |= set(PolicyAction.values)
    assert {v for kind, v in found if kind == "value"} <= vocab
    # Every role is addressed: a new role must be placed in the matrix on purpose.
    assert {v for kind, v in found if kind == "Role"} == set(Role.values)
    assert {v for kind, v in found if kind == "Action"} == set(PolicyAction.values)
    assert {kind for kind, _ in found} == {"value", "Role", "Action"}
