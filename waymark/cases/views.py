"""Server-rendered pages of the case record (Django templates + htmx).

Views are thin: they obtain child data only through ``access.access_case`` and
``access.cases_visible_to`` (a case someone may not see is a 404, exactly like one that does not
exist — unless they could open it under another of their purposes: then a 403 that offers the
switch, since they know the child), parse input with a form that feeds the pydantic schema, and
write only by calling one ``actions.do_*``. Form errors answer 422 so htmx swaps them in place
(see base.html's config); other refusals of an htmx save answer an error partial that
static/waymark/app.js shows in place.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Case as Case_
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import Organisation, User
from waymark.errors import ActionError, DuplicateWarning, NotFound
from waymark.policy import breakglass
from waymark.policy.purpose import current_purpose, purpose_required, record_refusal, safe_next, set_purpose
from waymark.vocab import CaseStatus, DataCategory, EventType, Purpose, RiskLevel, Role

from . import actions, photos
from .access import (
    REGISTER_CATEGORIES,
    CaseAccess,
    access_case,
    cases_visible_to,
    check_may_register,
    decide_page,
    without_guardian,
)
from .accounts import accounts_of, consents_covering, do_record_account
from .consent import resting_on_consent
from .discovery import DISCOVERY_PURPOSES, possible_matches
from .forms import (
    AccountForm,
    AliasForm,
    CarePlanForm,
    CaseFilterForm,
    CaseForm,
    ChildForm,
    EventForm,
    PhotoForm,
    RegisterChildForm,
    add_errors,
)
from .models import CarePlan, CarePlanVersion, Case, Event, NameKind
from .roles import (
    MISSING_ROLES,
    READER_ROLES,
    capabilities,
    hidden_elsewhere,
    offered_purposes,
    where_visible,
)
from .schemas import CaseIn
from .search import (
    ROW_CATEGORIES,
    CappedPaginator,
    CaseFilters,
    FilterNotShared,
    RankedSearch,
    search_ranked,
    search_visible,
)
from .views_report import may_read_access_report

BAD_REQUEST = 400
FORBIDDEN = 403
UNPROCESSABLE = 422
# Events per page of a case's timeline: the case page shows the newest, "show more" the next.
TIMELINE_PAGE = 50
_RECENT_CASES = 50
_ORGS_SESSION_KEY = "waymark.case_list.organisations"
_ORGS_TTL_SECONDS = 300
URGENT_RISKS = (RiskLevel.HIGH, RiskLevel.CRITICAL)
# A closed or transferred case is not urgent whatever its last risk level.
ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.MISSING, CaseStatus.FOUND)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


def _purpose(request: HttpRequest) -> Purpose:
    purpose = current_purpose(request)
    assert purpose is not None  # purpose_required has run
    return purpose


def _read(request: HttpRequest, public_id: uuid.UUID) -> CaseAccess:
    """The case and what this user may see of it for their purpose; otherwise 404, the same as
    a case that does not exist."""
    try:
        return access_case(_me(request), public_id, _purpose(request))
    except NotFound as exc:
        raise _refusal(request, public_id) from exc


class Refusal(Http404):
    """A refused case page that may say why: the response to send instead of a bare 404."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def _refusal(request: HttpRequest, public_id: uuid.UUID) -> Http404:
    """What to answer when a case is refused for the current purpose. Where the user could open the
    same case under another of their purposes, say so and offer the switch (they know this child);
    otherwise a plain 404, exactly like a case that does not exist."""
    case_pk = Case.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    if case_pk is None:
        return Http404()
    me, purpose = _me(request), _purpose(request)
    others = where_visible(me, capabilities(request), purpose, case_pk)
    if not others:
        return Http404()
    response = render(
        request,
        "cases/refused_for_purpose.html",
        {"purpose": purpose, "others": others, "next": request.get_full_path()},
        status=FORBIDDEN,
    )
    return Refusal(response)


def _write(request: HttpRequest, public_id: uuid.UUID, *categories: str) -> Case:
    """The case if this user may change every one of ``categories`` of it; otherwise 404."""
    return _write_access(request, public_id, *categories).case


