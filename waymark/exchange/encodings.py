"""This node's side of privacy-preserving matching: the keys it shares with partners under each
agreement, a child's encoding, and the candidates an encoding finds among an organisation's cases.

Keys are node configuration (``WAYMARK_PPRL_KEY_FILE``), never in the repository or the database.
Encodings of local children are computed when a query needs them and kept in this process only
(keyed by the key id and a digest of what was encoded, so a renamed child or a rotated key is
re-encoded): they are pseudonymised personal data and are not stored at rest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from dataclasses import dataclass

from django.conf import settings

from waymark.cases.models import Case, Child
from waymark.core import pprl
from waymark.vocab import CaseStatus, DatePrecision, Sex


class KeyConfigError(Exception):
    """The key file is unreadable or malformed (its path and the problem, never the secret)."""


def load_keys() -> dict[str, list[pprl.PprlKey]]:
    """Every agreement's keys, oldest first; {} when the node has no key file."""
    path = settings.WAYMARK_PPRL_KEY_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise KeyConfigError(f"{path}: must be an object of agreement id -> list of keys")
        return {
            str(agreement): [
                pprl.PprlKey(str(k["key_id"]), base64.b64decode(k["secret"], validate=True)) for k in keys
            ]
            for agreement, keys in raw.items()
        }
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        # ValueError covers bad JSON, bad base64 and a short secret; the message names no secret.
        raise KeyConfigError(f"{path}: {type(exc).__name__}: {str(exc)[:120]}") from exc


def current_key(agreement_id: str) -> pprl.PprlKey | None:
    """The key this node encodes with under ``agreement_id`` (the last listed), if any."""
    keys = load_keys().get(agreement_id, [])
    return keys[-1] if keys else None


def _year_month_day(child: Child) -> tuple[int | None, int | None, int | None, bool]:
    if child.birth_date_precision == DatePrecision.ESTIMATED or child.birth_date is None:
        if child.assessed_age_min is not None and child.assessed_age_max is not None and child.assessed_on:
            mid = (child.assessed_age_min + child.assessed_age_max + 1) // 2
            return child.assessed_on.year - mid, None, None, True
        if child.birth_date is None:
            return None, None, None, False
        return child.birth_date.year, None, None, True
    d = child.birth_date
    if child.birth_date_precision == DatePrecision.YEAR:
        return d.year, None, None, False
    if child.birth_date_precision == DatePrecision.YEAR_MONTH:
        return d.year, d.month, None, False
    return d.year, d.month, d.day, False


def identity_of(child: Child) -> pprl.Identity:
    """What is encoded of a child: every name it is known by, the date of birth as precise as it
    is, sex and nationality."""
    names = [n.full_name for n in child.names.all()] or []
    names += [child.full_name, child.name_latin]
    year, month, day, estimated = _year_month_day(child)
    sex = {Sex.FEMALE: "F", Sex.MALE: "M"}.get(Sex(child.sex), "") if child.sex else ""
    return pprl.Identity(
        names=tuple(dict.fromkeys(n for n in names if n)),
        birth_year=year,
        birth_month=month,
        birth_day=day,
        birth_estimated=estimated,
        sex=sex,
        nationality=child.nationality,
    )


def _digest(identity: pprl.Identity) -> str:
    return hashlib.sha256(repr(identity).encode()).hexdigest()


@dataclass
class _Cache:
    lock: threading.Lock
    entries: dict[tuple[str, int], tuple[str, bytes]]


_CACHE = _Cache(threading.Lock(), {})
_CACHE_MAX = 500_000


def encoding_of(child: Child, key: pprl.PprlKey) -> bytes:
    identity = identity_of(child)
    digest = _digest(identity)
    cache_key = (key.key_id + key.fingerprint(), child.pk)
    with _CACHE.lock:
        hit = _CACHE.entries.get(cache_key)
    if hit is not None and hit[0] == digest:
        return hit[1]
    encoded = pprl.encode(identity, key)
    with _CACHE.lock:
        if len(_CACHE.entries) >= _CACHE_MAX:
            _CACHE.entries.clear()
        _CACHE.entries[cache_key] = (digest, encoded)
    return encoded


def forget_cache() -> None:
    with _CACHE.lock:
        _CACHE.entries.clear()


# The cases a query is compared with: the organisation's children still in its care.
SEARCHED_STATUSES = (CaseStatus.OPEN, CaseStatus.MISSING, CaseStatus.FOUND)


def candidates(
    org_slug: str, encoded: bytes, key: pprl.PprlKey, *, threshold: float, limit: int
) -> list[tuple[Case, float]]:
    """The organisation's cases whose child's encoding scores at least ``threshold`` against
    ``encoded``, best first, at most ``limit``."""
    cases = list(
        Case.objects.filter(organisation__slug=org_slug, status__in=SEARCHED_STATUSES)
        .select_related("child")
        .prefetch_related("child__names")
        .order_by("pk")
    )
    if not cases:
        return []
    filters = pprl.pack([encoding_of(c.child, key) for c in cases])
    (row,) = pprl.top_candidates(pprl.pack([encoded]), filters, threshold, k=limit)
    return [(cases[j], score) for j, score in row]
