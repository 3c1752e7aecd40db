"""The case API: thin handlers — parse (schemas.py), fetch-and-authorise (access.py), act
(actions.py), then build the output (api_schemas.py).

Every handler starts with ``api_caller(request)``; every case URL goes through
``access_case``, so an unknown case and a case the caller may not see are the same 404.
Errors are raised, never returned: waymark/api.py turns them into the JSON error format.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from waymark.errors import ActionError, Refused
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.vocab import CaseStatus, DataCategory, MissingCategory, PolicyAction, RiskLevel

from . import access, actions
from .accounts import accounts_of, do_record_account
from .api_schemas import (
    READ_ANSWERS,
    WRITE_ANSWERS,
    AccountList,
    AccountOut,
    AwaitingGuardianOut,
    CarePlanOut,
    CaseDetailOut,
    CasePage,
    ChildNameOut,
    ChildOut,
    ConsentList,
    ConsentOut,
    ErrorOut,
    EventOut,
    EventPage,
    account_out,
    awaiting_guardian_out,
    care_plan_of,
    care_plan_out,
    case_detail_out,
    case_summary_out,
    child_out,
    consent_out,
    event_out,
    rules_422,
)
from .models import Case, Consent, Event, NameKind
from .redaction import Withheld, redact, redact_event
from .schemas import (
    NO_NUL,
    AccountIn,
    AliasIn,
    CarePlanIn,
    CaseIn,
    ChildIn,
    ConsentIn,
    EventIn,
    RegisterChildIn,
)
from .search import COUNT_CAP, ROW_CATEGORIES, CaseFilters, capped_count, search_ranked, search_visible

router = Router(tags=["cases"])

# Error responses each kind of operation can give, for the OpenAPI document: 400 the request
# breaks the document, 401 no valid token, 403 refused for who the caller is (the purpose
# immigration_enforcement, a role), 404 no such case or not yours to see (the same answer),
# 415 a body that is not JSON, 422 a rule the document cannot state (listed per operation).
_READ = READ_ANSWERS
_WRITE = WRITE_ANSWERS
_rules = rules_422


_CHILD_RULES = (
    "`given_names`: give at least one of `given_names`, `family_name` or an alias",
    "`nationality`: an ISO 3166-1 alpha-2 country code (e.g. ER, AF)",
    "`languages`: ISO 639 language codes (e.g. ar, ti, prs)",
    "`birth_date`, `assessed_on`: not in the future",
    "`assessed_age_min`: precision `estimated` needs the assessed age range, min not above max",
    "`birth_date_precision`: an assessed age range needs precision `estimated`",
    "`aliases.N.full_name`, `identifiers.N.value`: not blank once trimmed",
)
_CASE_RULES = (
    "`missing_category`: a case with status `missing` needs a missing-child category",
    "`caseworker`: an active user of the organisation holding the case",
    "`guardian`: an active user with the guardian role",
)

MAX_PAGE = 100
DEFAULT_PAGE = 25
# Paging is bounded so no request scans without end (an offset costs the rows it skips). The
# case list counts at most COUNT_CAP matches, so pages past it are not offered: narrow the
# search instead. A timeline is one child's: ten thousand events is more than any case holds.
MAX_CASES_OFFSET = COUNT_CAP
MAX_EVENTS_OFFSET = 10_000


def _read(caller: ApiCaller, public_id: str) -> access.CaseAccess:
    """The case at this URL and what the caller may see of it for their purpose, else
    ``NotFound`` (a 404). Audited."""
    return access.access_case(caller.user, public_id, caller.purpose)


def _write(caller: ApiCaller, public_id: str, *categories: str) -> access.CaseAccess:
    """The case if the caller may change every one of ``categories`` of it, else a 404; with
    the caller's read decisions, which redact the answer (changing is not reading). Audited."""
    return access.access_case(
        caller.user, public_id, caller.purpose, action=PolicyAction.UPDATE, categories=categories
    )