def _write_access(request: HttpRequest, public_id: uuid.UUID, *categories: str) -> CaseAccess:
    """``_write`` with what the user may also see of the case (a page drawn after the write)."""
    try:
        return access_case(_me(request), public_id, _purpose(request), action="update", categories=categories)
    except NotFound as exc:
        raise Http404 from exc


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore wants the whole page back, not a fragment.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool = False
) -> HttpResponse:
    response = render(request, template, context, status=UNPROCESSABLE if invalid else 200)
    # The same URL answers a fragment to htmx and a page to the browser: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---------------------------------------------------------------------------------------------
# Dashboard and list


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's home (roles.py decides what the role can use). A role that works with no child
    data (the node administrator) needs no purpose to see its home."""
    caps = capabilities(request)
    if not caps.purposes:
        return _render(request, "cases/home_no_child_data.html", {})
    return _dashboard(request)


@purpose_required
def _dashboard(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    purpose = _purpose(request)
    caps = capabilities(request)
    context: dict[str, Any] = {
        "hidden": hidden_elsewhere(me, caps, purpose),
        "purpose_opens": caps.offers(purpose),
        "role_home": _role_home(me),
    }
    if not caps.offers(purpose):
        # e.g. Statistics: no case opens under it. Say so, rather than "0 cases" and "no review
        # is overdue" while reviews are overdue.
        return _render(request, "cases/dashboard.html", context)
    visible = cases_visible_to(me, purpose)
    # Status and the care plan's review date are case notes: counted, filtered and shown only
    # on the cases whose case notes this user may see (finding 4 of issue 9).
    notes = cases_visible_to(me, purpose, DataCategory.CASE_NOTES)
    with_notes = visible.filter(pk__in=notes.values("pk"))
    today = timezone.localdate()
    # Missing and critical or high-risk children first. Status and risk are case notes: only the
    # cases whose notes this user may see are put first; the others follow by activity.
    urgent = Q(
        pk__in=with_notes.filter(
            Q(status=CaseStatus.MISSING) | Q(risk_level__in=URGENT_RISKS, status__in=ACTIVE_STATUSES)
        ).values("pk")
    )
    urgent_first = Case_(When(urgent, then=Value(0)), default=Value(1))
    role_home = context["role_home"]
    if role_home == "guardian":
        mine_q = visible.filter(guardian=me)
    elif role_home == "team":
        # A supervisor's first look: the team's missing and high-risk children.
        mine_q = visible.filter(urgent)
    elif role_home == "reports":
        # A hotline's or police unit's open reports: the cases they hold that are not closed.
        mine_q = visible.exclude(
            pk__in=with_notes.filter(status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED]).values("pk")
        )
    else:
        mine_q = visible.filter(Q(caseworker=me) | Q(guardian=me))
    mine = list(
        mine_q.select_related("child", "organisation", "care_plan")
        .annotate(urgent=urgent_first)
        .order_by("urgent", "-updated_at", "-id")[:20]
    )
    overdue = list(
        with_notes.filter(care_plan__review_date__lt=today)
        .select_related("child", "organisation", "care_plan")
        .order_by("care_plan__review_date", "id")[:20]
    )
    awaiting_guardian = without_guardian(me, purpose)
    # Sorting every visible event by time costs ~200 ms at 100k cases (no index serves it).
    # Every event touches its case's updated_at, so the newest events sit in the most recently
    # active cases, which the (-updated_at) index hands over at once.
    active = list(visible.order_by("-updated_at", "-id").values_list("pk", flat=True)[:_RECENT_CASES])
    recent = list(
        Event.objects.filter(case_id__in=active)
        .select_related("case", "case__child", "case__organisation", "author", "author_org")
        .order_by("-recorded_at", "-id")[:15]
    )
    # Listed by when they were recorded, and that is the time the list shows first (an event
    # entered today about last month is news); when it happened follows.
    # What the page shows of each child is decided (and audited) for exactly these rows.
    shown_cases = {c.pk: c for c in [*mine, *overdue, *awaiting_guardian, *(e.case for e in recent)]}
    categories = dict.fromkeys(
        [
            DataCategory.IDENTITY,
            DataCategory.CASE_NOTES,
            *([DataCategory.GUARDIAN, DataCategory.FAMILY] if awaiting_guardian else []),
            *(e.category for e in recent),
        ]
    )
    rows = decide_page(me, list(shown_cases.values()), purpose, list(categories))
    counts = {
        row["status"]: row["n"] for row in with_notes.order_by().values("status").annotate(n=Count("id"))
    }
    total = visible.count()
    top = max(counts.values(), default=0)
    bars = [
        {
            "status": status,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "percent": round(100 * counts.get(status.value, 0) / top) if top else 0,
        }
        for status in CaseStatus
    ]
    context.update(
        {
            "my_cases": mine,
            "rows": rows,
            "overdue": overdue,
            "awaiting_guardian": awaiting_guardian,
            "recent_events": recent,
            "bars": bars,
            "total": total,
            "status_withheld": total - sum(counts.values()),
            "today": today,
            "report_links": {c.pk for c in mine if role_home == "guardian" and may_read_access_report(me, c)},
            # Review dates are case notes: no "none overdue" to a role that cannot see them.
            "reviews_shown": notes.exists(),
        }
    )
    if me.role in (Role.SUPERVISOR, Role.DPO):
        context["pending"] = list(breakglass.pending_for(me)[:20])
    if me.role == Role.SUPERVISOR and me.organisation is not None:
        context["team"] = _team(me, visible)
    if me.role == Role.DPO:
        context["alerts"] = list(breakglass.dpo_alerts(me)[:10])
    return _render(request, "cases/dashboard.html", context)


def _role_home(me: User) -> str:
    if me.role == Role.GUARDIAN:
        return "guardian"
    if me.role in MISSING_ROLES | READER_ROLES:
        return "reports"
    if me.role == Role.DPO:
        return "dpo"
    if me.role == Role.SUPERVISOR:
        return "team"
    return "caseload"


def _team(me: User, visible: QuerySet[Case]) -> list[dict[str, Any]]:
    """A supervisor's team: the caseworkers of their organisation and how many cases each holds."""
    held = dict(
        visible.filter(caseworker__organisation=me.organisation)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED])
        .order_by()
        .values("caseworker")
        .annotate(n=Count("id"))
        .values_list("caseworker", "n")
    )
    people = User.objects.filter(
        organisation=me.organisation, role__in=[Role.CASEWORKER, Role.SUPERVISOR], is_active=True
    ).order_by("display_name", "username")
    return [{"user": u, "open": held.get(u.pk, 0)} for u in people]


