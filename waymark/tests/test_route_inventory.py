"""One gate for every page (issue 9, "What to build"): walk every URL pattern of the project and
request it as several users; any route whose response shows child data must have asked the
policy service and written an audit entry that names a purpose during that request.

A fictional child with marker strings in her names, timeline and conversations is held by Milan
and shared with Calais (a referral, a notice). Every route is requested (GET; and, where GET is
not allowed, an empty POST — a failed form re-renders its page) by Milan's caseworker, the
Calais caseworker, the child's guardian and Milan's DPO, API routes with a bearer token. A route
whose parameters the inventory cannot fill fails the test: a new page cannot slip past it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases import actions
from waymark.cases.schemas import ConsentIn, EventIn
from waymark.cases.tests.api_client import ApiClient, issue_test_token
from waymark.continuity import actions as continuity
from waymark.continuity.actions import do_record_age_assessment as record_age_assessment
from waymark.continuity.actions import do_record_best_interests as record_best_interests
from waymark.continuity.actions import do_record_take_charge as record_take_charge
from waymark.continuity.schemas import (
    AgeAssessmentIn,
    BestInterestsIn,
    RelativeIn,
    ReunificationPlanIn,
    TakeChargeIn,
)
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.tests.conftest import _isolated_keys, federation, wire  # noqa: F401  (fixtures)
from waymark.exchange.tests.erasing import takes_erasure  # noqa: F401  (nodes list every type)
from waymark.exchange.threads import missing_alert as alerts
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.hotline import actions as hotline_actions
from waymark.hotline.schemas import CallIn
from waymark.missing.actions import do_report_disappearance as report_missing
from waymark.missing.schemas import DisappearanceIn
from waymark.police import actions as police
from waymark.police.schemas import AlertRequestIn, SireneAskIn
from waymark.policy import breakglass
from waymark.policy import service as policy
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_user, login, share
from waymark.vocab import AuditKind, DataCategory, Purpose, Role

MARKERS = ("Inventorytest", "Sentinel-")
# Routes that are not pages of the product: framework machinery with no child data (each with why).
NOT_PAGES = {
    "admin/": "the Django admin: no model holding child data is registered (test below)",
    "accounts/": "django-allauth: login, logout, second factor; no child data",
    "i18n/setlang/": "sets the language cookie",
    "api/^.*$": "the API's catch-all 404",
    "exchange/inbox": "node-to-node envelopes (signed, sealed); no page",
}


def routes(patterns: Any = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


@pytest.fixture
def world(people, takes_erasure, wire):  # noqa: F811  (the exchange fixtures imported above)
    nodes = takes_erasure
    create_agreement(
        "it-fr-cp",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, c, Purpose.CHILD_PROTECTION) for c in DataCategory.values],
    )
    case = create_case(
        people.giulia,
        given_names="Zerai",
        family_name="Inventorytest",
        case={"guardian": "marco", "risk_reasons": "Sentinel-risk"},
    )
    actions.do_add_event(
        people.giulia, case, EventIn(type="health", category=DataCategory.HEALTH, summary="Sentinel-asthma")
    )
    share(case, people.fr_ngo, Purpose.CHILD_PROTECTION)
    sent = referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason="Sentinel-reason"),
        node=nodes.it,
    )
    notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(to_org="fr-ngo-calais", subject="Sentinel-notice Inventorytest"),
        node=nodes.it,
    )
    dispatch_pending(nodes.it, wire)
    received = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    hotline = create_user("elena", people.it_cps, Role.HOTLINE_OPERATOR)
    glass = breakglass.do_open_break_glass(
        hotline, case, Purpose.CHILD_PROTECTION, "Sentinel-glass " + "x" * 30
    )
    dpo = create_user("anna", people.it_cps, Role.DPO)
    consent = actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=Purpose.CHILD_PROTECTION,
            categories=[DataCategory.IDENTITY],
            valid_from=timezone.localdate(),
            childs_views="Sentinel-views",
        ),
    )
    # The child is reported missing too (the missing-child pages and API name the report).
    gone = report_missing(
        people.giulia,
        case,
        DisappearanceIn(
            last_seen_at=timezone.now(), missing_category="runaway", circumstances="Sentinel-circumstances"
        ),
    )
    # ...and an alert about the child went to the Belgian police (the alert pages and API).
    case.refresh_from_db()
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["be-police-mpu"]), node=nodes.it)
    dispatch_pending(nodes.it, wire)
    # ...and the Belgian unit was asked for an SIS alert, and asked about it (the police pages and API).
    police_alert = police.do_request_alert(
        people.giulia, case, AlertRequestIn(kind="sis_missing_minor", police_org="be-police-mpu")
    )
    sirene = police.do_ask_sirene(
        people.giulia,
        police_alert,
        SireneAskIn(alert=police_alert.public_id, questions=[{"category": "identity", "text": "Sentinel-q"}]),
    )
    # ...and a best-interests determination waits for approval (the continuity pages and API).
    bia = record_best_interests(
        people.giulia,
        case,
        BestInterestsIn(
            kind="determination",
            child_views="Sentinel-views-bia",
            child_views_language="ti",
            options="Sentinel-options",
            recommendation="local_integration",
            guardian_consulted=True,
            guardian_views="Sentinel-guardian",
            panel=[{"name": "A", "discipline": "law"}, {"name": "B", "discipline": "social work"}],
        ),
    )
    # ...and an age assessment and a take-charge request (the continuity pages).
    age = record_age_assessment(
        people.giulia,
        case,
        AgeAssessmentIn(
            methods=["interview"],
            assessors="Sentinel-assessors",
            assessed_on=timezone.localdate(),
            age_min=15,
            age_max=17,
        ),
    )
    take_charge = record_take_charge(
        people.giulia,
        case,
        TakeChargeIn(requested_country="BE", registered_at=timezone.now() - dt.timedelta(days=5)),
    )
    # ...and her brother, confirmed as family, with a reunification plan (family tracing).
    actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=Purpose.FAMILY_TRACING,
            categories=[DataCategory.FAMILY],
            valid_from=timezone.localdate(),
        ),
    )
    relative = continuity.do_add_relative(
        people.giulia, case, RelativeIn(full_name="Yonas Sentinel-brother", relationship="sibling")
    )
    continuity.do_record_guardian_agreement(people.marco, relative)
    continuity.do_confirm_family_link(people.giulia, relative)
    plan = continuity.do_record_reunification_plan(
        people.giulia,
        case,
        ReunificationPlanIn(relative=relative.public_id, country="BE", steps=["Sentinel-step"]),
    )
    # ...and a 116 000 call about the child is on the case (the hotline's pages and API).
    call = hotline_actions.do_attach_call(
        hotline,
        hotline_actions.check_attach(hotline, case.public_id, Purpose.LOCATE_MISSING_CHILD),
        CallIn(relationship="family", child_name="Zerai Inventorytest", known="Sentinel-call"),
    )
    return {
        "police_alert": police_alert,
        "sirene": sirene,
        "bia": bia,
        "age": age,
        "take_charge": take_charge,
        "relative": relative,
        "plan": plan,
        "call": call,
        "consent": consent,
        "disappearance": gone,
        "alert": Thread.objects.get(kind="missing_alert", direction=Direction.OUTGOING),
        "case": case,
        "threads": {"out": sent, "in": received},
        "glass": glass,
        "users": [people.giulia, people.claire, people.marco, dpo],
    }


def fill(path: str, pattern: URLPattern, world: dict[str, Any], user: Any) -> list[str]:
    """Concrete paths for a route, or [] if it is not a page; fails on a parameter it cannot fill."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", path)
    if not names:
        return [path]
    values: dict[str, list[str]] = {}
    for name in names:
        if name == "public_id" and ("<slug:slug>" in path):
            mine = [t for t in world["threads"].values() if t.local_org_id == user.organisation_id]
            values[name] = [str(t.public_id) for t in mine] or [str(uuid.uuid4())]
        elif name in ("public_id", "call_id") and path.startswith(("hotline/", "api/hotline/")):
            values[name] = [str(world["call"].public_id)]
        elif name == "public_id" and path.startswith("missing/"):
            values[name] = [str(world["disappearance"].public_id)]
        elif name == "public_id":
            values[name] = [str(world["case"].public_id)]
        elif name == "alert_id" and "police/" in path:
            values[name] = [str(world["police_alert"].public_id)]
        elif name == "thread_id":  # the API's referrals, transfers and information requests
            mine = [t for t in world["threads"].values() if t.local_org_id == user.organisation_id]
            values[name] = [str(t.public_id) for t in mine] or [str(uuid.uuid4())]
        elif name == "alert_id":
            values[name] = [str(world["alert"].public_id)]
        elif name == "request_id" and path.startswith(
            ("continuity/", "exchange/case/")
        ):  # a take-charge request
            values[name] = [str(world["take_charge"].public_id)]
        elif name == "assessment_id":  # an age assessment (continuity/)
            values[name] = [str(world["age"].public_id)]
        elif name == "request_id":  # a SIRENE-style request (police/)
            values[name] = [str(world["sirene"].public_id)]
        elif name == "disappearance_id":
            values[name] = [str(world["disappearance"].public_id)]
        elif name == "key":  # a protocol step of the disappearance
            values[name] = ["police_informed"]
        elif name == "slug":
            values[name] = ["referral"]
        elif name == "action":
            values[name] = ["accept"]
        elif name == "pk":
            values[name] = [str(world["glass"].pk)]
        elif name == "consent_id":
            values[name] = [str(world["consent"].pk)]
        elif name == "record_id":  # a best-interests determination
            values[name] = [str(world["bia"].public_id)]
        elif name == "relative_id":  # a relative of the case (family tracing)
            values[name] = [str(world["relative"].public_id)]
        elif name == "plan_id":  # a reunification plan of the case
            values[name] = [str(world["plan"].public_id)]
        elif name == "case_id":  # the case an erasure notice waits on (exchange/erasure/…/keep/…)
            values[name] = [str(world["case"].public_id)]
        elif name == "query_id":  # a match query's candidate in the review queue (none sent here)
            values[name] = [str(uuid.uuid4())]
        elif name == "token":
            values[name] = ["c_notacandidate"]
        else:
            pytest.fail(f"route {path!r}: the inventory cannot fill parameter {name!r}; add it to fill()")
    out = [path]
    for name, options in values.items():
        out = [re.sub(rf"<(?:\w+:)?{name}>", value, p, count=1) for p in out for value in options]
    return ["/" + p for p in out]


