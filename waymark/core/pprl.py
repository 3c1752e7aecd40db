"""Privacy-preserving record linkage: keyed Bloom-filter encodings of a child's identity, Dice
similarity, a fast comparison kernel, and one-to-one linkage of two CSV files. Pure, no Django.

Each node encodes its records locally under a key shared by the partners of an agreement
(``PprlKey``); only encodings and scores cross a border. An encoding is one 1024-bit filter per
record (a *cryptographic long-term key*, CLK): every token of the record — field-tagged q-grams of
its transliterated names and of their consonant skeletons (``core/names.py``), the whole
skeletons and their phonetic codes, the year, month and day of birth as separate tokens (month and
day dropped when the date is estimated or an assigned 1 January), sex and nationality — sets
``HASHES[tag]`` bits chosen by HMAC-SHA256 under the key. Bit positions are read straight from
the HMAC output ("random hashing"), not by double hashing, which has a published attack.

Encodings are pseudonymised personal data, not anonymous: see docs/matching.md, "Threat model".
Bump ``ENCODING_VERSION`` whenever a token, a tag or a weight changes: encodings of different
versions (or keys) never compare, and the version is part of every HMAC input.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import names
from .namematch import CONFUSED_NATIONALITIES

ENCODING_VERSION = 3  # 2: the weights of HASHES retuned (linkage-quality work); 3: names v4 skeletons
FILTER_BITS = 1024  # a power of two: positions are 10-bit slices of the HMAC output
FILTER_BYTES = FILTER_BITS // 8
FILTER_WORDS = FILTER_BITS // 64
_POSITIONS_PER_DIGEST = 16  # 32 bytes of HMAC-SHA256 = 16 two-byte positions

# Bits set per token, by tag: the field weights. Whole skeletons carry the most (a name agreeing
# across scripts), bigrams give partial credit for a spelling variant, dates and sex little each.
# Version 2 (tuned on the synthetic set with hundreds of names per origin, seed 12, and checked on
# seed 99): more weight on the bigrams and on sex, less on the phonetic code, the whole skeleton
# and the year — PPRL F1 0.839 -> 0.859 (seed 12) and 0.847 -> 0.858 (seed 99) at 2,000 children.
HASHES: Mapping[str, int] = {
    "S": 10,  # a whole name form's consonant skeleton (names.name_forms)
    "s2": 8,  # padded bigrams of a skeleton
    "P": 4,  # a skeleton's phonetic code (d/t, z/s, g/k folded)
    "t2": 4,  # padded bigrams of a transliterated token (vowels kept when the file wrote them)
    "y": 10,  # year of birth
    "yn": 6,  # year of birth, and the years either side (an assigned date is often a year off)
    "m": 6,  # month of birth (exact dates only)
    "d": 6,  # day of birth (exact dates only)
    "x": 8,  # sex (F / M): a brother and a sister share every other name
    "n": 3,  # nationality (ISO 3166 alpha-2)
    "ng": 3,  # a group of nationalities files confuse (ER / ET...)
}
assert all(k <= _POSITIONS_PER_DIGEST for k in HASHES.values())
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class PprlKey:
    """The secret the partners of an agreement share, and its id (the rotation handle: a new id,
    every record re-encoded; a query under another id is refused, never compared)."""

    key_id: str
    secret: bytes

    def __post_init__(self) -> None:
        if not _KEY_ID.match(self.key_id):
            raise ValueError("key_id: 1-64 letters, digits, '.', '_' or '-'")
        if len(self.secret) < MIN_KEY_BYTES:
            raise ValueError(f"secret: at least {MIN_KEY_BYTES} random bytes")

    def fingerprint(self) -> str:
        """A short value partners compare to check they hold the same secret (reveals nothing)."""
        return hmac.digest(self.secret, b"waymark-pprl-fingerprint", "sha256")[:8].hex()

    def __repr__(self) -> str:  # never print the secret
        return f"PprlKey({self.key_id!r}, fingerprint={self.fingerprint()})"


@dataclass(frozen=True)
class Identity:
    """What is encoded of one record. ``birth_month`` / ``birth_day`` are None when the file did
    not give them; ``birth_estimated`` drops them from the encoding."""

    names: tuple[str, ...]
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    birth_estimated: bool = False
    sex: str = ""  # "F", "M" or "" (anything else is not encoded)
    nationality: str = ""  # ISO 3166 alpha-2


def _bigrams(text: str) -> list[str]:
    padded = f"_{text}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def tokens(identity: Identity) -> list[tuple[str, str]]:
    """The (tag, token) pairs of a record, duplicates removed, in a stable order."""
    out: dict[tuple[str, str], None] = {}
    for text in identity.names:
        if not text or not text.strip():
            continue
        for form in names.name_forms(text):
            out[("S", form)] = None
            out[("P", names.phonetic(form))] = None
            for gram in _bigrams(form):
                out[("s2", gram)] = None
        for tok in names.tokens(text):
            latin = "".join(ch for ch in names.transliterate(tok) if ch.isalpha())
            if latin and not names.is_particle(tok):
                for gram in _bigrams(latin):
                    out[("t2", gram)] = None
    year = identity.birth_year
    if year is not None:
        out[("y", str(year))] = None
        for near in (year - 1, year, year + 1):
            out[("yn", str(near))] = None
        assigned = (identity.birth_month, identity.birth_day) == (1, 1)
        if not identity.birth_estimated and not assigned and identity.birth_month is not None:
            out[("m", str(identity.birth_month))] = None
            if identity.birth_day is not None:
                out[("d", str(identity.birth_day))] = None
    if identity.sex in ("F", "M"):
        out[("x", identity.sex)] = None
    nat = identity.nationality.upper()
    if nat:
        out[("n", nat)] = None
        for i, group in enumerate(CONFUSED_NATIONALITIES):
            if nat in group:
                out[("ng", str(i))] = None
    return list(out)


def _positions(secret: bytes, tag: str, token: str) -> list[int]:
    digest = hmac.digest(secret, f"v{ENCODING_VERSION}\x1f{tag}\x1f{token}".encode(), "sha256")
    k = HASHES[tag]
    return [int.from_bytes(digest[2 * i : 2 * i + 2], "little") % FILTER_BITS for i in range(k)]


def encode(identity: Identity, key: PprlKey) -> bytes:
    """The record's filter, ``FILTER_BYTES`` bytes; bit ``i`` is bit ``i % 8`` of byte ``i // 8``."""
    bits = bytearray(FILTER_BYTES)
    for tag, token in tokens(identity):
        for pos in _positions(key.secret, tag, token):
            bits[pos >> 3] |= 1 << (pos & 7)
    return bytes(bits)