def _reload(case: Case) -> Case:
    """The case with the relations its detail output reads, after an action changed it."""
    return (
        Case.objects.select_related(
            "child",
            "organisation",
            "caseworker__organisation",
            "guardian__organisation",
            "care_plan__responsible__organisation",
            "care_plan__updated_by__organisation",
        )
        .prefetch_related("child__names", "child__identifiers")
        .get(pk=case.pk)
    )


# ---------------------------------------------------------------------------------------------
# Cases


@router.get(
    "",
    response={200: CasePage, **_READ},
    summary="Search cases",
    operation_id="listCases",
    openapi_extra={
        "responses": {
            "403": {
                "description": "Refused: the purpose immigration_enforcement; or a filter on `status`, "
                "`risk_level` or `missing_category` when you may see case notes on no case for this "
                "purpose (`errors` names the filter). Elsewhere a filter applies only to the cases "
                "whose case notes you may see."
            }
        }
    },
)
def list_cases(
    request: HttpRequest,
    q: str = Query(
        "",
        description="a name in any spelling or script, or a case reference",
        max_length=200,
        pattern=NO_NUL,
    ),
    status: CaseStatus | None = None,
    risk_level: RiskLevel | None = None,
    missing_category: MissingCategory | None = None,
    organisation: str = Query("", description="organisation slug", max_length=64, pattern=NO_NUL),
    limit: int = Query(DEFAULT_PAGE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_CASES_OFFSET),
) -> CasePage:
    """Cases the caller may see: with a name in ``q``, ranked by how well the child's names agree
    (any spelling, script or order; at most 100); otherwise most recently active first."""
    caller = api_caller(request)
    filters = CaseFilters(
        q=q,
        status=status or "",
        risk_level=risk_level or "",
        missing_category=missing_category or "",
        organisation=organisation,
    )
    # A name query is ranked by how well names agree (best first); anything else is filtered.
    ranked = search_ranked(caller.user, caller.purpose, filters)
    if ranked is not None:
        # Only the cases on the page are loaded; the count is of every case ranked.
        page = [r.case for r in ranked.page(offset, offset + limit)]
        count, capped = len(ranked.hits), False
    else:
        found = search_visible(caller.user, caller.purpose, filters)
        # Count the filtered cases alone; the page adds the joins its summaries read.
        page = list(found.select_related("child", "organisation")[offset : offset + limit])
        count, capped = capped_count(found)
    rows = access.decide_page(caller.user, page, caller.purpose, ROW_CATEGORIES)
    items = [redact(case_summary_out(c), rows.by_case[c.pk]) for c in page]
    return CasePage(count=count, count_capped=capped, items=items)


@router.post(
    "",
    response={201: CaseDetailOut, **_WRITE, 409: ErrorOut},
    summary="Register a child",
    operation_id="registerChild",
    openapi_extra=_rules(
        *(f"child.{r}" for r in _CHILD_RULES),
        *(f"case.{r}" for r in _CASE_RULES),
        "`registered_at`: not in the future, nor more than twenty years ago",
    ),
)
def register_child(request: HttpRequest, payload: RegisterChildIn) -> Status[CaseDetailOut]:
    """Register a child and open their case. A probable duplicate is a 409 listing the
    duplicates' references; send again with ``confirm_not_duplicate: true`` to register anyway."""
    caller = api_caller(request)
    if not access.check_may_register(caller.user, caller.purpose, access.REGISTER_CATEGORIES):
        raise Refused("your role may not register children for this purpose")
    case = actions.do_register_child(caller.user, payload)
    seen = _read(caller, str(case.public_id))
    return Status(201, redact(case_detail_out(_reload(case)), seen.decisions))


@router.get("/{public_id}", response={200: CaseDetailOut, **_READ}, summary="A case", operation_id="getCase")
def get_case(request: HttpRequest, public_id: str) -> CaseDetailOut:
    seen = _read(api_caller(request), public_id)
    return redact(case_detail_out(_reload(seen.case)), seen.decisions)


