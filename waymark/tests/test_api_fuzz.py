"""Schemathesis over every operation of /api/openapi.json, in process (Django's WSGI handler, no
port), as people of several roles and organisations (issue 9, "API fuzzing in CI").

Every phase schemathesis has (examples, coverage, fuzzing, stateful) and every check it has — no
5xx; each response conforms to the document (status, content type, schema, headers); requests
that break the document are refused; requests that conform are accepted or refused for a
documented reason (401, 403, 404, 409, 422); authentication is enforced — plus
``no_child_out_of_reach``: no answer carries a case or a child the caller may not list for the
purpose they declared (``within_reach``, computed from ``cases_visible_to``: an organisation's
own cases, a guardian's wards, and a partner's child under an agreement granting identity while
a context about that child is open between them).

Seeded and bounded: requests are generated from ``SEED`` (derandomized, no example database),
the world's ids too; what the stateful phase learns from answers can still vary a little from
run to run. At most ``MAX_EXAMPLES`` generated per operation and phase;
``WAYMARK_FUZZ_EXAMPLES`` raises the bound for a longer hunt. docs/api.md says how to run it and
read a failure.
"""

from __future__ import annotations

import json
import os
import random
import traceback
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.db import connections
from django.utils import timezone
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.engine import events, from_schema
from schemathesis.transport.wsgi import WSGITransport

from waymark.accounts.models import User
from waymark.cases import actions
from waymark.cases.access import cases_visible_to
from waymark.cases.models import Case
from waymark.cases.schemas import CarePlanIn, ConsentIn, EventIn
from waymark.cases.tests.api_client import issue_test_token
from waymark.missing.actions import do_report_disappearance as report_missing
from waymark.missing.schemas import DisappearanceIn
from waymark.police import actions as police
from waymark.police.schemas import AlertRequestIn, SireneAskIn
from waymark.policy.contexts import open_context
from waymark.policy.purpose import PURPOSE_HEADER
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_personas, create_user, days_ago, set_care_plan
from waymark.vocab import ContextSource, DataCategory, Purpose, Role

SEED = int(os.environ.get("WAYMARK_FUZZ_SEED", "20260309"))
# What each person works for (the purpose most of their requests declare).
WORK = {
    "giulia": Purpose.CHILD_PROTECTION,
    "sara": Purpose.CARE_CONTINUITY,
    "hana": Purpose.LOCATE_MISSING_CHILD,
    "dora": Purpose.AUDIT,
    "marco": Purpose.BEST_INTERESTS_ASSESSMENT,
    "claire": Purpose.LOCATE_MISSING_CHILD,
    "luc": Purpose.LOCATE_MISSING_CHILD,
    "ivan": Purpose.CHILD_PROTECTION,
}
MAX_EXAMPLES = int(os.environ.get("WAYMARK_FUZZ_EXAMPLES", "10"))
# Valid input may be refused only for a reason the document gives: who you are (401, 403), a case
# you may not see (404), a probable duplicate (409), or a rule the document lists (422). Never 400.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422"]
# Well-formed requests per operation sent first as the Milan caseworker about her own cases.
AIMED = 3
# The missing-child alert operations (exchange/api.py). Sending one needs a federation — a signed
# registry, this node's keys, partner nodes — and answering, updating or withdrawing one needs an
# alert sent or received, which this in-process world does not have; closing a disappearance
# (found, came back) needs the child still missing when it comes, and another operation may have
# closed it first. They are fuzzed (no 5xx, the document kept, nothing out of reach) but their
# successes are tested in exchange/tests/test_missing_alert_api.py, not here.
ALERT_PATHS = (
    "/api/alerts",
    "/api/cases/{public_id}/alerts",
    "/api/cases/{public_id}/found",
    "/api/cases/{public_id}/disappearance",
)
ALERT_OPERATIONS = frozenset(
    {
        "POST /api/cases/{public_id}/alerts",
        "POST /api/cases/{public_id}/alerts/update",
        "POST /api/cases/{public_id}/alerts/withdraw",
        "POST /api/cases/{public_id}/found",
        "POST /api/cases/{public_id}/disappearance/close",
        "GET /api/alerts/{alert_id}",
        "POST /api/alerts/{alert_id}/seen",
        "POST /api/alerts/{alert_id}/sightings",
        "POST /api/alerts/{alert_id}/found",
    }
)
# The police side (police/api.py) is only ever for locating a missing child.
POLICE_PATHS = ("/api/police",)
# What the Milan caseworker's aimed police requests carry, turn by turn: every operation is seen
# to succeed without one turn undoing the next (the alert is issued, then hit, never closed, so
# SIRENE requests about it stay possible).
POLICE_TURNS: dict[str, list[dict[str, Any]]] = {
    "/api/police/alerts": [
        {"kind": "national_report", "sis_category": None},
        {"kind": "interpol_yellow", "sis_category": None},
        {"kind": "national_report", "sis_category": None},
    ],
    "/api/police/alerts/{alert_id}/transition": [
        {"to": "issued", "reference": "FUZZ-SIS-1 (fictional)", "place": ""},
        {"to": "hit", "reference": "", "place": "Bruxelles-Midi (fictional)"},
        {"to": "hit", "reference": "", "place": "Bruxelles-Midi (fictional)"},
    ],
    "/api/police/requests/{request_id}/answer": [
        {"answers": [{"question_id": "q1", "text": "Also known as Amna (fictional)", "declined": ""}]}
    ]
    * 3,
}

