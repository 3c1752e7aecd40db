"""Protocol files: the shipped ones load; a malformed file names its line and is not loaded."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from waymark.missing import protocols
from waymark.missing.protocols import ProtocolError, load_dir, parse_protocol

GOOD = textwrap.dedent(
    """\
    protocol: test-short
    version: 2
    title: Short clocks for tests (fictional)
    country: IT
    steps:
      - key: police_informed
        label: Police informed
        role: caseworker
        within: 2m
        warn_before: 1m
      - key: review
        label: Review
        role: supervisor
        within: 1h
    """
)


def test_the_shipped_protocols_load_without_problems():
    loaded = protocols.protocols()
    assert loaded.problems == ()
    assert {p.ident for p in loaded.protocols} >= {"it-missing-child@1", "default-missing-child@1"}


def test_a_valid_file_becomes_steps_with_clock_rules():
    protocol = parse_protocol(GOOD, "short.yaml")
    assert protocol.ident == "test-short@2"
    step = protocol.steps[0]
    clock = step.rule.start(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC))
    assert clock.due_at == dt.datetime(2026, 1, 1, 12, 2, tzinfo=dt.UTC)
    assert clock.warn_at == dt.datetime(2026, 1, 1, 12, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (GOOD.replace("within: 1h", "within: soon"), "short.yaml:14: steps.1.within: a span is"),
        (GOOD.replace("role: supervisor", "role: janitor"), "short.yaml:13: steps.1.role:"),
        (GOOD.replace("version: 2", "version: 0"), "short.yaml:2: version:"),
        (
            GOOD.replace("  - key: review", "  - key: police_informed"),
            "two steps have the key 'police_informed'",
        ),
        (
            GOOD.replace("    role: caseworker\n", "    role: caseworker\n    colour: red\n"),
            "short.yaml:9: steps.0.colour:",
        ),
        (GOOD.replace("title: Short", "title: [Short"), "short.yaml:4: not valid YAML"),
        (GOOD.replace("role: supervisor", "role: node_admin"), "never works on a child's case"),
    ],
    ids=[
        "bad span",
        "unknown role",
        "version 0",
        "duplicate key",
        "unknown field",
        "broken YAML",
        "admin role",
    ],
)
def test_a_malformed_file_names_the_line_and_the_field(broken, expected):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(broken, "short.yaml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_a_malformed_file_in_the_directory_is_not_loaded_and_fails_the_check(tmp_path, settings):
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(
        GOOD.replace("protocol: test-short", "protocol: other").replace("2m", "two")
    )
    loaded = load_dir(tmp_path)
    assert [p.ident for p in loaded.protocols] == ["test-short@2"]
    assert loaded.problems and f"{tmp_path / 'bad.yaml'}:9:" in loaded.problems[0]
    settings.WAYMARK_PROTOCOLS_DIR = tmp_path
    protocols.reset()
    try:
        with pytest.raises(SystemCheckError, match=r"bad\.yaml:9"):
            call_command("check")
    finally:
        protocols.reset()  # the settings fixture restores the directory; reload from it next time


def test_an_organisation_protocol_wins_over_its_country_and_the_default(tmp_path, settings):
    (tmp_path / "it.yaml").write_text(GOOD)
    (tmp_path / "org.yaml").write_text(
        GOOD.replace("protocol: test-short", "protocol: milan").replace(
            "country: IT", "organisations: [it-cps-milano]"
        )
    )
    (tmp_path / "default.yaml").write_text(
        GOOD.replace("protocol: test-short", "protocol: fallback").replace("country: IT\n", "")
    )
    settings.WAYMARK_PROTOCOLS_DIR = tmp_path
    protocols.reset()
    try:
        chosen = {
            org: getattr(protocols.protocol_for(org, country), "name", None)
            for org, country in (("it-cps-milano", "IT"), ("it-other", "IT"), ("fr-ngo", "FR"))
        }
        assert chosen == {"it-cps-milano": "milan", "it-other": "test-short", "fr-ngo": "fallback"}
    finally:
        protocols.reset()
