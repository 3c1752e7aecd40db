"""The police side as data: the alert lifecycle's table, and the extract that never holds more
than the minimal identifiers a reader is granted (property-tested)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.core import police as p
from waymark.vocab import DataCategory, PoliceAlertKind, PoliceAlertState

CATEGORIES = [str(c) for c in DataCategory.values]


def test_the_vocabulary_names_the_cores_kinds_and_states():
    assert set(PoliceAlertKind.values) == set(p.KINDS)
    assert set(PoliceAlertState.values) == set(p.STATES)
    assert set(CATEGORIES) >= p.POLICE_CATEGORIES
    assert set(p.EXTRACT_FIELDS.values()) <= p.POLICE_CATEGORIES


def test_the_lifecycle_runs_requested_issued_hit_closed():
    assert p.next_states(p.REQUESTED) == (p.ISSUED, p.WITHDRAWN)
    assert p.transition(p.REQUESTED, p.ISSUED, reference="SIS-IT-0001").target == p.ISSUED
    assert p.transition(p.ISSUED, p.HIT, place="Gare du Nord").target == p.HIT
    assert p.transition(p.HIT, p.CLOSED).target == p.CLOSED
    assert p.next_states(p.CLOSED) == () and p.next_states(p.WITHDRAWN) == ()


def test_issuing_needs_the_police_reference_and_a_hit_needs_the_place():
    with pytest.raises(p.TransitionRefused) as issued:
        p.transition(p.REQUESTED, p.ISSUED, reference="  ")
    assert issued.value.field == "reference"
    with pytest.raises(p.TransitionRefused) as hit:
        p.transition(p.ISSUED, p.HIT)
    assert hit.value.field == "place"


def test_a_hit_is_not_recorded_on_an_alert_never_issued():
    with pytest.raises(p.TransitionRefused, match="requested cannot become hit"):
        p.transition(p.REQUESTED, p.HIT, place="Ventimiglia")


@given(st.sampled_from(p.STATES), st.text(max_size=12))
def test_every_transition_outside_the_table_is_refused(state, target):
    allowed = p.next_states(state)
    if target in allowed:
        p.transition(state, target, reference="R-1", place="somewhere")
    else:
        with pytest.raises(p.TransitionRefused):
            p.transition(state, target, reference="R-1", place="somewhere")


@given(st.lists(st.sampled_from(p.STATES[1:]), max_size=8))
def test_an_ended_alert_never_moves_again(path):
    state = p.REQUESTED
    for target in path:
        try:
            p.transition(state, target, reference="R-1", place="x")
        except p.TransitionRefused:
            continue
        assert state not in p.ENDED
        state = target


def test_an_interpol_yellow_notice_fits_a_child_who_may_be_outside_the_sis_area():
    assert p.kind_fits(p.INTERPOL_YELLOW, ["FR", "GB"])
    assert p.kind_fits(p.INTERPOL_YELLOW, [""])  # destination unknown
    assert not p.kind_fits(p.INTERPOL_YELLOW, ["FR", "SE"])
    assert p.kind_fits(p.SIS_MISSING_MINOR, ["FR", "SE"])


# --- the extract ---

FIELD_NAMES = st.one_of(
    st.sampled_from(sorted(p.EXTRACT_FIELDS)),
    st.sampled_from(
        ["health_notes", "disclosure", "case_notes", "immigration_status", "legal_status", "family"]
    ),
    st.text(min_size=1, max_size=10),
)


@given(
    st.dictionaries(FIELD_NAMES, st.text(max_size=5), max_size=25),
    st.sets(st.sampled_from(CATEGORIES)),
)
def test_the_extract_holds_only_granted_police_categories(source, granted):
    extract = p.police_extract(source, granted)
    for name in extract.fields:
        assert name in p.EXTRACT_FIELDS
        assert p.EXTRACT_FIELDS[name] in granted
        assert p.EXTRACT_FIELDS[name] in p.POLICE_CATEGORIES
    # Nothing granted and present is dropped, and what is withheld is said.
    for name, category in p.EXTRACT_FIELDS.items():
        if name in source and category in granted:
            assert extract.fields[name] == source[name]
    assert extract.withheld == p.POLICE_CATEGORIES - set(granted)


def test_health_and_disclosures_never_enter_the_extract_even_when_granted():
    source = {"given_names": "Amina", "health": "asthma", "disclosure": "told of debt", "case_notes": "x"}
    extract = p.police_extract(source, CATEGORIES)
    assert extract.fields == {"given_names": "Amina"}