# Continuity writes whose rules a random body almost never meets (dates of steps already taken,
# the child's views and a real language code, a panel of two disciplines, a confirmed relative)
# or that need a record's id (a determination to approve, a relative, a plan): fuzzed like every
# operation (no 5xx, the document kept, nothing out of reach), their successes tested in
# continuity/tests/test_best_interests.py and test_family_tracing.py.
CONTINUITY_WRITES = frozenset(
    {
        "POST /api/cases/{public_id}/take-charge-requests",
        "POST /api/cases/{public_id}/age-assessments/{assessment_id}/challenges",
        "POST /api/cases/{public_id}/age-assessments/{assessment_id}/challenges/outcome",
        "POST /api/cases/{public_id}/best-interests",
        "POST /api/cases/{public_id}/best-interests/{record_id}/approval",
        "PATCH /api/cases/{public_id}/relatives/{relative_id}",
        "POST /api/cases/{public_id}/relatives/{relative_id}/guardian-agreement",
        "POST /api/cases/{public_id}/relatives/{relative_id}/confirmation",
        "POST /api/cases/{public_id}/reunification-plans",
        "PATCH /api/cases/{public_id}/reunification-plans/{plan_id}",
    }
)

# The hotline intake operations (hotline/api.py) are a hotline operator's, for locating a missing
# child: their aimed requests are Hana's (a hotline operator of Milan) with that purpose. Looking a
# child up succeeds here; the outcomes need what a generated body cannot name (a case Hana may add
# to, an organisation holding a possible match, an alert received, a call recorded, a federation):
# they are fuzzed (no 5xx, the document kept, nothing out of reach) and their successes are tested
# in hotline/tests/test_api.py and test_cross_border.py.
HOTLINE_PATHS = ("/api/hotline",)
HOTLINE_OPERATIONS = frozenset(
    {
        "POST /api/hotline/calls/attach",
        "POST /api/hotline/calls/pass",
        "POST /api/hotline/calls/sighting",
        "POST /api/hotline/calls/new-case",
        "GET /api/hotline/calls/{call_id}",
        "POST /api/hotline/calls/{call_id}/hand-over",
    }
)
# The referral, transfer, information-request, hand-over and tracing-request operations
# (exchange/api_threads.py): sending needs the federation too, and reading or answering a thread
# needs one. Listing them succeeds here; the rest are tested in exchange/tests/test_threads_api.py,
# test_guardian_handover_api.py and test_family_tracing_api.py.
THREAD_OPERATIONS = frozenset(
    {
        "POST /api/cases/{public_id}/referrals",
        "POST /api/cases/{public_id}/transfers",
        "POST /api/cases/{public_id}/information-requests",
        "GET /api/referrals/{thread_id}",
        "POST /api/referrals/{thread_id}/accept",
        "POST /api/referrals/{thread_id}/reject",
        "POST /api/referrals/{thread_id}/done",
        "POST /api/referrals/{thread_id}/revoke",
        "GET /api/transfers/{thread_id}",
        "POST /api/transfers/{thread_id}/accept",
        "POST /api/transfers/{thread_id}/reject",
        "GET /api/information-requests/{thread_id}",
        "POST /api/information-requests/{thread_id}/answer",
        # A guardian hand-over is sent by the ward's guardian only, through the federation;
        # tested in exchange/tests/test_guardian_handover_api.py.
        "POST /api/cases/{public_id}/guardian-handovers",
        "GET /api/guardian-handovers/{thread_id}",
        "POST /api/guardian-handovers/{thread_id}/acknowledge",
        # Naming the incoming guardian needs a hand-over received; tested in
        # exchange/tests/test_finding_incoming_guardian_cannot_acknowledge.py.
        "POST /api/guardian-handovers/{thread_id}/assign",
        "POST /api/cases/{public_id}/tracing-requests",
        "GET /api/tracing-requests/{thread_id}",
        "POST /api/tracing-requests/{thread_id}/progress",
        "POST /api/tracing-requests/{thread_id}/result",
        "POST /api/tracing-requests/{thread_id}/withdraw",
        # A take-charge request is sent and answered by Dublin officers only, through the
        # federation; tested in exchange/tests/test_take_charge.py.
        "POST /api/cases/{public_id}/take-charge-requests/{request_id}/send",
        "GET /api/take-charge-threads/{thread_id}",
        "POST /api/take-charge-threads/{thread_id}/reply",
    }
)
# The operations that end a disappearance: never aimed at the one the missing-child operations
# act on (they would have nothing open to act on).
CLOSING_PATHS = ("/api/cases/{public_id}/found", "/api/cases/{public_id}/disappearance/close")

