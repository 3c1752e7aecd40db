"""Scoring a record against a query: name agreement in any order, dates as ranges, nationality."""

import datetime as dt

from waymark.core import names
from waymark.core.namematch import birth_of, compare_birth, evidence, same_nationality, score_name


def _score(query: str, record: str) -> float:
    return score_name(names.query_units(query), names.name_forms(record)).score


def test_other_spellings_and_scripts_score_high_and_other_names_low():
    assert _score("Mohamet Husein", "محمد حسين") >= 0.8
    assert _score("Mohamet Husein", "Muhammad Hussain") >= 0.8
    assert _score("Husein Mohamet", "Muhammad Hussain") >= 0.8  # order-free
    assert _score("Mohamet Husein", "Yonas Tesfay") == 0.0


def test_a_sibling_agrees_on_the_patronymic_only():
    sibling = _score("Yonas Tesfay", "Saba Tesfay")
    assert sibling < _score("Yonas Tesfay", "ዮናስ ተስፋይ")
    assert sibling <= 0.6


def test_agreements_name_the_forms_that_met():
    got = score_name(names.query_units("Mohamet Husein"), names.name_forms("محمد حسين"))
    assert [(a.query, a.form, a.how) for a in got.agreements] == [
        ("mhmt", "mhmd", "sound"),
        ("hsn", "hsn", "same"),
    ]


def test_estimated_and_assigned_dates_compare_as_ranges():
    assessed = birth_of(None, assessed=(15, 17), assessed_on=dt.date(2025, 6, 1))
    assigned = birth_of(dt.date(2008, 1, 1))
    exact = birth_of(dt.date(2009, 3, 14))
    assert compare_birth(assigned, exact)[0] == "ranges overlap"  # 1 January is a year ± 1
    assert compare_birth(assessed, exact)[0] == "ranges overlap"
    assert compare_birth(exact, birth_of(dt.date(2009, 3, 14))) == ("same date", 1.0)
    assert compare_birth(exact, birth_of(dt.date(2002, 5, 2)))[0] == "differ"
    assert compare_birth(exact, None)[0] == "unknown"


def test_commonly_confused_nationalities_are_not_a_disagreement():
    assert same_nationality("ER", "ET")[0] == "often confused"
    assert same_nationality("ER", "AF")[0] == "differ"
    assert same_nationality("", "AF")[0] == "unknown"


def test_evidence_moves_the_name_score():
    name = score_name(names.query_units("Yonas Tesfay"), names.name_forms("Yonas Tesfay"))
    agree = evidence(name, birth=("same date", 1.0), sex=("M", "M"), nationality=("ER", "ER"))
    disagree = evidence(name, birth=("differ", -1.0), sex=("M", "F"), nationality=("ER", "AF"))
    assert agree.score > name.score > disagree.score


def test_a_first_name_agreeing_with_the_given_name_ranks_above_one_meeting_another_name():
    # "Tekleh Robel Solomon": grandfather's name added. The child Tekle (son of Robel) must come
    # before Solomon (also son of Robel), whom the query meets on the father's and the last name.
    units = names.query_units("Tekleh Robel Solomon")
    child = score_name(units, names.name_forms("Tekle Rubel"), 2, names.given_forms("Tekle Rubel"))
    other = score_name(units, names.name_forms("Silomon Rubel"), 2, names.given_forms("Silomon Rubel"))
    assert child.score > other.score
    # Without the given names the two are told apart only by the length of the names they share.
    assert (
        score_name(units, names.name_forms("Tekle Rubel"), 2).score
        < score_name(units, names.name_forms("Silomon Rubel"), 2).score
    )
