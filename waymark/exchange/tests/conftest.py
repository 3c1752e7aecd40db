from __future__ import annotations

from pathlib import Path

import pytest

from waymark.audit import keys as audit_keys
from waymark.exchange.registry import forget_cache
from waymark.exchange.testing import FakeTransport, Federation, dated_registry, make_federation
from waymark.test import Personas

from .erasing import dpos, takes_erasure  # noqa: F401  (the erasure tests' fixtures)
from .pprl_fixtures import matching_federation, pprl_keys  # noqa: F401  (the match-query tests' fixtures)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path: Path):
    """Audit keys per test, in a temporary directory (the exchange writes audit entries)."""
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    forget_cache()
    yield
    audit_keys.forget_cached_keys()
    forget_cache()


@pytest.fixture
def federation(people: Personas, settings, tmp_path: Path) -> Federation:
    """node-it, node-fr, node-be in this database, under a freshly signed registry (version 1)."""
    fed = make_federation(tmp_path)
    settings.WAYMARK_EXCHANGE_REGISTRY_KEY_FILE = str(fed.anchor)
    fed.publish(dated_registry())
    return fed


@pytest.fixture
def wire(federation: Federation) -> FakeTransport:
    return FakeTransport(federation)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once per session, copied for every node process."""
    from .cluster import migrated_template

    return migrated_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):
    """Debian's chromium through Playwright, for the tests that use real nodes as people do."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; this test process reads the
    # nodes' databases through sqlite3 only, but Django would refuse ORM use in that loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(autouse=True)
def _fresh_unsigned_window():
    """Unsigned refusals are counted per process: each test starts a window of its own."""
    from waymark.exchange import unsigned

    unsigned.reset()
    yield
    unsigned.reset()
