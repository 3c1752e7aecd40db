"""Measures of the missing-child response, per 116 000 category, for one organisation: time from
last seen to report, found within 7 / 30 / 365 days — aggregates only, counts below five
suppressed (``core.measures``), as a server-rendered SVG bar chart and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from waymark.accounts.models import Organisation
from waymark.core.measures import THRESHOLD, Row, row
from waymark.vocab import DisappearanceOutcome, MissingCategory

from .models import Disappearance

CSV_HEADER = [
    "missing_category",
    "reported",
    "median_hours_last_seen_to_report",
    "found_within_7_days",
    "found_within_30_days",
    "found_within_365_days",
]


def measures(org: Organisation) -> list[Row]:
    """One row per 116 000 category, from this organisation's disappearances (open and closed)."""
    delays: dict[str, list[float]] = {c: [] for c in MissingCategory.values}
    found: dict[str, list[float]] = {c: [] for c in MissingCategory.values}
    rows = Disappearance.objects.filter(case__organisation=org).values_list(
        "missing_category", "last_seen_at", "reported_at", "closed_at", "outcome"
    )
    for category, seen, reported, closed, outcome in rows.iterator():
        if category not in delays:
            continue
        delays[category].append(max(0.0, (reported - seen).total_seconds() / 3600))
        if closed is not None and outcome == DisappearanceOutcome.FOUND:
            found[category].append(max(0.0, (closed - seen).total_seconds() / 86400))
    return [row(c, delays[c], found[c]) for c in MissingCategory.values]


def as_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        figures = [r.reported, r.median_hours_to_report, r.found_7, r.found_30, r.found_365]
        writer.writerow(
            [
                r.category,
                *(
                    f"<{THRESHOLD}" if v is None else (round(v, 1) if isinstance(v, float) else v)
                    for v in figures
                ),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    reported_width: int
    found_width: int
    reported: int | None
    found: int | None


CHART_WIDTH = 300
BAR_HEIGHT = 14
ROW_HEIGHT = 40


def bars(rows: list[Row]) -> list[Bar]:
    """Bars for the SVG: reported and found within 30 days per category; a suppressed figure
    draws no bar (its label says "fewer than 5")."""
    top = max([r.reported or 0 for r in rows] + [1])
    return [
        Bar(
            label=str(MissingCategory(r.category).label),
            y=i * ROW_HEIGHT,
            reported_width=round(CHART_WIDTH * (r.reported or 0) / top),
            found_width=round(CHART_WIDTH * (r.found_30 or 0) / top),
            reported=r.reported,
            found=r.found_30,
        )
        for i, r in enumerate(rows)
    ]