@router.patch(
    "/{public_id}",
    response={200: CaseDetailOut, **_WRITE},
    summary="Update a case",
    operation_id="updateCase",
    openapi_extra=_rules(*_CASE_RULES),
)
def update_case(request: HttpRequest, public_id: str, payload: CaseIn) -> CaseDetailOut:
    """Fields sent replace the case's values; fields left out keep theirs (send ``null`` to
    clear ``caseworker``, ``guardian`` or ``missing_category``). Marking a case ``missing``
    needs ``missing_category`` in the same request unless the case already has one."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.CASE_NOTES, DataCategory.FAMILY, DataCategory.GUARDIAN)
    data = _merge_case(seen.case, payload)
    try:
        updated = actions.do_update_case(caller.user, seen.case, data)
    except ActionError as exc:
        # The action names fields as in a registration ("case.caseworker"); here the case is
        # the whole body.
        raise ActionError({k.removeprefix("case."): v for k, v in exc.errors.items()}) from exc
    return redact(case_detail_out(_reload(updated)), seen.decisions)


def _merge_case(case: Case, payload: CaseIn) -> CaseIn:
    """The case's current values overlaid with what the request sent, validated again as a
    whole (a pydantic error here becomes a 400 naming the field)."""
    return CaseIn.from_case(case, **payload.model_dump(exclude_unset=True))


# ---------------------------------------------------------------------------------------------
# The child


@router.get(
    "/{public_id}/child",
    response={200: ChildOut, **_READ},
    summary="The child of a case",
    operation_id="getChild",
)
def get_child(request: HttpRequest, public_id: str) -> ChildOut:
    seen = _read(api_caller(request), public_id)
    return redact(child_out(seen.case.child), seen.decisions)


@router.put(
    "/{public_id}/child",
    response={200: ChildOut, **_WRITE},
    summary="Replace the child's identity",
    operation_id="replaceChild",
    openapi_extra=_rules(*_CHILD_RULES),
)
def update_child(request: HttpRequest, public_id: str, payload: ChildIn) -> ChildOut:
    """Replaces every identity field. Aliases and identifiers sent are added; none is removed."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.IDENTITY, DataCategory.LEGAL_STATUS)
    child = actions.do_update_child(caller.user, seen.case, payload)
    return redact(child_out(child), seen.decisions)


@router.post(
    "/{public_id}/aliases",
    response={201: ChildNameOut, **_WRITE},
    summary="Add a name the child is known by",
    operation_id="addAlias",
    openapi_extra=_rules(
        "`full_name`: not blank once trimmed; a child has at most 50 other names (the most a "
        "message between nodes carries)"
    ),
)
def add_alias(request: HttpRequest, public_id: str, payload: AliasIn) -> Status[ChildNameOut]:
    caller = api_caller(request)
    case = _write(caller, public_id, DataCategory.IDENTITY).case
    # The answer is the name the caller has just sent: nothing they could not see already.
    name = actions.do_add_alias(caller.user, case, payload)
    return Status(201, ChildNameOut(kind=NameKind(name.kind), full_name=name.full_name, note=name.note))


# ---------------------------------------------------------------------------------------------
# Timeline


@router.get(
    "/{public_id}/events",
    response={200: EventPage, **_READ},
    summary="The case's timeline",
    operation_id="listEvents",
)
def list_events(
    request: HttpRequest,
    public_id: str,
    limit: int = Query(DEFAULT_PAGE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_EVENTS_OFFSET),
) -> EventPage:
    """Newest first (by when it happened)."""
    seen = _read(api_caller(request), public_id)
    events: QuerySet[Event] = seen.case.events.order_by("-occurred_at", "-id")
    page = events.select_related("author__organisation", "author_org")[offset : offset + limit]
    return EventPage(count=events.count(), items=[redact_event(event_out(e), seen.decisions) for e in page])


