"""Records prepared for probabilistic linkage: pure, versioned, no Django, no Splink.

One record of the linkage CSV contract (``record_id``, ``given_names``, ``family_names``,
``full_name``, ``name_original_script``, ``sex``, ``birth_date``, ``birth_date_estimated``,
``nationality``, ``languages``) becomes one flat row of the columns the linkage model compares
(``waymark/matching/linkage.py``): the given name's skeleton and sound (the child's own name,
which siblings do not share), the other names' skeletons (the patronymic or family name, which
they do), every name form order-free, and the date of birth as a range of years — an estimated
date or an assigned 1 January is never an exact date (``namematch.birth_of``). ``parse_row``
refuses what it cannot read with the column named.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from typing import Any

from . import namematch, names

# Bump when the output of ``prepare`` changes: the trained model depends on it. Version 2 adds the
# order-free name units (``unit_phons``) and the given name's own unit (``given_unit``).
LINKPREP_VERSION = 2

NAME_COLUMNS = ("given_names", "family_names", "full_name", "name_original_script")
COLUMNS = (
    "record_id",
    *NAME_COLUMNS,
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "languages",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
_ALPHA3 = {
    "AFG": "AF", "ERI": "ER", "ETH": "ET", "SYR": "SY", "IRQ": "IQ", "SOM": "SO", "SDN": "SD",
    "SSD": "SS", "TCD": "TD", "PAK": "PK", "IRN": "IR", "LBN": "LB", "PSE": "PS", "JOR": "JO",
    "KEN": "KE", "DJI": "DJ", "MAR": "MA", "DZA": "DZ", "TUN": "TN", "LBY": "LY", "GIN": "GN",
    "SEN": "SN", "MLI": "ML", "CIV": "CI", "EGY": "EG", "NGA": "NG", "GMB": "GM", "BGD": "BD",
    "TUR": "TR", "YEM": "YE", "GRC": "GR", "ITA": "IT", "FRA": "FR", "BEL": "BE", "GBR": "GB",
    "DEU": "DE", "ESP": "ES", "NLD": "NL", "UKR": "UA", "ALB": "AL", "VNM": "VN", "CMR": "CM",
}  # fmt: skip
_CODE = re.compile(r"^[A-Za-z]{2,3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class BadValue(ValueError):
    """A value of the contract that cannot be read; ``column`` names it."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class LinkRecord:
    """One record as the contract gives it, validated."""

    record_id: str
    given_names: str = ""
    family_names: str = ""
    full_name: str = ""
    name_original_script: str = ""
    sex: str = ""
    birth_date: str = ""
    birth_date_estimated: bool = False
    nationality: str = ""
    languages: tuple[str, ...] = ()


def parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' as (year, month, day); '' as None; anything else raises."""
    return _parse_date(text.strip())