def pack(filters: Sequence[bytes]) -> npt.NDArray[np.uint64]:
    """Filters as an ``(n, FILTER_WORDS)`` array of little-endian 64-bit words (the kernel's input)."""
    if any(len(f) != FILTER_BYTES for f in filters):
        raise ValueError(f"every filter must be {FILTER_BYTES} bytes")
    raw = np.frombuffer(b"".join(filters), dtype="<u8") if filters else np.empty(0, dtype="<u8")
    return raw.reshape(len(filters), FILTER_WORDS).astype(np.uint64)


def dice(a: bytes, b: bytes) -> float:
    """Dice similarity of two filters, 2|A∩B| / (|A| + |B|); 0 when both are empty (reference)."""
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    total = x.bit_count() + y.bit_count()
    return 0.0 if total == 0 else 2 * (x & y).bit_count() / total


# The comparison kernel is compiled with numba in ``pprl_kernel``, imported on first use: numba
# costs a process about 65 MiB and 0.2 s to import, which a web or dispatcher process that never
# compares filters need not pay.


def popcounts(filters: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
    from . import pprl_kernel

    return pprl_kernel.counts(np.ascontiguousarray(filters, dtype=np.uint64))


def dice_matrix(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.float32]:
    """Dice of every filter of ``a`` against every filter of ``b`` (packed by ``pack``), on all cores."""
    from . import pprl_kernel

    a, b = np.ascontiguousarray(a, dtype=np.uint64), np.ascontiguousarray(b, dtype=np.uint64)
    return pprl_kernel.dice_matrix(a, popcounts(a), b, popcounts(b))


def dice_matrix_numpy(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.float32]:
    """The same with numpy's ``bitwise_count`` (the baseline the benchmark compares against)."""
    ca = np.bitwise_count(a).sum(axis=1, dtype=np.int32)
    cb = np.bitwise_count(b).sum(axis=1, dtype=np.int32)
    out = np.empty((a.shape[0], b.shape[0]), dtype=np.float32)
    for i in range(a.shape[0]):
        inter = np.bitwise_count(b & a[i]).sum(axis=1, dtype=np.int32)
        total = ca[i] + cb
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = np.where(total == 0, 0.0, 2.0 * inter / total)
    return out


def top_candidates(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64], threshold: float, k: int = 5
) -> list[list[tuple[int, float]]]:
    """For each filter of ``a``, up to ``k`` (index in ``b``, Dice) at or above ``threshold``,
    best first. Memory is ``len(a) × k``, whatever ``len(b)``."""
    a, b = np.ascontiguousarray(a, dtype=np.uint64), np.ascontiguousarray(b, dtype=np.uint64)
    if a.shape[1:] != (FILTER_WORDS,) or b.shape[1:] != (FILTER_WORDS,):
        raise ValueError(f"filters must be packed as {FILTER_WORDS} words (pack)")
    idx = np.empty((a.shape[0], k), dtype=np.int64)
    score = np.empty((a.shape[0], k), dtype=np.float32)
    if a.shape[0] and b.shape[0]:
        from . import pprl_kernel

        pprl_kernel.top_k(a, popcounts(a), b, popcounts(b), float(np.float32(threshold)), idx, score)
    else:
        idx.fill(-1)
    out: list[list[tuple[int, float]]] = []
    for i in range(a.shape[0]):
        row = [(int(j), round(float(s), 6)) for j, s in zip(idx[i], score[i], strict=True) if j >= 0]
        out.append(sorted(row, key=lambda p: (-p[1], p[0])))
    return out


