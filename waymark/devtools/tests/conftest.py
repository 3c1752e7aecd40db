from __future__ import annotations

from pathlib import Path

import pytest

from waymark.exchange.tests.cluster import migrated_template


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once per session, copied for the demo node's process."""
    return migrated_template(tmp_path_factory.mktemp("template"))
