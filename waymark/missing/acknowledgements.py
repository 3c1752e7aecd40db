"""Who has acknowledged which alert, per case on the Missing-now board: for each organisation
alerted, the machine's acknowledgement (its node's signed receipt) and the human one (a person
there marked it seen, against the seen clock).

The alerts are the exchange's, a layer above this app: the exchange plugs its source in when it
is ready (``provide``); without one there is nothing to show. A source answers for a whole page
of cases at once, in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from waymark.core.clocks import Clock


@dataclass(frozen=True)
class Acknowledgement:
    organisation: str  # the recipient's federation identifier
    organisation_name: str
    status: str  # the alert's state (alerted, found)
    sent_at: dt.datetime
    receipt: str  # the node's signed receipt: receipted, rejected, or "" (not back yet)
    received_at: dt.datetime | None
    seen_at: dt.datetime | None  # a person there read it
    seen_clock: Clock  # running until seen (met then)


# case pk -> the acknowledgements of the open alerts about that case
Source = Callable[[Sequence[int]], Mapping[int, list[Acknowledgement]]]

_source: list[Source] = []


def provide(source: Source) -> None:
    """Set where the acknowledgements come from (the exchange, once its app is ready)."""
    _source[:] = [source]


def for_cases(case_ids: Sequence[int]) -> Mapping[int, list[Acknowledgement]]:
    if not _source or not case_ids:
        return {}
    return _source[0](case_ids)