# Only the ward's appointed guardian logs a contact, and the aimed requests are the Milan
# caseworker's (a 403 each time): fuzzed like every operation, its success is tested in
# continuity/tests/test_guardian_contacts.py.
GUARDIAN_OPERATIONS = frozenset({"POST /api/cases/{public_id}/guardian-contacts"})


# ---------------------------------------------------------------------------------------------
# The check: nothing out of reach


def within_reach(user: User, purpose: str, case_ids: set[str], child_ids: set[str]) -> set[str]:
    """The ids among ``case_ids`` and ``child_ids`` of cases (children) ``user`` may not list for
    ``purpose``: the set an answer must never contain. One query each."""
    try:
        visible = cases_visible_to(user, purpose)
    except Exception:  # an unknown purpose: nothing is within reach
        visible = Case.objects.none()
    # What is not a UUID names no case or child (a stateful link can put a consent's number in
    # the case's place; PostgreSQL refuses to compare it): out of reach, and not asked about.
    outside = {i for i in case_ids | child_ids if not _is_uuid(i)}
    case_ids, child_ids = case_ids - outside, child_ids - outside
    seen_cases = {
        str(pid) for pid in visible.filter(public_id__in=case_ids).values_list("public_id", flat=True)
    }
    seen_children = {
        str(pid)
        for pid in visible.filter(child__public_id__in=child_ids).values_list("child__public_id", flat=True)
    }
    return (case_ids - seen_cases) | (child_ids - seen_children) | outside


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _ids_in(body: Any) -> tuple[set[str], set[str]]:
    """Public ids of the cases (objects with a ``reference``) and children (objects with names)
    anywhere in an answer."""
    cases: set[str] = set()
    children: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "public_id" in value and "reference" in value:
                cases.add(str(value["public_id"]))
            elif "public_id" in value and "given_names" in value:
                children.add(str(value["public_id"]))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(body)
    return cases, children


