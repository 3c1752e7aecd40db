"""Published figures that cannot single out a child: a count below ``THRESHOLD`` (but above
zero) is suppressed, and so is any figure computed from fewer than ``THRESHOLD`` children
(a median time). Pure: the app counts, this decides what may be shown."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5


def shown_count(n: int, threshold: int = THRESHOLD) -> int | None:
    """``n``, or ``None`` ("fewer than threshold") when 0 < n < threshold."""
    return None if 0 < n < threshold else n


def shown_median(values: Sequence[float], threshold: int = THRESHOLD) -> float | None:
    """The median, or ``None`` when fewer than ``threshold`` values make it."""
    return statistics.median(values) if len(values) >= threshold else None


@dataclass(frozen=True)
class Row:
    """One line of the measures: a 116 000 category and its figures (None = suppressed)."""

    category: str
    reported: int | None
    median_hours_to_report: float | None
    found_7: int | None
    found_30: int | None
    found_365: int | None


def row(
    category: str,
    hours_to_report: Sequence[float],
    days_to_found: Sequence[float],
    threshold: int = THRESHOLD,
) -> Row:
    """The figures of one category from each report's delay (last seen -> reported, hours) and
    each found child's time (last seen -> found, days), suppressed below ``threshold``."""

    def within(days: int) -> int | None:
        return shown_count(sum(1 for d in days_to_found if d <= days), threshold)

    return Row(
        category=category,
        reported=shown_count(len(hours_to_report), threshold),
        median_hours_to_report=shown_median(hours_to_report, threshold),
        found_7=within(7),
        found_30=within(30),
        found_365=within(365),
    )