def one_to_one(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Greedy one-to-one assignment: the best-scoring pair first, each record used once (a child is
    one person: siblings and twins are not chained). Sorted by score, then ids."""
    ordered = sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    used_left: set[str] = set()
    used_right: set[str] = set()
    out: list[tuple[str, str, float]] = []
    for left, right, score in ordered:
        if left in used_left or right in used_right:
            continue
        used_left.add(left)
        used_right.add(right)
        out.append((left, right, score))
    return out


# --- the link_records CSV contract -----------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_NAME_COLUMNS = ("given_names", "family_names", "full_name", "name_original_script")


class RowError(ValueError):
    """A row that does not follow the CSV contract; says which record and which column."""

    def __init__(self, record: str, column: str, message: str) -> None:
        super().__init__(f"record {record!r}, column {column}: {message}")
        self.record = record
        self.column = column


def identity_from_row(row: Mapping[str, str]) -> Identity:
    """One row of the link_records contract as an ``Identity``; ``RowError`` on bad input."""
    rid = (row.get("record_id") or "").strip()
    if not rid:
        raise RowError("", "record_id", "required")
    texts = tuple((row.get(c) or "").strip() for c in _NAME_COLUMNS)
    if not any(texts):
        raise RowError(rid, "given_names", "at least one name column must be filled")
    year = month = day = None
    raw_date = (row.get("birth_date") or "").strip()
    if raw_date:
        found = _DATE.match(raw_date)
        if found is None:
            raise RowError(rid, "birth_date", f"{raw_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(found.group(1))
        month = int(found.group(2)) if found.group(2) else None
        day = int(found.group(3)) if found.group(3) else None
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError as exc:
            raise RowError(rid, "birth_date", f"{raw_date!r} is not a date") from exc
    flag = (row.get("birth_date_estimated") or "").strip().lower()
    if flag not in ("", "true", "false"):
        raise RowError(rid, "birth_date_estimated", f"{flag!r} is not true or false")
    sex = (row.get("sex") or "").strip().upper()
    if sex not in ("", "F", "M", "X"):
        raise RowError(rid, "sex", f"{sex!r} is not F, M, X or empty")
    nationality = (row.get("nationality") or "").strip().upper()
    return Identity(
        names=texts,
        birth_year=year,
        birth_month=month,
        birth_day=day,
        birth_estimated=flag == "true",
        sex=sex,
        nationality=_ALPHA3.get(nationality, nationality) if len(nationality) == 3 else nationality,
    )


# The alpha-3 codes of the countries children in migration most often come from (the contract
# accepts alpha-2 or alpha-3; an alpha-3 code not here is encoded as given).
_ALPHA3 = {
    "AFG": "AF", "DZA": "DZ", "BGD": "BD", "TCD": "TD", "CIV": "CI", "DJI": "DJ", "EGY": "EG",
    "ERI": "ER", "ETH": "ET", "GMB": "GM", "GIN": "GN", "IRN": "IR", "IRQ": "IQ", "JOR": "JO",
    "KEN": "KE", "LBN": "LB", "LBY": "LY", "MLI": "ML", "MAR": "MA", "NGA": "NG", "PAK": "PK",
    "PSE": "PS", "SEN": "SN", "SOM": "SO", "SSD": "SS", "SDN": "SD", "SYR": "SY", "TUN": "TN",
    "TUR": "TR", "UKR": "UA", "VNM": "VN", "ALB": "AL",
}  # fmt: skip


def encode_rows(rows: Sequence[Mapping[str, str]], key: PprlKey) -> tuple[list[str], npt.NDArray[np.uint64]]:
    """The record ids and the packed filters of CSV-contract rows (``RowError`` on bad input,
    duplicate ids included)."""
    ids: list[str] = []
    seen: set[str] = set()
    filters: list[bytes] = []
    for row in rows:
        identity = identity_from_row(row)
        rid = row["record_id"].strip()
        if rid in seen:
            raise RowError(rid, "record_id", "appears twice")
        seen.add(rid)
        ids.append(rid)
        filters.append(encode(identity, key))
    return ids, pack(filters)


# Below this Dice two records are never proposed (the benchmark's best-F1 threshold on the
# synthetic cross-border set is a little above; see docs/matching.md).
DEFAULT_THRESHOLD = 0.7


def link_csv_rows(
    left: list[dict[str, str]], right: list[dict[str, str]], key: bytes, threshold: float
) -> list[tuple[str, str, float]]:
    """Link two files of the link_records CSV contract by their encodings only: one-to-one pairs
    ``(left_id, right_id, score)`` with ``score`` the Dice similarity in [0, 1] (≥ ``threshold``),
    best first. ``RowError`` names the record and column of malformed input."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0, 1]")
    pkey = PprlKey("batch", key)
    left_ids, a = encode_rows(left, pkey)
    right_ids, b = encode_rows(right, pkey)
    pairs = [
        (left_ids[i], right_ids[j], score)
        for i, row in enumerate(top_candidates(a, b, threshold, k=5))
        for j, score in row
    ]
    return one_to_one(pairs)
