"""People at real nodes in a real browser: sign in as a demo user (the ``browser`` fixture is in
conftest.py)."""

from __future__ import annotations

from typing import Any

from waymark.cases.management.commands.load_demo import demo_password


def signed_in(browser: Any, base: str, username: str, purpose: str = "Child protection") -> Any:
    """A new browser session on the node at ``base``, signed in as a demo user with a purpose."""
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/cases/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password())
    page.get_by_role("button", name="Log in").click()
    page.get_by_label(purpose).check()
    page.get_by_role("button", name="Continue").click()
    return page