def _organisations_in_view(request: HttpRequest, visible: QuerySet[Case]) -> list[tuple[str, str]]:
    """(slug, name) of organisations holding a case this user can see, for the filter.

    One EXISTS per organisation costs tens of ms at 100k cases and htmx asks again at every
    pause in typing, so the answer is kept in the session for a few minutes. A stale list only
    changes which filters are offered: results always come from ``cases_visible_to``.
    """
    now = time.time()
    kept = request.session.get(_ORGS_SESSION_KEY)
    if kept and 0 <= now - kept["at"] < _ORGS_TTL_SECONDS:
        return [(slug, name) for slug, name in kept["orgs"]]
    orgs = [
        (o.slug, str(o))
        for o in Organisation.objects.filter(Exists(visible.filter(organisation_id=OuterRef("pk")))).order_by(
            "country", "name"
        )
    ]
    request.session[_ORGS_SESSION_KEY] = {"at": now, "orgs": orgs}
    return orgs


@login_required
@purpose_required
def case_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    visible = cases_visible_to(me, _purpose(request))
    form = CaseFilterForm(request.GET, organisations=_organisations_in_view(request, visible))
    form.is_valid()
    filters = CaseFilters(
        q=form.filter_value("q"),
        status=form.filter_value("status"),
        risk_level=form.filter_value("risk_level"),
        missing_category=form.filter_value("missing_category"),
        organisation=form.filter_value("organisation"),
    )
    refused: dict[str, list[str]] = {}
    ranked: RankedSearch | None = None
    try:
        # A name is ranked by how well it agrees (any spelling, script, order); anything else
        # (no query, a case reference) is filtered.
        ranked = search_ranked(me, _purpose(request), filters, visible)
        results = (
            Case.objects.none()
            if ranked is not None
            else search_visible(me, _purpose(request), filters, visible)
        )
    except FilterNotShared as exc:
        # Nothing is listed rather than the unfiltered list: the user asked for a narrower one.
        refused = exc.errors
        add_errors(form, refused)
        results = Case.objects.none()
    if ranked is not None:
        hits = Paginator(ranked.hits, settings.WAYMARK_PAGE_SIZE).get_page(request.GET.get("page"))
        # Only the cases on the page are loaded.
        shown = ranked.load(list(hits.object_list))
        for r in shown:
            r.case.match = r  # type: ignore[attr-defined]  # the template shows why it is listed
        # The same page numbers, over the loaded cases (the paginator only counts the hits).
        page: Page[Case] = Page([r.case for r in shown], hits.number, hits.paginator)  # type: ignore[arg-type]
    else:
        results = results.select_related("child", "organisation")
        # Paginator counts with select_related dropped: one COUNT over the filtered cases, no join.
        page = CappedPaginator(results, settings.WAYMARK_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = decide_page(me, list(page.object_list), _purpose(request), ROW_CATEGORIES)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filters": filters,
        "searching": any(astuple(filters)),
        # Ranked by name with no result agreeing on the whole name: "no exact match — closest".
        "closest_only": ranked is not None and bool(ranked.hits) and not any(h.exact for h in ranked.hits),
        # Children held by partners the user does not see: who holds one, nothing more (audited).
        "possible": possible_matches(me, _purpose(request), filters.q, visible),
        "refused": [m for messages in refused.values() for m in messages],
        # Where other organisations' children could be looked for (discovery.py's purposes), for
        # "no case matches" to say so: a fact about the user's purposes, never about a child.
        "discovery_purposes": [
            Purpose(p)
            for p in capabilities(request).purposes
            if p in DISCOVERY_PURPOSES and p != _purpose(request)
        ],
        "discovery_here": _purpose(request) in DISCOVERY_PURPOSES,
        # Counted once per page, not at every keystroke of the live search.
        "hidden": []
        if _is_htmx(request)
        else hidden_elsewhere(me, capabilities(request), _purpose(request), visible),
    }
    template = "cases/_case_results_htmx.html" if _is_htmx(request) else "cases/case_list.html"
    return _render(request, template, context, invalid=bool(refused))


