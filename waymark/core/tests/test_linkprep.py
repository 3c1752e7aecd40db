"""Records prepared for linkage: the CSV contract is read strictly, names are split into the
child's own given name and the names siblings share, dates become ranges of years."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.core import linkprep, names
from waymark.core.namematch import Birth

HEADER = "record_id,given_names,family_names,full_name,name_original_script,sex,birth_date,birth_date_estimated,nationality,languages\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_a_good_file_is_read_with_alpha3_nationalities_folded():
    got = linkprep.read_csv(_csv("A1,Mohamed,Hossein,,,M,2008-01-01,false,SYR,ar;en"), "left.csv")
    (rec,) = got.records
    assert (rec.record_id, rec.nationality, rec.languages) == ("A1", "SY", ("ar", "en"))
    assert got.ignored_columns == ()


def test_unknown_columns_are_ignored_and_named():
    got = linkprep.read_csv(
        _csv("A1,Mohamed,,,,,,,,,Brussels", header=HEADER.strip() + ",office\n"), "left.csv"
    )
    assert got.ignored_columns == ("office",)
    assert got.records[0].given_names == "Mohamed"


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        ((",Mohamed,,,,,,,,",), 2, "record_id"),
        (("A1,Mohamed,,,,,,,,", "A1,Jonas,,,,,,,,"), 3, "record_id"),
        (("A1,Mohamed,,,,,2008-13-01,,,",), 2, "birth_date"),
        (("A1,Mohamed,,,,,01/02/2008,,,",), 2, "birth_date"),
        (("A1,Mohamed,,,,,2008-00-11,,,",), 2, "birth_date"),
        (("A1,,,,,M,2008,,,",), 2, "given_names"),
        (("A1,Mohamed,,,,male,2008,,,",), 2, "sex"),
        (("A1,Mohamed,,,,M,2008,maybe,,",), 2, "birth_date_estimated"),
        (("A1,Mohamed,,,,M,2008,,Syria,",), 2, "nationality"),
    ],
)
def test_malformed_values_name_the_file_line_and_column(rows, line, column):
    with pytest.raises(linkprep.CsvError) as caught:
        linkprep.read_csv(_csv(*rows), "left.csv")
    assert (caught.value.file, caught.value.line, caught.value.column) == ("left.csv", line, column)
    assert f"left.csv, line {line}, column {column}" in str(caught.value)


def test_a_header_without_record_id_is_refused():
    with pytest.raises(linkprep.CsvError, match="line 1, column record_id"):
        linkprep.read_csv(b"id,given_names\nA1,Mohamed\n", "left.csv")


def test_bytes_that_are_not_utf8_name_the_line_and_column():
    data = _csv("A1,Mohamed,,,,,,,,") + b"A2,Jos" + "\xe9,,,,,,,,\n".encode("latin-1")
    with pytest.raises(linkprep.CsvError) as caught:
        linkprep.read_csv(data, "right.csv")
    assert (caught.value.line, caught.value.column) == (3, "given_names")
    assert "encoding" in caught.value.message


def test_the_given_name_is_the_childs_own_and_other_names_leave_it_out():
    row = linkprep.prepare(linkprep.LinkRecord("A1", given_names="Habib Ullah", family_names="Stanikzai"))
    # Habib Ullah / Habibullah: one given name, not evidence on the family name.
    assert (
        row["given_skel"]
        == linkprep.prepare(linkprep.LinkRecord("B", given_names="Habibullah"))["given_skel"]
    )
    assert row["other_skels"] == ["stnkz"]


def test_an_original_script_name_gives_the_same_skeletons_as_its_latin_form():
    arabic = linkprep.prepare(linkprep.LinkRecord("A1", name_original_script="محمد حسين"))
    latin = linkprep.prepare(linkprep.LinkRecord("B1", given_names="Muhammad", family_names="Hussain"))
    assert arabic["given_skel"] == latin["given_skel"] == "mhmd"
    assert arabic["other_skels"] == latin["other_skels"]


def test_estimated_and_first_of_january_dates_are_ranges_never_exact():
    assert linkprep.birth_range("2009-05-03", False) == Birth(2009, 2009, dt.date(2009, 5, 3))
    assert linkprep.birth_range("2008-01-01", False) == Birth(2007, 2009)
    assert linkprep.birth_range("2008", True) == Birth(2007, 2009)
    assert linkprep.birth_range("2008-06", False) == Birth(2008, 2008)
    assert linkprep.birth_range("", False) is None


def test_name_units_are_order_free_and_leave_joined_particles_out():
    written = linkprep.prepare(
        linkprep.LinkRecord("A1", given_names="Mujaqqab", family_names="Al-Mubzisi", name_original_script="")
    )
    swapped = linkprep.prepare(linkprep.LinkRecord("B1", given_names="Elmubzisi", family_names="Mujaqqab"))
    # The given names differ (one file wrote the family name first); the units are the same.
    assert written["given_skel"] != swapped["given_skel"]
    assert written["unit_phons"] == swapped["unit_phons"]
    # A compound given name is one unit, not evidence on the other names.
    habib = linkprep.prepare(linkprep.LinkRecord("C1", given_names="Habib Ullah", family_names="Stanikzai"))
    assert len(habib["unit_phons"]) == 2


@pytest.mark.parametrize(
    ("given", "other"),
    [
        ("Muhammad", "Al-Ubaidi"),
        ("محمد", "حسين"),
        ("ዮናስ", "ተስፋይ"),
        ("\u0301Ana", "  Hossein  "),  # a combining mark first, spaces around
        ("", "Tekle"),
        ("Ḥusayn", ""),
        ("ﷲ", "Ⅻ"),  # compatibility characters NFKC expands
    ],
)
def test_the_latin_tokens_of_a_name_are_those_of_its_parts_as_the_uncached_form_gives(given, other):
    assert list(linkprep._latin_of(given, other)) == names.transliterate(f"{given} {other}").split()
