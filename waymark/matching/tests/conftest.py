"""The exchange's fixtures (three nodes in this database, a fake transport, a shared matching key)
for the review of candidates partners return."""

from __future__ import annotations

from waymark.exchange.tests.conftest import (  # noqa: F401
    _fresh_unsigned_window,
    _isolated_keys,
    federation,
    wire,
)
from waymark.exchange.tests.pprl_fixtures import matching_federation, pprl_keys  # noqa: F401
