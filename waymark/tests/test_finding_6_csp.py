"""Issue 9, finding 6: a strict Content-Security-Policy on every response, and no inline script
in any template (so the policy can forbid it without breaking a page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from waymark.test import create_case, create_user, login
from waymark.vocab import Purpose, Role

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
# An executable <script> element with content (a JSON data block is not executed).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates() -> list[Path]:
    found = [p for d in TEMPLATE_DIRS for p in d.rglob("*.html")]
    assert len(found) > 40
    return found


def test_finding_6_no_template_has_inline_script_event_handlers_or_style_attributes():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, JS_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert not offenders, "\n".join(offenders)


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _check_page(response) -> None:
    """The policy is on the response, and an HTML page has nothing inline that it would block."""
    _check_policy(response)
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, JS_URL):
            found = pattern.search(html)
            assert found is None, f"{response.request['PATH_INFO']}: {found.group(0)[:100]}"


def _check_policy(response) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.status_code} without a Content-Security-Policy"
    directives = _directives(header)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


@pytest.fixture
def pages(people):
    case = create_case(people.giulia)
    return [
        reverse("login"),
        reverse("dashboard"),
        reverse("purpose_choose"),
        reverse("case_list"),
        reverse("case_create"),
        reverse("case_detail", args=[case.public_id]),
        reverse("case_edit", args=[case.public_id]),
        reverse("event_add", args=[case.public_id]),
        reverse("care_plan_edit", args=[case.public_id]),
        reverse("exchange:dashboard"),
        reverse("break_glass_list"),
        reverse("mfa_index"),
        "/api/docs",
        "/api/openapi.json",
        "/api/cases",  # 401, JSON
        reverse("healthz"),
        "/no-such-page",
    ]


def test_finding_6_every_page_response_carries_the_policy(client, people, pages):
    login(client, people.giulia, Purpose.CHILD_PROTECTION)
    for url in pages:
        response = client.get(url)
        assert response.status_code < 500, url
        _check_page(response)
    # A redirect and a refusal too.
    client.logout()
    _check_policy(client.get(reverse("dashboard")))


def test_finding_6_the_admin_and_the_audit_pages_carry_the_policy(client, people):
    admin = create_user("nadia", people.it_cps, Role.NODE_ADMIN, is_staff=True, is_superuser=True)
    login(client, admin, purpose=None)
    urls = [
        "/admin/",
        "/admin/policy/agreement/",
        "/admin/policy/agreement/add/",
        "/admin/accounts/apitoken/",
        "/admin/axes/accessattempt/",
        reverse("audit_log"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _check_page(response)


def test_finding_6_the_policy_is_enforced_not_only_reported():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