# ---------------------------------------------------------------------------------------------
# Register a child


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not check_may_register(me, _purpose(request), REGISTER_CATEGORIES):
        # Say what to do: switch to a purpose that registers, or ask someone whose role does.
        register = [Purpose(p) for p in capabilities(request).register]
        return render(
            request,
            "cases/register_refused.html",
            {"purposes": register, "next": request.get_full_path()},
            status=FORBIDDEN,
        )
    duplicates: list[Case] = []
    if request.method == "POST":
        form = RegisterChildForm(request.POST, user=me)
        if form.is_valid():
            assert form.schema is not None
            try:
                case = actions.do_register_child(me, form.schema, fictional=settings.WAYMARK_DEMO)
            except DuplicateWarning as exc:
                add_errors(form, exc.errors)
                duplicates = list(
                    cases_visible_to(me, _purpose(request))
                    .filter(reference__in=exc.duplicates)
                    .select_related("child")
                )
                # Why each is a candidate: which name forms agreed, how the dates compare.
                why = {r.case.pk: r for r in actions.registration_candidates(me, form.schema.child)}
                for dup in duplicates:
                    dup.match = why.get(dup.pk)  # type: ignore[attr-defined]
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(
                    request, gettext("Child registered: case %(reference)s.") % {"reference": case.reference}
                )
                # The records that may be this child, at once (the matching app's panel; it goes on
                # to the case when there are none).
                return redirect(f"{reverse('matching_candidates', args=[case.public_id])}?after=register")
    else:
        form = RegisterChildForm(user=me)
    return _render(
        request,
        "cases/case_create.html",
        {"form": form, "duplicates": duplicates},
        invalid=request.method == "POST",
    )


# ---------------------------------------------------------------------------------------------
# Case detail