@dataclass
class World:
    """The people the fuzzer speaks as (token -> user), the cases it aims at, and, per request,
    whether the case at its URL was within reach when it was sent."""

    users: dict[str, User]
    case_ids: list[str]
    # The cases each person may list for the purpose they work for: most requests aim there.
    home: dict[str, list[str]] = field(default_factory=dict)
    # Consent ids per case (the withdraw operation names one; the list gives them too).
    consents: dict[str, list[int]] = field(default_factory=dict)
    reached_before: dict[str, bool] = field(default_factory=dict)
    # Cases registered during the run: who registered each, and the purpose to ask about it for.
    registered: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Open disappearances (the missing-child operations name one) and their protocol's step keys.
    disappearances: list[str] = field(default_factory=list)
    # The case of the open disappearance: "found" is never aimed at it (closing the child found
    # closes the report too, and the report's own operations would have nothing open to act on).
    reported_case: str = ""
    step_keys: list[str] = field(default_factory=list)
    # The police alert on the reported case and the SIRENE request the Belgian unit sent about it.
    police_alerts: list[str] = field(default_factory=list)
    sirene_requests: list[str] = field(default_factory=list)

    # Per case, the consent its child's accounts rest on (to Milan, child protection, disclosure).
    account_consents: dict[str, int] = field(default_factory=dict)


WORLD = World(users={}, case_ids=[])


def _caller(case: Any) -> tuple[User | None, str]:
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    user = WORLD.users.get(headers.get("authorization", "").removeprefix("Bearer "))
    return user, headers.get(PURPOSE_HEADER.lower(), "")


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: Any) -> None:
    """Note whether the case at the URL is within reach as the request leaves: a write may put
    it out of reach (a guardian who lets go of a ward), and its answer is about the case as the
    caller was allowed to change it. (A global hook: schemathesis has no per-schema before_call;
    it does nothing outside this test.)"""
    at = (case.path_parameters or {}).get("public_id")
    meta = case.meta
    if at in WORLD.registered and not (meta and meta.is_negative_at(ParameterLocation.HEADER)):
        # A case registered during the run (the stateful phase follows the link from its
        # registration) is asked about by whoever registered it, for child protection:
        # schemathesis checks that what was just created can be found and changed, which holds
        # for its creator, not for everyone.
        token, purpose = WORLD.registered[at]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}", PURPOSE_HEADER: purpose}
    user, purpose = _caller(case)
    if user is None or at is None:
        return
    try:
        WORLD.reached_before[case.id] = not within_reach(user, purpose, {str(at)}, set())
    finally:
        connections.close_all()


@schemathesis.hook
def after_call(ctx: Any, case: Any, response: Any) -> None:
    """Close the worker thread's database connection after each request: the handler's own
    request_finished never fires in process, and an open session keeps the test database from
    being dropped. Remember who registered a case."""
    connections.close_all()
    if case.method.upper() == "POST" and case.path == "/api/cases" and response.status_code == 201:
        headers = {k.lower(): v for k, v in (case.headers or {}).items()}
        token = headers.get("authorization", "").removeprefix("Bearer ")
        # Only caseworkers and supervisors register; for child protection they may then read and
        # change every category of their organisation's case (a narrower purpose would answer a
        # PATCH with 404, as for anyone who may not change it — by design, not a lost case).
        WORLD.registered[str(json.loads(response.content)["public_id"])] = (token, Purpose.CHILD_PROTECTION)


