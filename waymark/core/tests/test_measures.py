"""Published figures: below five (but not zero) a count is suppressed, and so is a median."""

from __future__ import annotations

from waymark.core.measures import row, shown_count, shown_median


def test_counts_from_one_to_four_are_suppressed_zero_and_five_are_shown():
    assert [shown_count(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]


def test_a_median_of_fewer_than_five_is_suppressed():
    assert shown_median([1, 2, 3, 4]) is None
    assert shown_median([1, 2, 3, 4, 50]) == 3


def test_a_category_row_suppresses_each_figure_on_its_own():
    r = row("runaway", hours_to_report=[1, 2, 3, 4, 5, 6], days_to_found=[1, 2, 3, 4, 5, 40, 200])
    assert (r.reported, r.median_hours_to_report) == (6, 3.5)
    assert (r.found_7, r.found_30, r.found_365) == (5, 5, 7)
    small = row("criminal_abduction", hours_to_report=[2, 3], days_to_found=[1])
    assert (small.reported, small.median_hours_to_report, small.found_7, small.found_365) == (
        None,
        None,
        None,
        None,
    )
