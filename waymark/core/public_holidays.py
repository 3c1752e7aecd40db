"""The national public holidays of a Member State, for the deadline engine (``core.deadlines``):
where a period's last day is a public holiday, Saturday or Sunday it ends with the following
working day (Reg. 1182/71 Art. 3(4), applied to the AMMR; docs/deadlines.md), and the holidays
are those of the Member State that must act (Art. 2(1): "the public holidays ... of the Member
State ... in which an action is to be taken").

The calendars come from the ``holidays`` package (national public holidays only: no regional
ones, which differ within a State; the package's ``public`` category). A country it does not know
has no holidays here: the deadline is then computed on weekends alone, never later than the law
allows by Waymark's doing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import holidays


@functools.lru_cache(maxsize=512)
def _of_year(country: str, year: int) -> frozenset[dt.date]:
    try:
        found = holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:  # a country the package has no calendar for
        return frozenset()
    except (ValueError, OverflowError):  # a year outside the calendar's range (e.g. past 9999)
        return frozenset()
    return frozenset(found.keys())


def national_holidays(country: str, years: Iterable[int]) -> frozenset[dt.date]:
    """The national public holidays of ``country`` (ISO 3166-1 alpha-2) in ``years``."""
    out: set[dt.date] = set()
    for year in years:
        out |= _of_year(country, year)
    return frozenset(out)


def has_calendar(country: str) -> bool:
    """Does Waymark know ``country``'s public holidays?"""
    return country.upper() in holidays.list_supported_countries()