def test_every_route_that_shows_child_data_decides_and_audits(world, monkeypatch):
    calls = {"n": 0}
    real = policy.authorize_cases

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(policy, "authorize_cases", spy)
    checked: list[str] = []
    for path, pattern in routes():
        if any(path.startswith(p) or path == p for p in NOT_PAGES):
            continue
        for user in world["users"]:
            for url in fill(path, pattern, world, user):
                for method in ("get", "post"):
                    before_calls = calls["n"]
                    before_audit = (
                        AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
                    )
                    if path.startswith("api/"):
                        # The alert operations answer only for locating a missing child.
                        # So does the police side.
                        police_side = "/alerts" in url or "/police/" in url
                        wants = Purpose.LOCATE_MISSING_CHILD if police_side else Purpose.CHILD_PROTECTION
                        client = ApiClient(issue_test_token(user, name="inventory")[1], wants)
                        response = client.get(url) if method == "get" else client.send("post", url, {})
                    else:
                        web = Client()
                        login(web, user, Purpose.AUDIT if user.role == Role.DPO else Purpose.CHILD_PROTECTION)
                        response = getattr(web, method)(url)
                    body = response.content.decode(errors="replace")
                    if not any(m in body for m in MARKERS):
                        continue
                    audited = AuditEntry.objects.filter(
                        seq__gt=before_audit, kind=AuditKind.ACCESS_DECISION
                    ).exclude(purpose="")
                    where = f"{method.upper()} {url} as {user.username}"
                    assert calls["n"] > before_calls, f"{where} shows child data without a policy decision"
                    assert audited.exists(), (
                        f"{where} shows child data without an audit entry naming a purpose"
                    )
                    checked.append(where)
    # The inventory did see the pages that show the child (else it proves nothing).
    assert any("/cases/" in c and "giulia" in c for c in checked)
    assert any("/exchange/referrals/" in c and "claire" in c for c in checked)
    assert any(c.startswith("GET /api/cases/") for c in checked)
    assert any(c.startswith("GET /exchange/erasure/case/") and "anna" in c for c in checked)
    assert any(c.startswith("GET /missing/") and "giulia" in c for c in checked)
    assert any(c.startswith("GET /api/missing/") for c in checked)
    assert any(c.startswith("GET /api/alerts/") and "giulia" in c for c in checked)
    assert any(c.startswith("GET /api/police/alerts/") and "giulia" in c for c in checked)
    assert any(c.startswith("GET /hotline/calls/") and "giulia" in c for c in checked)
    assert any(c.startswith("GET /api/hotline/calls/") for c in checked)
    assert any(c.startswith("GET /api/referrals/") and "claire" in c for c in checked)
    assert any(c.startswith("GET /continuity/cases/") and "age-assessments" in c for c in checked)
    assert any(c.startswith("GET /continuity/cases/") and "/take-charge/" in c for c in checked)


def test_the_admin_holds_no_child_data():
    from django.contrib import admin

    child_apps = {"cases", "exchange", "audit", "vault"}
    registered = {m._meta.app_label for m in admin.site._registry}
    assert not registered & child_apps, registered & child_apps