@functools.lru_cache(maxsize=65536)
def _parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    # Cached: a file of 100,000 children holds a few thousand distinct dates (a refusal raises and
    # is not cached).
    if not text:
        return None
    found = _DATE.match(text)
    if not found:
        raise BadValue("birth_date", f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as exc:
        raise BadValue("birth_date", f"{text!r} is not a date ({exc})") from exc
    return year, month, day


def nationality_code(text: str) -> str:
    """ISO 3166 alpha-2 (upper case) from alpha-2 or alpha-3; unknown alpha-3 codes are kept."""
    code = text.strip().upper()
    return _ALPHA3.get(code, code)


def parse_row(row: dict[str, str]) -> LinkRecord:
    """A CSV row (contract columns; others ignored) as a ``LinkRecord``; raises ``BadValue``."""

    # Each value read and stripped once (this runs once per row of a 100,000-row file).
    v = {c: (row.get(c) or "").strip() for c in COLUMNS}
    record_id = v["record_id"]
    if not record_id:
        raise BadValue("record_id", "record_id is required")
    if not (v["given_names"] or v["family_names"] or v["full_name"] or v["name_original_script"]):
        raise BadValue("given_names", "at least one of the name columns must be given")
    sex = v["sex"].upper()
    if sex not in ("F", "M", "X", ""):
        raise BadValue("sex", f"{v['sex']!r} is not F, M, X or empty")
    _parse_date(v["birth_date"])
    estimated = v["birth_date_estimated"].lower()
    if estimated not in _TRUE and estimated not in _FALSE:
        raise BadValue("birth_date_estimated", f"{v['birth_date_estimated']!r} is not true or false")
    nationality = v["nationality"]
    if nationality and not _CODE.match(nationality):
        raise BadValue("nationality", f"{nationality!r} is not an ISO 3166 alpha-2 or alpha-3 code")
    return LinkRecord(
        record_id,
        v["given_names"],
        v["family_names"],
        v["full_name"],
        v["name_original_script"],
        sex,
        v["birth_date"],
        estimated in _TRUE,
        nationality_code(nationality),
        _languages(v["languages"]),
    )


@functools.lru_cache(maxsize=4096)
def _languages(text: str) -> tuple[str, ...]:
    languages = tuple(x.strip().lower() for x in text.split(";") if x.strip())
    if any(not _LANGUAGE.match(x) for x in languages):
        raise BadValue("languages", f"{text!r} is not ISO 639 codes separated by ';'")
    return languages


@functools.lru_cache(maxsize=65536)
def birth_range(birth_date: str, estimated: bool) -> namematch.Birth | None:
    """The date of birth as a range of years: exact only when a full date is not estimated and not
    an assigned 1 January; a year or a year and month alone is that year."""
    parsed = parse_date(birth_date)
    if parsed is None:
        return None
    year, month, day = parsed
    if month is None or day is None:
        return namematch.Birth(year - 1, year + 1) if estimated else namematch.Birth(year, year)
    return namematch.birth_of(dt.date(year, month, day), estimated=estimated)


@functools.lru_cache(maxsize=65536)
def _forms(text: str) -> frozenset[str]:
    """``names.name_forms`` of one name string, cached (a caseload repeats its names)."""
    return frozenset(names.name_forms(text))


@functools.lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(names.tokens(text))


@functools.lru_cache(maxsize=65536)
def _skeleton_phonetic(skel: str) -> str:
    return names.phonetic(skel)


@functools.lru_cache(maxsize=65536)
def _latin(text: str) -> tuple[str, ...]:
    return tuple(names.transliterate(text).split())


def _latin_of(given_text: str, other_text: str) -> tuple[str, ...]:
    """The Latin tokens of ``transliterate(f"{given_text} {other_text}")``, from each part's
    (cached): normalisation, case folding and transliteration never join across a space."""
    return _latin(given_text) + _latin(other_text)


@functools.lru_cache(maxsize=65536)
def _joined(text: str) -> str:
    """The skeleton of a name written as one word (Habib Ullah / Habibullah -> 'hbbl')."""
    return names.skeleton("".join(names.tokens(text)))


def _parts(rec: LinkRecord) -> tuple[str, str]:
    """(given names, other names) as written: ``full_name`` is split at its first token."""
    if rec.given_names or rec.family_names:
        return rec.given_names, rec.family_names
    toks = _tokens(rec.full_name)
    return (toks[0], " ".join(toks[1:])) if toks else ("", "")


@functools.lru_cache(maxsize=65536)
def _last_unit(text: str) -> str:
    units = names.query_units(text)
    return units[-1][0] if units else ""


@functools.lru_cache(maxsize=200_000)
def _name_columns(
    given_names: str, family_names: str, full_name: str, original_script: str
) -> dict[str, Any]:
    """The name columns of ``prepare``; cached, since many children share their names."""
    rec = LinkRecord("", given_names, family_names, full_name, original_script)
    given_text, other_text = _parts(rec)
    original = _tokens(original_script)
    given_original = names.skeleton(original[0]) if original else ""
    given = _joined(given_text) or given_original
    # Forms of the given names (and their joins) are not evidence on the other names.
    given_forms = _forms(given_text) | {given}
    others = set(_forms(other_text))
    if len(original) > 1:
        others |= _forms(" ".join(original[1:]))
    others -= given_forms
    forms = sorted((given_forms | others | _forms(original_script)) - {""})
    last = _last_unit(other_text) or _last_unit(given_text)
    # The transliteration of "given other" is that of each part: both are cached per string.
    latin = " ".join(sorted(_latin_of(given_text, other_text)))
    sorted_others = sorted(others)
    return {
        "given_skel": given or None,
        "given_phon": _skeleton_phonetic(given) or None,
        "given_orig": given_original or None,
        "given_initial": given[:1] or None,
        "last_phon": _skeleton_phonetic(last) or None,
        "other_skels": sorted_others or None,
        "other_phons": sorted({_skeleton_phonetic(f) for f in sorted_others}) or None,
        "first_other": sorted_others[0] if sorted_others else None,
        "forms": forms or None,
        "name_latin": latin or None,
        "original_script": names.normalise(original_script) or None,
    }


def _unit(alternatives: list[str]) -> str:
    """One name unit's canonical skeleton: without a joined particle (al-Mubzisi / Elmubzisi ->
    'mbzs', Abdul Rahman / Abderrahmane -> 'rhmn')."""
    return min(alternatives, key=lambda a: (len(a), a))


@functools.lru_cache(maxsize=200_000)
def _unit_columns(
    given_names: str, family_names: str, full_name: str, original_script: str
) -> dict[str, Any]:
    """Order-free name evidence (v2): the phonetic code of the given name (written as one word) and
    of every unit of the other names — in Latin when the record has Latin names, else in the
    original script — so that names written in another order still agree unit by unit."""
    rec = LinkRecord("", given_names, family_names, full_name, original_script)
    given_text, other_text = _parts(rec)
    phons: set[str] = set()
    given = ""
    if given_text or other_text:
        # The given name is one unit: without a joined particle when it is one word (Elmubzisi
        # written first is al-Mubzisi), joined when it is several (Habib Ullah).
        given_units = names.query_units(given_text)
        given = _unit(given_units[0]) if len(given_units) == 1 else _joined(given_text)
        if given:
            phons.add(names.phonetic(given))
        phons |= {names.phonetic(_unit(u)) for u in names.query_units(other_text)}
    else:
        script_units = names.query_units(original_script)
        given = _unit(script_units[0]) if script_units else ""
        phons |= {names.phonetic(_unit(u)) for u in script_units}
    return {
        "given_unit": names.phonetic(given) or None,
        "unit_phons": sorted(p for p in phons if p) or None,
    }


def prepare(rec: LinkRecord, source: str = "") -> dict[str, Any]:
    """The flat row the linkage model compares (see the module docstring)."""
    birth = birth_range(rec.birth_date, rec.birth_date_estimated)
    return {
        "unique_id": rec.record_id,
        "source_dataset": source,
        **_name_columns(rec.given_names, rec.family_names, rec.full_name, rec.name_original_script),
        **_unit_columns(rec.given_names, rec.family_names, rec.full_name, rec.name_original_script),
        "birth_low": birth.low if birth else None,
        "birth_high": birth.high if birth else None,
        "birth_exact": birth.exact.isoformat() if birth and birth.exact else None,
        "sex": rec.sex if rec.sex in ("F", "M") else None,
        "nationality": rec.nationality or None,
        "nationality_near": sorted(namematch.confused_with(rec.nationality)) or None,
    }


class CsvError(ValueError):
    """Malformed input: names the file, the line (1 is the header) and the column."""

    def __init__(self, file: str, line: int, column: str, message: str) -> None:
        super().__init__(f"{file}, line {line}, column {column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message


@dataclass(frozen=True)
class CsvRecords:
    records: tuple[LinkRecord, ...]
    ignored_columns: tuple[str, ...]  # columns outside the contract, ignored


def read_csv(data: bytes, file: str) -> CsvRecords:
    """The records of one CSV file of the contract (UTF-8, a header line). Refuses the whole file
    on the first malformed value, naming ``file``, the line and the column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The first undecodable byte: its line, and the field it falls in as the column.
        number = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        field = data[line_start : exc.start].count(b",") + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
        column = header[field - 1].strip() if field <= len(header) else f"field {field}"
        raise CsvError(file, number, column, "unreadable encoding (the file must be UTF-8)") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvError(file, 1, "record_id", "the file is empty (a header line is required)") from None
    if "record_id" not in header:
        raise CsvError(file, 1, "record_id", "the header has no record_id column")
    ignored = tuple(h for h in header if h not in COLUMNS)
    seen: dict[str, int] = {}
    records: list[LinkRecord] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise CsvError(
                    file, line, header[-1], f"{len(fields)} fields where the header has {len(header)}"
                )
            try:
                rec = parse_row(dict(zip(header, fields, strict=True)))
            except BadValue as exc:
                raise CsvError(file, line, exc.column, exc.message) from exc
            if rec.record_id in seen:
                raise CsvError(
                    file,
                    line,
                    "record_id",
                    f"{rec.record_id!r} is already used on line {seen[rec.record_id]}",
                )
            seen[rec.record_id] = line
            records.append(rec)
    except csv.Error as exc:
        raise CsvError(file, reader.line_num, "?", f"not CSV: {exc}") from exc
    return CsvRecords(tuple(records), ignored)
