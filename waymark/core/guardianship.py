"""How long an unaccompanied child may wait for a guardian: the limit per country as data
(``core/data/guardian_appointment.toml``, each row citing its law and how sure we are of it),
counted in working days, as a ``Clock`` started when the child is registered as unaccompanied.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from waymark.core.clocks import GUARDIAN_APPOINTMENT, Clock, day_deadline
from waymark.core.deadlines import RulesError, Status

LIMITS_FILE = Path(__file__).parent / "data" / "guardian_appointment.toml"
_COUNTRY = re.compile(r"^(EU|[A-Z]{2})$")


@dataclass(frozen=True)
class AppointmentLimit:
    country: str
    working_days: int
    law: str
    status: Status
    source: str
    note: str = ""


def add_working_days(start: dt.date, n: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The ``n``-th working day after ``start`` (the day of the event not counted; Saturdays,
    Sundays and ``holidays`` skipped: Reg. 1182/71 Art. 3(1) and 3(3))."""
    if n < 1:
        raise ValueError(f"a number of working days must be at least 1, got {n}")
    off = frozenset(holidays)
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            n -= 1
    return day


def parse_limits(text: str) -> Mapping[str, AppointmentLimit]:
    """The limits by country from TOML ``text``; RulesError naming every problem (refused whole)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"not valid TOML: {exc}"]) from exc
    problems = [f"unknown table {name!r}" for name in sorted(set(data) - {"limit"})]
    limits: dict[str, AppointmentLimit] = {}
    for i, row in enumerate(data.get("limit", [])):
        where = f"limit #{i + 1}"
        country, days = row.get("country"), row.get("working_days")
        if not isinstance(country, str) or not _COUNTRY.match(country):
            problems.append(f"{where}: country must be 'EU' or an ISO 3166-1 alpha-2 code, got {country!r}")
            continue
        if country in limits:
            problems.append(f"{where}: duplicate country {country!r}")
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            problems.append(f"{where}: working_days must be a whole number >= 1, got {days!r}")
            continue
        try:
            status = Status(str(row.get("status")))
        except ValueError:
            problems.append(f"{where}: unknown status {row.get('status')!r}")
            continue
        law, source = row.get("law"), row.get("source")
        if not isinstance(law, str) or not law or not isinstance(source, str) or not source:
            problems.append(f"{where}: 'law' and 'source' are required")
            continue
        limits[country] = AppointmentLimit(country, days, law, status, source, str(row.get("note", "")))
    if "EU" not in limits:
        problems.append("an 'EU' row is needed: the limit for a country without its own")
    if problems:
        raise RulesError(problems)
    return limits


def load_limits(path: Path = LIMITS_FILE) -> Mapping[str, AppointmentLimit]:
    return parse_limits(path.read_text(encoding="utf-8"))


LIMITS = load_limits()


def limit_for(country: str, limits: Mapping[str, AppointmentLimit] = LIMITS) -> AppointmentLimit:
    return limits.get(country, limits["EU"])


def appointment_clock(
    registered_at: dt.datetime,
    country: str,
    tz: dt.tzinfo,
    *,
    appointed_at: dt.datetime | None = None,
    holidays: Iterable[dt.date] = (),
    limits: Mapping[str, AppointmentLimit] = LIMITS,
) -> Clock:
    """The guardian-appointment clock of a child registered as unaccompanied at ``registered_at``
    in ``country``: due at the end of the limit's last working day in ``tz``; met once appointed."""
    limit = limit_for(country, limits)
    last = add_working_days(registered_at.astimezone(tz).date(), limit.working_days, holidays)
    clock = GUARDIAN_APPOINTMENT.until(day_deadline(last, tz), started_at=registered_at)
    return clock.met(appointed_at) if appointed_at is not None else clock
