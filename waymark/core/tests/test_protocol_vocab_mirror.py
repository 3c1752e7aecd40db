"""The wire vocabularies in the pure core match the Django vocabularies value for value."""

from __future__ import annotations

import pytest

from waymark import vocab
from waymark.core.protocol import vocab as wire

MIRRORED = [
    "Role",
    "Sector",
    "Purpose",
    "DataCategory",
    "Sex",
    "DatePrecision",
    "IdentifierScheme",
    "CaseStatus",
    "MissingCategory",
    "RiskLevel",
    "EventType",
    "EventSource",
    "ErasureBasis",
    "KeepBasis",
]


@pytest.mark.parametrize("name", MIRRORED)
def test_the_wire_vocabulary_has_the_same_values_as_the_app(name):
    assert [m.value for m in getattr(wire, name)] == [m.value for m in getattr(vocab, name)]


def test_the_firewall_names_the_same_purpose_and_sector():
    assert {p.value for p in wire.FORBIDDEN_PURPOSES} == {vocab.Purpose.IMMIGRATION_ENFORCEMENT.value}
    assert {s.value for s in wire.FORBIDDEN_SECTORS} == {vocab.Sector.IMMIGRATION_ENFORCEMENT.value}