def _detail_context(access: CaseAccess, *, event_form: EventForm | None = None) -> dict[str, Any]:
    case = access.case
    child = case.child
    names = child.names.exclude(kind=NameKind.PRIMARY).select_related("recorded_by", "recorded_by_org")
    plan = (
        CarePlan.objects.filter(case=case).select_related("responsible", "updated_by", "case__child").first()
    )
    return {
        "access": access,
        "case": case,
        "child": child,
        "aliases": [n for n in names if n.kind == NameKind.ALIAS],
        "other_spellings": [n for n in names if n.kind == NameKind.TRANSLITERATION],
        "identifiers": list(child.identifiers.all()),
        "care_plan": plan,
        "review_clock": plan.review_clock if plan else None,
        # The plan's earlier versions: case notes, like the plan (the template shows them only then).
        "care_plan_versions": list(
            CarePlanVersion.objects.filter(case=case).select_related(
                "responsible", "saved_by", "case__child"
            )[:20]
        )
        if access.can(DataCategory.CASE_NOTES)
        else [],
        "consents": list(case.consents.all()),
        # The child's accounts (tell it once): disclosure, listed only where the policy opens it.
        "child_accounts": list(accounts_of(case)) if access.can(DataCategory.DISCLOSURE) else [],
        # Which recipients' agreements rest on consent: the page says what each consent enables.
        "consent_agreements": resting_on_consent(case),
        **_timeline_page(case),
        "may_read_report": access.user is not None and may_read_access_report(access.user, case),
        "event_form": event_form or event_form_for(access),
        "photo_form": PhotoForm(),
        **_situation(access),
    }


def _situation(access: CaseAccess) -> dict[str, Any]:
    """What the page says first: for a missing child, since when and where last seen, from the
    latest disappearance and sighting events (each shown only if its category may be)."""
    case = access.case
    if case.status != CaseStatus.MISSING or not access.can(DataCategory.CASE_NOTES):
        return {"disappeared": None, "last_seen": None}
    events = case.events.select_related(None)
    disappeared = events.filter(type=EventType.DISAPPEARANCE).first()
    last_seen = events.filter(type__in=[EventType.DISAPPEARANCE, EventType.SIGHTING, EventType.FOUND]).first()
    return {"disappeared": disappeared, "last_seen": last_seen}


def _timeline_page(case: Case, before: Event | None = None) -> dict[str, Any]:
    """The newest ``TIMELINE_PAGE`` events (older than ``before``), and whether there are more:
    one indexed read of a bounded page, however long the case's history."""
    events = case.events.select_related("author", "author_org")
    if before is not None:
        events = events.filter(
            Q(occurred_at__lt=before.occurred_at) | Q(occurred_at=before.occurred_at, pk__lt=before.pk)
        )
    page = list(events[: TIMELINE_PAGE + 1])
    return {
        "events": page[:TIMELINE_PAGE],
        "older": page[TIMELINE_PAGE - 1] if len(page) > TIMELINE_PAGE else None,
    }


@login_required
@purpose_required
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _render(request, "cases/case_detail.html", _detail_context(_read(request, public_id)))


