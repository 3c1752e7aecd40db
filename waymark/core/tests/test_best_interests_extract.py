"""What of a best-interests assessment travels (``core.best_interests``): an allow-list, like the
police extract. Health, disclosures and case notes never reach a Dublin unit, whatever an agreement
(wrongly) grants; nothing outside the allow-list ever enters the extract."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from waymark.core import best_interests as b
from waymark.vocab import DataCategory

SOURCE = {name: f"value of {name} (fictional)" for name in b.EXTRACT_FIELDS} | {
    "panel": "Anna — social work (fictional)",  # not on the allow-list: never copied
    "secret": "anything else the source holds",
}
CATEGORIES = sorted(DataCategory.values)


def test_the_allow_list_uses_the_vocabulary():
    assert set(b.EXTRACT_FIELDS.values()) <= set(DataCategory.values)


# (granted, dublin) → the fields that travel. Each row a rule.
TABLE = [
    # Without legal status, no BIA travels at all (its header is legal status).
    ({"family", "health"}, False, None),
    # A Dublin unit: recommendation, family and legal status only, even with every category granted.
    (
        set(CATEGORIES),
        True,
        {n for n, c in b.EXTRACT_FIELDS.items() if c in {"legal_status", "family"}},
    ),
    # Another organisation: what the agreement grants.
    (
        {"legal_status", "health"},
        False,
        {n for n, c in b.EXTRACT_FIELDS.items() if c in {"legal_status", "health"}},
    ),
    ({"legal_status"}, True, set(b.HEADER_FIELDS) | {"recommendation_reason", "review_on", "legal_status"}),
]


def test_the_table():
    for granted, dublin, expected in TABLE:
        extract = b.bia_extract(SOURCE, granted, dublin=dublin)
        got = None if extract.fields is None else set(extract.fields)
        assert got == expected, (granted, dublin)


@given(granted=st.sets(st.sampled_from(CATEGORIES)))
def test_health_disclosures_and_case_notes_never_reach_a_dublin_unit(granted):
    extract = b.bia_extract(SOURCE, granted, dublin=True)
    fields = extract.fields or {}
    assert not {b.EXTRACT_FIELDS[n] for n in fields} & b.NEVER_TO_DUBLIN
    assert {b.EXTRACT_FIELDS[n] for n in fields} <= b.DUBLIN_CATEGORIES & granted
    assert extract.withheld >= b.NEVER_TO_DUBLIN


@given(granted=st.sets(st.sampled_from(CATEGORIES)), dublin=st.booleans())
def test_nothing_outside_the_allow_list_or_the_grant_ever_travels(granted, dublin):
    fields = b.bia_extract(SOURCE, granted, dublin=dublin).fields or {}
    assert set(fields) <= set(b.EXTRACT_FIELDS)
    assert {b.EXTRACT_FIELDS[n] for n in fields} <= granted
