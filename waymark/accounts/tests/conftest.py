from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # Lock-out counters and used-code markers live in the cache, which outlives a test's
    # database transaction: start and leave every test with none.
    cache.clear()
    yield
    cache.clear()