@router.post(
    "/{public_id}/events",
    response={201: EventOut, **_WRITE},
    summary="Add to the timeline",
    operation_id="addEvent",
    openapi_extra=_rules(
        "`summary`: not blank once trimmed", "`occurred_at`: not in the future (five minutes' grace)"
    ),
)
def add_event(request: HttpRequest, public_id: str, payload: EventIn) -> Status[EventOut]:
    caller = api_caller(request)
    written = [payload.category] + ([DataCategory.CONTACT_LOCATION] if payload.location else [])
    seen = _write(caller, public_id, *written)
    event = actions.do_add_event(caller.user, seen.case, payload)
    added = Event.objects.select_related("author__organisation", "author_org").get(pk=event.pk)
    return Status(201, redact_event(event_out(added), seen.decisions))


# ---------------------------------------------------------------------------------------------
# Care plan


@router.get(
    "/{public_id}/care-plan",
    response={200: CarePlanOut, **_READ},
    summary="The care plan",
    operation_id="getCarePlan",
)
def get_care_plan(request: HttpRequest, public_id: str) -> CarePlanOut:
    seen = _read(api_caller(request), public_id)
    if not seen.can(DataCategory.CASE_NOTES):
        raise Withheld(seen.withheld_note(DataCategory.CASE_NOTES))
    case = _reload(seen.case)
    plan = care_plan_of(case)
    if plan is None:
        # A case registered by an action always has one; answer as if it were empty.
        return CarePlanOut(
            needs="",
            objectives="",
            services="",
            responsible=None,
            review_date=None,
            updated_at=case.opened_at,
            updated_by=None,
        )
    return care_plan_out(plan)


@router.put(
    "/{public_id}/care-plan",
    response={200: CarePlanOut, **_WRITE},
    summary="Replace the care plan",
    operation_id="replaceCarePlan",
    openapi_extra=_rules(
        "`responsible`: an active user of the organisation holding the case who does casework (not its DPO or node administrator)",
        "`review_date`: not in the past (a date already set may be kept)",
    ),
)
def update_care_plan(request: HttpRequest, public_id: str, payload: CarePlanIn) -> CarePlanOut:
    """Replaces every field of the care plan; the version replaced is kept in its history."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.CASE_NOTES)
    actions.do_update_care_plan(caller.user, seen.case, payload)
    plan = care_plan_of(_reload(seen.case))
    assert plan is not None  # the action has just written it
    return redact(care_plan_out(plan), seen.decisions)


# ---------------------------------------------------------------------------------------------
# Consent


@router.get(
    "/{public_id}/consents",
    response={200: ConsentList, **_READ},
    summary="Consents given",
    operation_id="listConsents",
)
def list_consents(request: HttpRequest, public_id: str) -> ConsentList:
    """Newest first, withdrawn ones included (``withdrawn_at`` says so)."""
    seen = _read(api_caller(request), public_id)
    consents = list(seen.case.consents.select_related("recorded_by__organisation"))
    return ConsentList(count=len(consents), items=[redact(consent_out(c), seen.decisions) for c in consents])


@router.post(
    "/{public_id}/consents",
    response={201: ConsentOut, **_WRITE},
    summary="Record a consent",
    operation_id="recordConsent",
    openapi_extra=_rules(
        "`recipient_org`: not blank once trimmed",
        "`valid_until`: not before `valid_from`",
        "`purpose`: never immigration_enforcement",
    ),
)
def record_consent(request: HttpRequest, public_id: str, payload: ConsentIn) -> Status[ConsentOut]:
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.CASE_NOTES)
    consent = actions.do_record_consent(caller.user, seen.case, payload)
    recorded = Consent.objects.select_related("recorded_by__organisation").get(pk=consent.pk)
    return Status(201, redact(consent_out(recorded), seen.decisions))


@router.post(
    "/{public_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **_WRITE},
    summary="Withdraw a consent",
    operation_id="withdrawConsent",
    openapi_extra=_rules("`consent`: a consent of this case, not already withdrawn"),
)
def withdraw_consent(request: HttpRequest, public_id: str, consent_id: int) -> ConsentOut:
    """The child withdraws a consent: sharing that rests on it stops at the next decision. A
    consent that is not this case's is refused naming the field ``consent``, as is one already
    withdrawn."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.CASE_NOTES)
    consent = actions.do_withdraw_consent(caller.user, seen.case, consent_id)
    withdrawn = Consent.objects.select_related("recorded_by__organisation").get(pk=consent.pk)
    return redact(consent_out(withdrawn), seen.decisions)