@login_required
@purpose_required
@require_http_methods(["GET"])
def case_timeline(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Older events of the timeline, a page at a time: ``?before=<event id>`` (the last one shown).
    From htmx the list items to append (with the next "show more"); otherwise a page."""
    access = _read(request, public_id)
    before: Event | None = None
    if request.GET.get("before"):
        try:
            before_id = uuid.UUID(request.GET["before"])
        except ValueError as exc:
            raise Http404 from exc
        before = Event.objects.filter(case=access.case, public_id=before_id).first()
        if before is None:
            raise Http404
    context = {"access": access, "case": access.case, **_timeline_page(access.case, before)}
    template = "cases/_timeline_page.html" if _is_htmx(request) else "cases/timeline.html"
    return _render(request, template, context)


# ---------------------------------------------------------------------------------------------
# Edit


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    case = _write(request, public_id, DataCategory.IDENTITY, DataCategory.LEGAL_STATUS)
    child = case.child
    known = [{"full_name": n.full_name, "note": n.note} for n in child.names.filter(kind=NameKind.ALIAS)]
    if request.method == "POST":
        form = ChildForm(request.POST, existing_aliases=known)
        if form.is_valid():
            assert form.schema is not None
            try:
                actions.do_update_child(me, case, form.schema)
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, gettext("The child's details are saved."))
                return redirect("case_detail", public_id=case.public_id)
    else:
        form = ChildForm(
            existing_aliases=known,
            initial={
                "given_names": child.given_names,
                "family_name": child.family_name,
                "name_latin": child.name_latin,
                "sex": child.sex,
                "birth_date": child.birth_date,
                "birth_date_precision": child.birth_date_precision,
                "assessed_age_min": child.assessed_age_min,
                "assessed_age_max": child.assessed_age_max,
                "assessed_on": child.assessed_on,
                "nationality": child.nationality,
                "languages": list(child.languages or []),
            },
        )
    return _render(
        request,
        "cases/child_edit.html",
        {
            "case": case,
            "child": child,
            "form": form,
            "aliases": known,
            "identifiers": list(child.identifiers.all()),
        },
        invalid=request.method == "POST",
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    case = _write(request, public_id, DataCategory.CASE_NOTES, DataCategory.FAMILY, DataCategory.GUARDIAN)
    if request.method == "POST":
        form = CaseForm(request.POST, user=me, caseworker=case.caseworker, guardian=case.guardian)
        if form.is_valid():
            assert form.schema is not None
            try:
                actions.do_update_case(me, case, form.schema)
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, gettext("The case is saved."))
                return redirect("case_detail", public_id=case.public_id)
    else:
        form = CaseForm(
            initial={k: "" if v is None else v for k, v in CaseIn.values_of(case).items()},
            user=me,
            caseworker=case.caseworker,
            guardian=case.guardian,
        )
    return _render(
        request, "cases/case_edit.html", {"case": case, "form": form}, invalid=request.method == "POST"
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def care_plan_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    case = _write(request, public_id, DataCategory.CASE_NOTES)
    plan = CarePlan.objects.filter(case=case).select_related("responsible", "case__child").first()
    responsible = plan.responsible if plan else None
    if request.method == "POST":
        form = CarePlanForm(request.POST, user=me, responsible=responsible)
        if form.is_valid():
            assert form.schema is not None
            try:
                actions.do_update_care_plan(me, case, form.schema)
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(
                    request, gettext("Care plan saved. The earlier version is kept in its history.")
                )
                return redirect("case_detail", public_id=case.public_id)
    else:
        initial = {}
        if plan is not None:
            initial = {
                "needs": plan.needs_text,
                "objectives": plan.objectives_text,
                "services": plan.services_text,
                "responsible": responsible.username if responsible else "",
                "review_date": plan.review_date,
            }
        form = CarePlanForm(user=me, responsible=responsible, initial=initial)
    return _render(
        request, "cases/care_plan_edit.html", {"case": case, "form": form}, invalid=request.method == "POST"
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def alias_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    case = _write(request, public_id, DataCategory.IDENTITY)
    if request.method == "POST":
        form = AliasForm(request.POST)
        if form.is_valid():
            assert form.schema is not None
            try:
                actions.do_add_alias(me, case, form.schema)
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, gettext("Alias added."))
                return redirect("case_detail", public_id=case.public_id)
    else:
        form = AliasForm()
    return _render(
        request, "cases/alias_add.html", {"case": case, "form": form}, invalid=request.method == "POST"
    )


@login_required
@purpose_required
@require_POST
def consent_withdraw(request: HttpRequest, public_id: uuid.UUID, consent_id: int) -> HttpResponse:
    """The child withdraws a consent (recorded by whoever may write the case's notes)."""
    case = _write(request, public_id, DataCategory.CASE_NOTES)
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    if consent.withdrawn_at is None:
        actions.do_withdraw_consent(_me(request), case, consent.pk)
        messages.success(request, gettext("The consent is withdrawn: nothing more is shared on it."))
    return redirect("case_detail", public_id=case.public_id)


# ---------------------------------------------------------------------------------------------
# The child's accounts (tell it once)


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def account_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record the child's account from an interview, for the declared purpose, resting on one of
    the case's consents; with ``?corrects=<account id>``, a corrected version of one (the earlier
    is kept). Needs the right to write ``disclosure`` on the case for the purpose (else 404)."""
    me = _me(request)
    purpose = _purpose(request)
    case = _write(request, public_id, DataCategory.DISCLOSURE)
    org_slug = me.organisation.slug if me.organisation is not None else ""
    consents = consents_covering(case, org_slug, purpose, timezone.localdate())
    wanted = request.POST.get("corrects") or request.GET.get("corrects") or ""
    corrected = None
    if wanted:
        try:
            corrected = accounts_of(case).filter(public_id=uuid.UUID(wanted)).first()
        except ValueError:
            corrected = None
        if corrected is None:
            raise Http404
    if request.method == "POST":
        form = AccountForm(request.POST, consents=consents, correcting=corrected is not None)
        if form.is_valid():
            assert form.schema is not None
            try:
                account = do_record_account(me, case, purpose, form.schema)
            except ActionError as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(
                    request,
                    gettext("The child's account is recorded. The next professional can read it here.")
                    if corrected is None
                    else gettext("The corrected version is recorded; the earlier one is kept."),
                )
                return redirect(
                    f"{reverse('case_detail', args=[case.public_id])}#account-{account.public_id}"
                )
    else:
        initial: dict[str, Any] = {"interviewed_at": timezone.localtime().replace(second=0, microsecond=0)}
        if corrected is not None:
            initial = {
                "interviewed_at": timezone.localtime(corrected.interviewed_at),
                "interviewer_name": corrected.interviewer_name,
                "language": corrected.language,
                "interpreter": corrected.interpreter,
                "interpreter_language": corrected.interpreter_language,
                "words": corrected.words_text,
                "summary": corrected.summary_text,
                "corrects": str(corrected.public_id),
            }
        if consents:
            initial["consent"] = consents[0].pk
        form = AccountForm(initial=initial, consents=consents, correcting=corrected is not None)
    return _render(
        request,
        "cases/account_add.html",
        {"case": case, "form": form, "corrected": corrected, "consents": consents, "purpose": purpose},
        invalid=request.method == "POST",
    )


# ---------------------------------------------------------------------------------------------
# Timeline


def event_form_for(access: CaseAccess, *args: Any, **kwargs: Any) -> EventForm:
    """The add-event form for this user and case: categories they may write, the status change
    offered only if they may update the case's notes (where its status lives)."""
    form = EventForm(
        *args,
        writable=access.can_update,
        current_status=access.case.status,
        may_change_status=DataCategory.CASE_NOTES in access.can_update,
        **kwargs,
    )
    # A new type redraws the fields it decides (the category, the status change it offers).
    form.fields["type"].widget.attrs.update(
        {
            "hx-get": reverse("event_add", args=[access.case.public_id]),
            "hx-trigger": "change",
            "hx-target": "#event-kind-fields",
            "hx-select": "#event-kind-fields",
            "hx-swap": "outerHTML",
            "hx-include": "#event-form",
        }
    )
    return form


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add an event. From htmx: the fresh form, plus the new event prepended to the timeline
    out of band; or the form with its errors in place (422). Without JS: a page and a redirect.
    A GET with ``?type=`` draws the form for that type (htmx asks when the type changes)."""
    me = _me(request)
    access = _read(request, public_id)
    case = access.case
    htmx = _is_htmx(request)
    if request.method == "POST":
        form = event_form_for(access, request.POST)
        if form.is_valid():
            assert form.schema is not None
            written = [form.schema.category] + (
                [DataCategory.CONTACT_LOCATION] if form.schema.location else []
            )
            wanted = form.wanted_status()
            if wanted is not None:
                written.append(DataCategory.CASE_NOTES)
            refused = [c for c in written if c not in access.can_update]
            if refused:
                # Said in place, never a bare 404: the person may already see this case.
                field = (
                    "location"
                    if refused == [DataCategory.CONTACT_LOCATION] and form.schema.location
                    else "category"
                )
                form.add_error(
                    field,
                    gettext("You may not record %(category)s on this case for your purpose.")
                    % {"category": ", ".join(str(DataCategory(c).label) for c in refused)},
                )
            else:
                try:
                    case = _write(request, public_id, *written)
                except Http404:
                    # Read but not written a moment later (a purpose or an agreement changed).
                    return _save_refused(request, written)
                try:
                    event = actions.do_add_event(
                        me,
                        case,
                        form.schema,
                        status=wanted[0] if wanted else None,
                        missing_category=wanted[1] if wanted else "",
                    )
                except ActionError as exc:
                    add_errors(form, exc.errors)
                else:
                    if wanted is not None:
                        messages.success(
                            request,
                            gettext("The case is now marked %(status)s.")
                            % {"status": wanted[0].label.lower()},
                        )
                    if htmx and wanted is not None:
                        # A status change redraws the whole situation: a full page, even from htmx.
                        response = HttpResponse()
                        response["HX-Redirect"] = reverse("case_detail", args=[case.public_id])
                        return response
                    if not htmx:
                        return redirect("case_detail", public_id=case.public_id)
                    # access None: the new event is drawn from what the user has just written.
                    return _render(
                        request,
                        "cases/_event_added.html",
                        {
                            "case": case,
                            "access": None,
                            "event_form": event_form_for(access),
                            "event": event,
                            "added": True,
                        },
                    )
    else:
        # What was typed before the type changed; the category follows the new type.
        kept = ("occurred_at", "source", "summary", "details", "location")
        initial = {k: request.GET[k] for k in kept if request.GET.get(k)}
        if request.GET.get("type") in EventType.values:
            initial["type"] = request.GET["type"]
        form = event_form_for(access, initial=initial)
    invalid = request.method == "POST"
    context = {"case": case, "access": access, "event_form": form}
    if htmx:
        return _render(request, "cases/_event_form.html", context, invalid=invalid)
    return _render(request, "cases/event_add.html", context, invalid=invalid)


def _save_refused(request: HttpRequest, categories: Sequence[str]) -> HttpResponse:
    """A save the policies refused on a case the user reads: which categories, for which purpose,
    and what to do. htmx shows it in place (static/waymark/app.js); without JS it is a page."""
    labels = [str(DataCategory(c).label) for c in categories]
    purpose = _purpose(request)
    message = gettext(
        "Not saved: your role may not record %(categories)s on this case for the purpose “%(purpose)s”. "
        "Choose another data category, or ask the child's caseworker to record it."
    ) % {"categories": ", ".join(labels), "purpose": purpose.label}
    template = "cases/_save_refused.html" if _is_htmx(request) else "cases/save_refused.html"
    response = _render(request, template, {"message": message})
    response.status_code = FORBIDDEN
    return response


# ---------------------------------------------------------------------------------------------
# Photo


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def child_photo(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """GET: the photo, only through access_case (never a public media URL), opened from the
    vault. POST: replace it (cleaned of its metadata, sealed); a photo over a size limit is a 400."""
    me = _me(request)
    if request.method == "GET":
        access = _read(request, public_id)
        child = access.case.child
        if not child.photo or not access.can(DataCategory.PHOTO):
            raise Http404
        try:
            data = photos.read_photo(child)
        except photos.PhotoUnavailable as exc:
            raise Http404 from exc
        response = HttpResponse(data, content_type=photos.content_type(data))
        response["Content-Disposition"] = "inline"
        # A child's photo must not sit in shared or browser caches.
        add_never_cache_headers(response)
        response["Cache-Control"] = "private, no-store"
        return response

    access = _write_access(request, public_id, DataCategory.PHOTO)
    form = PhotoForm(request.POST, request.FILES)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            checked = actions.check_photo(form.cleaned_data["photo"])
            actions.do_set_photo(me, access.case, checked)
        except ActionError as exc:
            add_errors(form, exc.errors)
            if isinstance(exc, photos.PhotoTooLarge):
                status = BAD_REQUEST
        else:
            messages.success(request, gettext("Photo saved."))
            return redirect("case_detail", public_id=access.case.public_id)
    response = _render(
        request, "cases/photo_form.html", {"case": access.case, "access": access, "form": form}
    )
    response.status_code = status
    return response


# ---------------------------------------------------------------------------------------------
# Purpose


@login_required
@require_http_methods(["GET", "POST"])
def purpose_choose(request: HttpRequest) -> HttpResponse:
    """Declare why you are working with child data; remembered for the session, shown on every page.

    Immigration enforcement is listed so that choosing it is refused, visibly and audited.
    """
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("dashboard"))
    error = ""
    if request.method == "POST":
        try:
            purpose = Purpose(request.POST.get("purpose", ""))
        except ValueError:
            error = gettext("Choose one of the purposes below.")
        else:
            if purpose == Purpose.IMMIGRATION_ENFORCEMENT:
                record_refusal(_me(request), purpose, "firewall-purpose")
                return render(request, "cases/purpose_refused.html", status=403)
            if capabilities(request).offers(purpose):
                set_purpose(request, purpose)
                return redirect(next_url)
            error = gettext(
                "This purpose opens no child's record to your role: choose one of the purposes below."
            )
    caps = capabilities(request)
    return _render(
        request,
        "cases/purpose_choose.html",
        {
            "purposes": offered_purposes(caps),
            "next": next_url,
            "error": error,
            "chosen": current_purpose(request),
            "no_child_data": not caps.purposes,
        },
        invalid=bool(error),
    )
