"""Traffic at the inbox that carries no valid signature of a registered node: counted, sampled.

Anyone who can reach the inbox can post bytes. Writing a refusal row and an audit entry for each
would let them fill the log and queue behind the audit head lock that every case read needs, so
such envelopes are counted in this process instead. The first of each window
(``WAYMARK_EXCHANGE_UNSIGNED_WINDOW_SECONDS``) is recorded in full — a refusal row for the
dashboard, an audit entry — and the others only counted; when the window is over, the next
envelope of any kind (a junk one, or a peer's real message) writes one audit entry with the
count, by reason and by claimed sender. A worker killed mid-window loses that window's count.

Signed envelopes are never counted here: each one, accepted or refused, is an audit entry.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings

# Distinct claimed senders kept per window (what a summary can name; the rest are "other").
MAX_NAMED = 20
OTHER = "other"


def window_seconds() -> int:
    return max(1, int(settings.WAYMARK_EXCHANGE_UNSIGNED_WINDOW_SECONDS))


@dataclass
class Window:
    """Refusals counted (not recorded one by one) since ``started``."""

    started: dt.datetime
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    claimed_from: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str, claimed_from: str) -> None:
        self.count += 1
        self.reasons[reason] += 1
        known = claimed_from in self.claimed_from or len(self.claimed_from) < MAX_NAMED
        self.claimed_from[claimed_from if known else OTHER] += 1


@dataclass(frozen=True)
class Noted:
    sample: bool  # record this one in full: it opens a window
    closed: Window | None  # a finished window with a count to write


class Tally:
    """One per process; thread-safe (gthread workers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window: Window | None = None

    def note(self, now: dt.datetime, reason: str, claimed_from: str) -> Noted:
        """Count one unsigned refusal at ``now``."""
        with self._lock:
            if self._window is None or self._over(self._window, now):
                closed = self._window if self._window is not None and self._window.count else None
                self._window = Window(started=now)
                return Noted(sample=True, closed=closed)
            self._window.add(reason, claimed_from)
            return Noted(sample=False, closed=None)

    def due(self, now: dt.datetime) -> Window | None:
        """A finished window with a count, taken (to be written now); None otherwise."""
        with self._lock:
            window = self._window
            if window is None or not self._over(window, now):
                return None
            self._window = None
            return window if window.count else None

    def reset(self) -> None:
        with self._lock:
            self._window = None

    @staticmethod
    def _over(window: Window, now: dt.datetime) -> bool:
        return now - window.started >= dt.timedelta(seconds=window_seconds())


COUNTER = Tally()


def reset() -> None:
    """Forget the current window (tests)."""
    COUNTER.reset()