# ---------------------------------------------------------------------------------------------
# The child's accounts (tell it once)


@router.get(
    "/{public_id}/accounts",
    response={200: AccountList, **_READ},
    summary="The child's accounts",
    operation_id="listAccounts",
    openapi_extra={
        "responses": {
            "403": {
                "description": "Refused: the purpose immigration_enforcement, or you may not read "
                "`disclosure` on this case for your purpose (the accounts are withheld, not hidden)"
            }
        }
    },
)
def list_accounts(request: HttpRequest, public_id: str) -> AccountList:
    """Every version of every account of the child (the child's own account from an interview,
    recorded here or received from a partner with its provenance), newest interview first."""
    seen = _read(api_caller(request), public_id)
    if not seen.can(DataCategory.DISCLOSURE):
        raise Withheld(seen.withheld_note(DataCategory.DISCLOSURE))
    found = list(accounts_of(seen.case))
    return AccountList(count=len(found), items=[account_out(a) for a in found])


@router.post(
    "/{public_id}/accounts",
    response={201: AccountOut, **_WRITE},
    summary="Record the child's account",
    operation_id="recordAccount",
    openapi_extra=_rules(
        "`consent`: a consent of this case to your organisation, for the purpose declared, covering "
        "`disclosure`, in date and not withdrawn",
        "`language`, `interpreter_language`: ISO 639 language codes; `interpreter_language` exactly "
        "when `interpreter` is true",
        "`interviewed_at`: not in the future (five minutes' grace)",
        "`corrects`: the latest version of an account of this case; then `correction_note` is required",
        "`words`, `summary`: not blank once trimmed",
    ),
)
def record_account(request: HttpRequest, public_id: str, payload: AccountIn) -> Status[AccountOut]:
    """Record the child's account from an interview once (category disclosure, for the purpose
    declared in ``Waymark-Purpose``), resting on one of the case's consents; with ``corrects``, a
    new version of an account, the earlier one kept. Never edited in place."""
    caller = api_caller(request)
    seen = _write(caller, public_id, DataCategory.DISCLOSURE)
    account = do_record_account(caller.user, seen.case, caller.purpose, payload)
    return Status(201, account_out(accounts_of(seen.case).get(pk=account.pk)))


# ---------------------------------------------------------------------------------------------
# Guardian appointments (a supervisor's or coordinator's list)

appointments_router = Router(tags=["cases"])


@appointments_router.get(
    "",
    response={200: list[AwaitingGuardianOut], **_READ},
    summary="Unaccompanied children waiting for a guardian, oldest first, with each appointment's clock",
    operation_id="listAwaitingGuardian",
)
def list_awaiting_guardian(request: HttpRequest) -> list[AwaitingGuardianOut]:
    """What the dashboard's "Waiting for a guardian" panel lists (at most 20, oldest first): the
    open cases you may see of unaccompanied children with no guardian yet, each with its
    appointment clock (``overdue`` past the country's limit) and when it was escalated to the
    supervisors (``manage.py escalate_guardian_appointments``)."""
    caller = api_caller(request)
    cases = access.without_guardian(caller.user, caller.purpose)
    categories = [*ROW_CATEGORIES, DataCategory.GUARDIAN, DataCategory.FAMILY]
    rows = access.decide_page(caller.user, cases, caller.purpose, categories)
    return [redact(awaiting_guardian_out(c), rows.by_case[c.pk]) for c in cases]