@schemathesis.check
def no_child_out_of_reach(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 2xx answer names only cases and children the caller may list for their purpose."""
    reached_before = WORLD.reached_before.pop(case.id, False)
    if not 200 <= response.status_code < 300 or not WORLD.users:
        return None
    user, purpose = _caller(case)
    if user is None:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    case_ids, child_ids = _ids_in(body)
    at = (case.path_parameters or {}).get("public_id")
    if at is not None:
        case_ids.add(str(at))
    try:
        outside = within_reach(user, purpose, case_ids, child_ids)
        if at is not None and reached_before and case.method.upper() != "GET":
            # The answer to a write is about the case the caller could change when they asked.
            outside -= {str(at)} | {
                str(c) for c in Case.objects.filter(public_id=at).values_list("child__public_id", flat=True)
            }
    finally:
        connections.close_all()  # this worker thread's connection; the test database outlives it
    if outside:
        raise AssertionError(
            f"{user.username} ({user.role}, {user.organisation}) got {sorted(outside)}: out of reach "
            f"for {purpose}"
        )
    return None


# ---------------------------------------------------------------------------------------------
# The world


def _create_world() -> World:
    """Fictional people of five organisations with tokens, and cases to aim at."""
    people = create_personas()
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    dora = create_user("dora", people.it_cps, Role.DPO)
    # As in the demo: the French NGO helps locate children of the Milan service.
    create_agreement(
        "IT-FR-LOCATE-FUZZ",
        [people.it_cps, people.fr_ngo],
        grants=[
            (people.fr_ngo, Role.CASEWORKER, c, Purpose.LOCATE_MISSING_CHILD)
            for c in (DataCategory.IDENTITY, DataCategory.PHOTO, DataCategory.CONTACT_LOCATION)
        ],
    )
    milan = [
        create_case(people.giulia, given_names="Amina", case={"guardian": "marco", "risk_level": "high"}),
        create_case(
            people.giulia,
            given_names="Yonas",
            case={"status": "missing", "missing_category": "runaway", "caseworker": "hana"},
        ),
        create_case(people.sara, given_names="Omar", nationality="ER"),
    ]
    set_care_plan(people.giulia, milan[2], CarePlanIn(needs="Shelter", review_date=days_ago(2)))
    actions.do_add_event(people.giulia, milan[1], EventIn(type="sighting", summary="Seen at Milano Centrale"))
    # Yonas is missing and an alert about him went to Calais: the NGO has a need to know.
    open_context(
        milan[1],
        partner=people.fr_ngo.slug,
        purpose=Purpose.LOCATE_MISSING_CHILD,
        source=ContextSource.MISSING_ALERT,
        source_id=uuid.UUID(int=SEED),
    )
    consents: dict[str, list[int]] = {}
    for case in milan:
        for recipient in ("fr-ngo-calais", "be-police-mpu", "it-guardians"):
            consent = actions.do_record_consent(
                people.giulia,
                case,
                ConsentIn(
                    recipient_org=recipient,
                    purpose=Purpose.LOCATE_MISSING_CHILD,
                    categories=[DataCategory.IDENTITY],
                    valid_from=days_ago(30),
                ),
            )
            consents.setdefault(str(case.public_id), []).append(consent.pk)
    # The child's consent to Milan recording their account (tell it once): recordAccount names it.
    account_consents = {
        str(case.public_id): actions.do_record_consent(
            people.giulia,
            case,
            ConsentIn(
                recipient_org=people.it_cps.slug,
                purpose=Purpose.CHILD_PROTECTION,
                categories=[DataCategory.DISCLOSURE],
                valid_from=days_ago(30),
            ),
        ).pk
        for case in milan
    }
    # Amina is reported missing by her caseworker: the missing-child operations aim at her report.
    gone = report_missing(
        people.giulia,
        milan[0],
        DisappearanceIn(last_seen_at=timezone.now(), missing_category="runaway", route_countries=["FR"]),
    )
    # Her caseworker asked the Belgian unit for an SIS alert; the unit (under a police agreement
    # for the minimal identifiers) asked back, a SIRENE request waiting for her answer.
    create_agreement(
        "IT-BE-POLICE-FUZZ",
        [people.it_cps, people.be_police],
        grants=[
            (people.be_police, Role.POLICE_OFFICER, c, Purpose.LOCATE_MISSING_CHILD)
            for c in (DataCategory.IDENTITY, DataCategory.PHYSICAL_DESCRIPTION, DataCategory.CONTACT_LOCATION)
        ],
    )
    alert = police.do_request_alert(
        people.giulia,
        milan[0],
        AlertRequestIn(kind="sis_missing_minor", police_org=people.be_police.slug, sis_category="protection"),
    )
    sirene = police.do_ask_sirene(
        people.luc,
        alert,
        SireneAskIn(alert=alert.public_id, questions=[{"category": "identity", "text": "Other names?"}]),
    )
    elsewhere = [
        create_case(people.claire, given_names="Dawit"),
        create_case(people.luc, given_names="Lucas"),
    ]
    users = [people.giulia, people.sara, hana, dora, people.marco, people.claire, people.luc, people.ivan]
    tokens = {issue_test_token(u, "fuzz (fictional)", days=1)[1]: u for u in users}
    ids = [str(c.public_id) for c in [*milan, *elsewhere]] + [str(uuid.UUID(int=SEED + 1))]
    home = {
        u.username: [
            str(pid)
            for pid in cases_visible_to(u, WORK[u.username])
            .order_by("pk")
            .values_list("public_id", flat=True)
        ]
        for u in users
    }
    return World(
        users=tokens,
        case_ids=ids,
        home=home,
        consents=consents,
        disappearances=[str(gone.public_id), str(uuid.UUID(int=SEED + 2))],
        reported_case=str(milan[0].public_id),
        step_keys=[s.key for s in gone.steps.all()],
        police_alerts=[str(alert.public_id), str(uuid.UUID(int=SEED + 3))],
        sirene_requests=[str(sirene.public_id), str(uuid.UUID(int=SEED + 4))],
        account_consents=account_consents,
    )


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """schemathesis 4.32.5 hands a probe of its ``ignored_auth`` check socket settings
    (``max_redirects``...) that its in-process WSGI transport passes on to werkzeug, which
    refuses them: drop them, as the transport does for its other calls."""
    send = WSGITransport.send

    def without_socket_settings(self: WSGITransport, case: Any, **kwargs: Any) -> Any:
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_settings)


@pytest.fixture
def seeded_ids() -> Iterator[None]:
    """The cases' public ids from ``SEED``, not ``uuid4``: schemathesis reuses ids it reads in
    answers, so random ones would make each run send different requests."""
    rng = random.Random(SEED)

    def next_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    fields = [
        f
        for app in ("cases", "missing", "police")
        for model in apps.get_app_config(app).get_models()
        for f in model._meta.fields
        if f.default is uuid.uuid4
    ]
    for f in fields:
        f.default = next_id
        f.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        yield
    finally:
        for f in fields:
            f.default = uuid.uuid4
            f.__dict__.pop("_get_default", None)


@pytest.fixture
def world(transactional_db: None, in_process: None, seeded_ids: None) -> Iterator[World]:
    # The engine's worker threads open their own connections: close them after each request so
    # the test database can be dropped (they would linger CONN_MAX_AGE seconds).
    settings = connections.settings["default"]
    kept = settings["CONN_MAX_AGE"]
    settings["CONN_MAX_AGE"] = 0
    vars(WORLD).update(vars(_create_world()))
    try:
        yield WORLD
    finally:
        vars(WORLD).update(vars(World(users={}, case_ids=[])))
        settings["CONN_MAX_AGE"] = kept


def _schema(world: World) -> Any:
    from waymark.wsgi import application

    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            # No example database: what an earlier run found is not replayed (the same run every time).
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=config)
    people = sorted(world.users, key=lambda token: world.users[token].username)
    owner = next(token for token, user in world.users.items() if user.username == "giulia")
    operator = next(token for token, user in world.users.items() if user.username == "hana")
    every_consent = [c for ids in world.consents.values() for c in ids]
    aimed: Counter[str] = Counter()

    def drawn(case: Any) -> int:
        """A number from what schemathesis generated (seeded), never from the world's ids or the
        order of requests: the same choices for the same request, every run."""
        params = {
            k: "*" if v in world.case_ids or v in every_consent else v
            for k, v in (case.path_parameters or {}).items()
        }
        return zlib.crc32(repr((case.method, case.path, params, case.query, case.body)).encode())

    @schema.auth(refresh_interval=None)
    class Everyone:
        """Whose token each request carries, for which purpose, about which case.

        The first ``AIMED`` well-formed requests of each operation are the Milan caseworker's,
        for child protection, about one of her cases: every operation is seen to succeed. Each
        other request is one person's, chosen from what was generated; two in three declare the
        purpose that person works for, three in five are about a case of theirs (a generated case
        id is almost never one), unless the path or the header is deliberately malformed.
        """

        def get(self, case: Any, ctx: Any) -> str:
            meta = case.meta
            well_formed = meta is None or (
                meta.generation.mode.is_positive
                and not any(meta.is_negative_at(location) for location in ParameterLocation)
            )
            label = f"{case.method} {case.path}"
            if well_formed and aimed[label] < AIMED:
                aimed[label] += 1
                return f"{operator if case.path.startswith(HOTLINE_PATHS) else owner} {aimed[label]}"
            return people[drawn(case) % len(people)]

        def set(self, case: Any, data: str, ctx: Any) -> None:
            token, _, turn = data.partition(" ")
            user = world.users[token]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            pick = int(turn) if turn else drawn(case) >> 3
            meta = case.meta
            header_drawn = PURPOSE_HEADER in case.headers and not (
                meta and meta.is_negative_at(ParameterLocation.HEADER)
            )
            if header_drawn and (turn or pick % 3):
                case.headers[PURPOSE_HEADER] = WORK[user.username]
                if case.path.startswith(ALERT_PATHS + POLICE_PATHS + HOTLINE_PATHS):
                    # Alerts, police requests and hotline calls are only ever for locating a
                    # missing child (else a 403 each time).
                    case.headers[PURPOSE_HEADER] = Purpose.LOCATE_MISSING_CHILD
            body = case.body
            if (
                case.path == "/api/missing"
                and isinstance(body, dict)
                and "case" in body
                and not (meta and meta.is_negative_at(ParameterLocation.BODY))
            ):
                # A disappearance report names its case in the body: aim it like a case URL.
                home = world.home[user.username]
                if turn or body["case"] not in world.case_ids:
                    aim = home if home and (turn or (pick >> 8) % 5 < 3) else world.case_ids
                    body["case"] = aim[pick % len(aim)]
            body_ok = not (meta and meta.is_negative_at(ParameterLocation.BODY))
            if case.path.startswith(POLICE_PATHS) and isinstance(body, dict) and body_ok:
                # A police request names its case or alert in the body: aim it like a URL; the
                # aimed turns carry what lets each one succeed (POLICE_TURNS).
                if "case" in body and (turn or body["case"] not in world.case_ids):
                    body["case"] = (
                        world.reported_case
                        if turn or pick % 4
                        else world.case_ids[pick % len(world.case_ids)]
                    )
                if "police_org" in body and (turn or pick % 3):
                    body["police_org"] = "be-police-mpu"
                if "alert" in body and (turn or body["alert"] not in world.police_alerts):
                    body["alert"] = world.police_alerts[0 if turn or pick % 4 else 1]
                if turn and case.path in POLICE_TURNS:
                    body.update(POLICE_TURNS[case.path][(int(turn) - 1) % 3])
            if (
                turn
                and case.path == "/api/cases"
                and case.method.upper() == "POST"
                and isinstance(body, dict)
            ):
                # The aimed registrations are entered as the child is registered (a generated
                # ``registered_at`` is almost never within the twenty years it allows).
                body.pop("registered_at", None)
            params = case.path_parameters or {}
            if not params or (meta and meta.is_negative_at(ParameterLocation.PATH)):
                return
            if case.path.startswith(POLICE_PATHS):
                for name, ids in (("alert_id", world.police_alerts), ("request_id", world.sirene_requests)):
                    if name in params and (turn or params[name] not in ids):
                        params[name] = ids[0 if turn or pick % 4 else 1]
                return
            if "disappearance_id" in params:
                if turn or params["disappearance_id"] not in world.disappearances:
                    params["disappearance_id"] = world.disappearances[0 if turn or pick % 4 else 1]
                if "key" in params and (turn or (pick >> 4) % 3):
                    params["key"] = world.step_keys[pick % len(world.step_keys)]
                return
            home = world.home[user.username]
            case_id = params.get("public_id")
            # A case registered during the run keeps its id: before_call asks as its registrant
            # (replacing it aimed the stateful phase's "created, now read it" at another case).
            if turn or (case_id not in world.case_ids and case_id not in world.registered):
                aim = home if home and (turn or (pick >> 8) % 5 < 3) else world.case_ids
                case_id = aim[pick % len(aim)]
            if case.path in CLOSING_PATHS and case_id == world.reported_case:
                case_id = world.case_ids[1]  # Yonas: missing, with no report to close
            if "public_id" in params:
                params["public_id"] = case_id
            if (
                turn
                and case.path == "/api/cases/{public_id}/accounts"
                and case.method.upper() == "POST"
                and isinstance(body, dict)
                and not (meta and meta.is_negative_at(ParameterLocation.BODY))
            ):
                # The aimed requests record an account as the form would: a real language, a
                # moment past, resting on the consent the child gave to Milan.
                for name in ("corrects", "correction_note", "interpreter_language"):
                    body.pop(name, None)
                body.update(
                    consent=world.account_consents.get(str(case_id), 0),
                    language="ti",
                    interpreter=False,
                    interviewed_at="2026-01-05T10:00:00+01:00",
                    words=str(body.get("words") or "").strip() or "(fictional)",
                    summary=str(body.get("summary") or "").strip() or "(fictional)",
                )
            if "consent_id" in params and (turn or params["consent_id"] not in every_consent):
                # Mostly one of this case's consents, else any (another case's: refused).
                mine = world.consents.get(str(case_id), [])
                pool = mine if mine and (turn or (pick >> 16) % 3) else every_consent
                params["consent_id"] = pool[(pick if turn else pick >> 4) % len(pool)]

    return schema


@dataclass
class Outcome:
    """What a run found: one line per distinct failure, and the answers given per operation."""

    failures: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)


def _nul_called_valid(check: str, sent: Any) -> bool:
    """schemathesis's stateful phase can put U+0000 into a text whose pattern (``NO_NUL``) the
    document states, then call the 400 that follows "a schema-valid request rejected". The API
    is right (test_a_nul_character_breaks_the_document_and_is_a_400); only that false report is
    left out, nothing else about the request."""
    if check != "positive_data_acceptance" or sent is None:
        return False
    body = sent.body if isinstance(sent.body, bytes | bytearray) else str(sent.body or "").encode()
    return b"\\u0000" in body


def _run(schema: Any) -> Outcome:
    outcome = Outcome()
    found: dict[tuple[str, str, str], str] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            trace = "".join(traceback.format_exception(event.value))
            found[(event.label, "error", type(event.value).__name__)] = trace[-3000:]
        elif isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for interaction in recorder.interactions.values():
                status = interaction.response.status_code if interaction.response else 0
                outcome.statuses.setdefault(recorder.label, Counter())[status] += 1
            for case_id, checks in recorder.checks.items():
                sent = recorder.interactions[case_id].request if case_id in recorder.interactions else None
                for check in checks:
                    if check.failure_info is None:
                        continue
                    if _nul_called_valid(check.name, sent):
                        continue
                    failure = check.failure_info.failure
                    detail = failure.message[:300]
                    if sent is not None:
                        detail += f"\n    {sent.method} {sent.uri} {str(sent.body)[:300]}"
                        shown = {k: v for k, v in sent.headers.items() if k.lower() != "authorization"}
                        detail += f"\n    headers {shown}"
                    answer = (
                        recorder.interactions[case_id].response if case_id in recorder.interactions else None
                    )
                    if answer is not None:
                        detail += f"\n    answered {answer.status_code} {str(answer.content)[:300]}"
                    found.setdefault((recorder.label, check.name, failure.title), detail)
    outcome.failures = [
        f"{label} [{name}] {title}: {detail}" for (label, name, title), detail in found.items()
    ]
    return outcome


@pytest.mark.fuzz
def test_every_operation_holds_under_fuzzing_as_every_persona(world: World) -> None:
    outcome = _run(_schema(world))
    for label, statuses in sorted(outcome.statuses.items()):
        print(f"{label}: " + ", ".join(f"{status} x{n}" for status, n in sorted(statuses.items())))
    operations = {
        label for label in outcome.statuses if label.startswith(("GET ", "POST ", "PUT ", "PATCH "))
    }
    assert len(operations) == 91, sorted(operations)  # every operation was tried...
    for label in (
        operations
        - ALERT_OPERATIONS
        - CONTINUITY_WRITES
        - HOTLINE_OPERATIONS
        - THREAD_OPERATIONS
        - GUARDIAN_OPERATIONS
    ):  # ...and answered with its success at least once
        assert any(200 <= status < 300 for status in outcome.statuses[label]), (
            label,
            outcome.statuses[label],
        )
    assert not outcome.failures, "\n".join(outcome.failures)
