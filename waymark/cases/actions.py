"""Actions: the only code that writes the case record.

Each public ``do_*`` runs in one transaction: it either writes everything it means to (the
business rows and, once the firewall lands, the audit row) or nothing. ``check_*`` validate
and resolve references first and raise ``ActionError`` naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.core import names as name_prep
from waymark.core.guardianship import limit_for
from waymark.errors import ActionError, DuplicateWarning
from waymark.vault import service as vault
from waymark.vault.sealed import sealed_field
from waymark.vocab import (
    CASEWORK_ROLES,
    SPECIAL_CATEGORIES,
    CaseStatus,
    DataCategory,
    EventSource,
    EventType,
    MissingCategory,
    Role,
    Sector,
    Sex,
)

from . import event_kinds
from .models import (
    CarePlan,
    CarePlanVersion,
    Case,
    Child,
    ChildName,
    Consent,
    Event,
    Identifier,
    MatchKey,
    NameKey,
    NameKind,
)
from .photos import SEALED_SUFFIX, CleanPhoto, PhotoTooLarge, clean_photo, seal_photo
from .ranked import Ranked, birth_from, rank
from .schemas import MAX_ALIASES, AliasIn, CarePlanIn, CaseIn, ChildIn, ConsentIn, EventIn, RegisterChildIn

# ---------------------------------------------------------------------------------------------
# Helpers


def _require_org(user: User) -> None:
    org = user.organisation
    if org is None:
        raise ActionError("your account belongs to no organisation", field="")
    if org.sector == Sector.IMMIGRATION_ENFORCEMENT:
        # The firewall: immigration enforcement never holds or creates child-protection records.
        raise ActionError("immigration enforcement cannot register children in Waymark", field="")


def _resolve_user(
    username: str | None, field: str, *, user: User, org: Organisation | None, role: Role | None = None
) -> User | None:
    """A colleague of the case's organisation (``org``) named by username; guardians may belong
    to another organisation. A partner recording under an agreement names the owner's staff."""
    if not username:
        return None
    qs = User.objects.filter(username=username, is_active=True)
    # Colleagues come from the case's organisation; a guardian may sit in a guardianship office.
    qs = qs.filter(organisation=org) if role is None else qs.filter(role=role)
    found = qs.first()
    if found is None:
        if role == Role.GUARDIAN:
            who = "a guardian"
        elif org is not None and org.pk != user.organisation_id:
            who = f"an active user of {org.slug}, the organisation holding the case"
        else:
            who = "an active user of your organisation"
        raise ActionError(f"'{username}' is not {who}", field=field)
    return found


def _index_name(child: Child, name: ChildName) -> None:
    NameKey.objects.bulk_create(
        [
            NameKey(child=child, name=name, latin=latin[:100], skeleton=skel[:100])
            for latin, skel in name_prep.name_keys(name.full_name)
        ]
    )
    MatchKey.objects.bulk_create(match_keys_of(child.pk, name.pk, name.full_name))


def match_keys_of(child_id: int, name_id: int, full_name: str) -> list[MatchKey]:
    """The ranked search's keys of one name (also used by ``reindex_names`` and the benchmark)."""
    return [
        MatchKey(child_id=child_id, name_id=name_id, key=key[:64], version=name_prep.NAMES_VERSION)
        for key in name_prep.match_keys(name_prep.name_forms(full_name))
    ]


def _add_name(child: Child, full_name: str, kind: NameKind, user: User, note: str = "") -> ChildName:
    name = ChildName.objects.create(
        child=child,
        kind=kind,
        full_name=full_name,
        note=note,
        recorded_by=user,
        recorded_by_org_id=user.organisation_id,
    )
    _index_name(child, name)
    return name


def _reindex_primary(child: Child, user: User) -> None:
    ChildName.objects.filter(child=child, kind__in=[NameKind.PRIMARY, NameKind.TRANSLITERATION]).delete()
    if child.full_name:
        _add_name(child, child.full_name, NameKind.PRIMARY, user)
    if child.name_latin and name_prep.normalise(child.name_latin) != name_prep.normalise(child.full_name):
        _add_name(child, child.name_latin, NameKind.TRANSLITERATION, user)


def _apply_child_fields(child: Child, data: ChildIn) -> None:
    child.given_names = data.given_names
    child.family_name = data.family_name
    full = " ".join(p for p in (data.given_names, data.family_name) if p)
    # Without a given Latin form, store the script-neutral transliteration.
    child.name_latin = data.name_latin or name_prep.transliterate(full).title()
    child.sex = data.sex
    child.birth_date = data.birth_date
    child.birth_date_precision = data.birth_date_precision
    child.assessed_age_min = data.assessed_age_min
    child.assessed_age_max = data.assessed_age_max
    child.assessed_on = data.assessed_on
    child.nationality = data.nationality
    child.languages = data.languages


def _seal(
    child: Child, model: type[Case | Event | CarePlan | CarePlanVersion | Consent], name: str, text: str
) -> str:
    """``text`` sealed for the child's column (waymark/vault/README.md); the caller's transaction
    also holds the child's new data key, if this is the first value sealed for them."""
    return vault.seal_text(child, sealed_field(model, name), text)


def _apply_case_fields(case: Case, data: CaseIn, user: User, *, child: Child) -> bool:
    """Set the case's fields from ``data``; True when a (new) guardian was appointed."""
    if data.status == CaseStatus.TRANSFERRED and case.status != CaseStatus.TRANSFERRED:
        # Only an accepted transfer makes the copy kept here read-only (close_transferred_copy);
        # by hand it would lock the case with nothing transferred.
        raise ActionError(
            "a case becomes 'transferred' only when another organisation accepts its transfer",
            field="case.status",
        )
    case.status = data.status
    case.missing_category = data.missing_category or ""
    case.unaccompanied = data.unaccompanied
    case.separated = data.separated
    case.risk_level = data.risk_level
    case.risk_reasons = _seal(child, Case, "risk_reasons", data.risk_reasons)
    org = case.organisation
    case.caseworker = _resolve_user(data.caseworker, "case.caseworker", user=user, org=org)
    old_guardian = case.guardian_id
    case.guardian = _resolve_user(data.guardian, "case.guardian", user=user, org=org, role=Role.GUARDIAN)
    appointed = case.guardian_id is not None and case.guardian_id != old_guardian
    if appointed:
        # The guardian-appointment clock is met when the appointment is recorded.
        case.guardian_appointed_at = timezone.now()
    elif case.guardian_id is None:
        case.guardian_appointed_at = None
        case.guardian_escalated_at = None
    if data.status == CaseStatus.CLOSED and case.closed_at is None:
        case.closed_at = timezone.now()
    elif data.status != CaseStatus.CLOSED:
        case.closed_at = None
    return appointed


def _guardian_event(case: Case, user: User) -> None:
    assert case.guardian is not None and case.guardian_appointed_at is not None
    create_event(
        case,
        type=EventType.GUARDIAN_APPOINTED,
        occurred_at=case.guardian_appointed_at,
        author=user,
        category=DataCategory.GUARDIAN,
        summary=f"Guardian appointed: {case.guardian.get_username()}",
    )


# ---------------------------------------------------------------------------------------------
# Register a child


def registration_candidates(user: User, data: ChildIn) -> list[Ranked]:
    """Children already registered at the user's organisation who may be this one: the name in any
    spelling, script or order agrees closely (``ranked.py``), and the date of birth (as ranges),
    sex and nationality do not rule them out. Best first, with the reasons."""
    full = " ".join(p for p in (data.given_names, data.family_name, data.name_latin) if p)
    if user.organisation is None or not name_prep.query_units(full):
        return []
    birth = birth_from(
        data.birth_date,
        data.birth_date_precision,
        data.assessed_age_min,
        data.assessed_age_max,
        data.assessed_on,
    )
    ranked = rank(
        Case.objects.filter(organisation=user.organisation).exclude(status=CaseStatus.TRANSFERRED),
        full,
        birth=birth,
        sex=data.sex if data.sex in (Sex.FEMALE, Sex.MALE) else "",
        nationality=data.nationality,
        limit=20,
    )
    return [
        r
        for r in ranked
        if r.evidence.name.score >= DUPLICATE_NAME_SCORE
        and r.evidence.birth != "differ"
        and r.evidence.sex != "differ"
    ][:5]


# How well a registered child's names must agree to be shown as a possible duplicate.
DUPLICATE_NAME_SCORE = 0.75


def find_probable_duplicates(user: User, data: ChildIn) -> list[Case]:
    """Cases of this organisation whose child may be this one (``registration_candidates``)."""
    return [r.case for r in registration_candidates(user, data)]


def check_register_child(user: User, data: RegisterChildIn) -> None:
    _require_org(user)
    if not data.confirm_not_duplicate:
        dups = find_probable_duplicates(user, data.child)
        if dups:
            raise DuplicateWarning(
                "a child who may be the same (the name in another spelling or script, a date of birth "
                "that fits) is already registered here "
                f"({', '.join(c.reference for c in dups)}); check, then confirm to register anyway",
                [c.reference for c in dups],
            )


@transaction.atomic
def do_register_child(user: User, data: RegisterChildIn, *, fictional: bool = False) -> Case:
    """Register a child and open their case, with a registration event."""
    check_register_child(user, data)
    org = user.organisation
    assert org is not None
    child = Child(organisation=org, is_fictional=fictional)
    _apply_child_fields(child, data.child)
    child.save()
    _reindex_primary(child, user)
    for alias in data.child.aliases:
        _add_name(child, alias.full_name, NameKind.ALIAS, user, note=alias.note)
    for ident in data.child.identifiers:
        Identifier.objects.create(
            child=child, scheme=ident.scheme, value=ident.value, issued_by=ident.issued_by
        )

    now = timezone.now()
    # Registered earlier than entered here: the case (and its guardian clock) opens then.
    opened = data.registered_at or now
    case = Case(
        child=child,
        organisation=org,
        opened_at=opened,
        updated_at=now,
        is_fictional=fictional,
    )
    appointed = _apply_case_fields(case, data.case, user, child=child)
    if case.caseworker is None and user.role == Role.CASEWORKER:
        case.caseworker = user
    case.save()
    # The reference is readable and unique: country, year, then the row id.
    case.reference = f"{org.country}-{now.year}-{case.pk:06d}"
    case.save(update_fields=["reference"])
    CarePlan.objects.create(case=case, updated_by=user)
    create_event(
        case,
        type=EventType.REGISTRATION,
        occurred_at=opened,
        author=user,
        source=EventSource.STAFF,
        category=DataCategory.IDENTITY,
        summary=f"Registered by {org.name}",
    )
    if appointed:
        _guardian_event(case, user)
    return case


def do_escalate_guardian_appointments(now: dt.datetime) -> list[Case]:
    """Escalate, once each, the open cases of unaccompanied children still without a guardian
    past their appointment limit: the case is marked (``guardian_escalated_at``, claimed with a
    conditional update so two runs never escalate twice) and its timeline says so; the
    supervisors see it on their dashboard. Run by ``manage.py escalate_guardian_appointments``."""
    waiting = (
        Case.objects.filter(unaccompanied=True, guardian__isnull=True, guardian_escalated_at__isnull=True)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED])
        .select_related("child", "organisation")
        .order_by("opened_at", "id")
    )
    escalated = []
    for case in waiting:
        clock = case.guardian_clock
        if clock is None or now < clock.due_at:
            continue
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=case.pk, guardian__isnull=True, guardian_escalated_at__isnull=True
            ).update(guardian_escalated_at=now)
            if not claimed:
                continue
            limit = limit_for(case.organisation.country)
            create_event(
                case,
                type=EventType.NOTE,
                occurred_at=now,
                author=None,
                source=EventSource.OTHER,
                category=DataCategory.GUARDIAN,
                summary="Guardian appointment overdue: escalated to the supervisors",
                details=f"Limit: {limit.working_days} working days ({limit.law}).",
            )
        case.guardian_escalated_at = now
        escalated.append(case)
    return escalated


def close_transferred_copy(case: Case, *, at: dt.datetime, retain_until: dt.date) -> Case:
    """The case moved to another organisation (an accepted transfer): what stays here is a
    closed copy, read-only (Cedar's ``limit-transferred-copy-read-only``) and kept until
    ``retain_until``. Call inside the caller's transaction (the exchange's inbound handler)."""
    case.status = CaseStatus.TRANSFERRED
    case.closed_at = at
    case.retain_until = retain_until
    case.updated_at = at
    case.save(update_fields=["status", "closed_at", "retain_until", "updated_at"])
    return case


# ---------------------------------------------------------------------------------------------
# Edit


@transaction.atomic
def do_update_child(user: User, case: Case, data: ChildIn) -> Child:
    """Replace the child's identity fields. Aliases are added separately and never lost."""
    child = Child.objects.select_for_update().get(pk=case.child_id)
    _apply_child_fields(child, data)
    child.save()
    _reindex_primary(child, user)
    existing = set(child.names.filter(kind=NameKind.ALIAS).values_list("full_name", flat=True))
    for alias in data.aliases:
        if alias.full_name not in existing:
            _add_name(child, alias.full_name, NameKind.ALIAS, user, note=alias.note)
    for ident in data.identifiers:
        Identifier.objects.get_or_create(
            child=child, scheme=ident.scheme, value=ident.value, defaults={"issued_by": ident.issued_by}
        )
    _touch(case)
    return child


@transaction.atomic
def do_add_alias(user: User, case: Case, data: AliasIn) -> ChildName:
    # The child's row is locked: two names added at once cannot both be the fiftieth.
    child = Child.objects.select_for_update().get(pk=case.child_id)
    if child.names.filter(kind=NameKind.ALIAS).count() >= MAX_ALIASES:
        raise ActionError(
            f"this child already has {MAX_ALIASES} other names, the most a message between nodes carries",
            field="full_name",
        )
    name = _add_name(child, data.full_name, NameKind.ALIAS, user, note=data.note)
    _touch(case)
    return name


@transaction.atomic
def do_update_case(user: User, case: Case, data: CaseIn) -> Case:
    # Locks the case row only (``of``): the child is read for its key, not changed.
    locked = (
        Case.objects.select_for_update(of=("self",)).select_related("child", "organisation").get(pk=case.pk)
    )
    old_status = locked.status
    appointed = _apply_case_fields(locked, data, user, child=locked.child)
    locked.updated_at = timezone.now()
    locked.save()
    if appointed:
        _guardian_event(locked, user)
    if old_status != locked.status:
        create_event(
            locked,
            type=EventType.NOTE,
            occurred_at=locked.updated_at,
            author=user,
            category=DataCategory.CASE_NOTES,
            summary=f"Status changed from {CaseStatus(old_status).label} to {CaseStatus(locked.status).label}",
        )
    return locked


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Timeline, care plan, consent


def create_event(
    case: Case,
    *,
    type: EventType | str,
    occurred_at: dt.datetime,
    category: DataCategory | str,
    summary: str,
    details: str = "",
    location: str = "",
    author: User | None,
    source: EventSource | str = EventSource.STAFF,
) -> Event:
    """Write one timeline event, its summary and details sealed if ``category`` is special.

    The one writer of ``Event`` rows, for this module and for other apps' actions (the
    exchange's timeline entries). Call inside the caller's transaction; reads ``case.child``.
    Events are never edited, so a category cannot later move into a special one unsealed.
    """
    if category in SPECIAL_CATEGORIES:
        summary = _seal(case.child, Event, "summary", summary)
        details = _seal(case.child, Event, "details", details)
    return Event.objects.create(
        case=case,
        type=type,
        occurred_at=occurred_at,
        author=author,
        author_org_id=author.organisation_id if author is not None else None,
        source=source,
        category=category,
        summary=summary,
        details=details,
        location=location,
    )


def check_status_change(case: Case, event_type: str, status: str, missing_category: str) -> None:
    """The status change asked with an event must be the one the event implies
    (``event_kinds.IMPLIED_STATUS``) from the case's current status."""
    change = event_kinds.status_change_for(event_type, case.status)
    if change is None or change.to != status:
        raise ActionError("this event does not change the case's status", field="change_status")
    if status == CaseStatus.MISSING and missing_category not in MissingCategory.values:
        raise ActionError(
            "a case with status 'missing' needs a missing-child category", field="missing_category"
        )


@transaction.atomic
def do_add_event(
    user: User, case: Case, data: EventIn, *, status: str | None = None, missing_category: str = ""
) -> Event:
    """Add an event; with ``status``, also apply the status change the event implies (the
    caller has checked that the user may update the case's notes), in the same transaction."""
    if status is not None:
        case = Case.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
        check_status_change(case, data.type, status, missing_category)
    event = create_event(
        case,
        type=data.type,
        occurred_at=data.occurred_at or timezone.now(),
        author=user,
        source=data.source,
        category=data.category,
        summary=data.summary,
        details=data.details,
        location=data.location,
    )
    if status is not None:
        old = case.status
        case.status = status
        case.missing_category = missing_category if status == CaseStatus.MISSING else case.missing_category
        case.updated_at = timezone.now()
        case.save(update_fields=["status", "missing_category", "updated_at"])
        create_event(
            case,
            type=EventType.NOTE,
            occurred_at=case.updated_at,
            author=user,
            category=DataCategory.CASE_NOTES,
            summary=f"Status changed from {CaseStatus(old).label} to {CaseStatus(status).label}",
        )
    else:
        _touch(case)
    return event


def check_update_care_plan(user: User, case: Case, data: CarePlanIn, plan: CarePlan | None) -> User | None:
    """The responsible person resolved (a colleague who does casework); a review date not in the
    past — unless it is the date already set, so an overdue plan's text can still be recorded."""
    responsible = _resolve_user(data.responsible, "responsible", user=user, org=case.organisation)
    kept = plan.responsible_id if plan is not None else None
    if responsible is not None and responsible.role not in CASEWORK_ROLES and responsible.pk != kept:
        raise ActionError(
            f"'{responsible.username}' does not do casework: choose someone who works on cases",
            field="responsible",
        )
    today = timezone.localdate()
    kept_date = plan.review_date if plan is not None else None
    if data.review_date is not None and data.review_date < today and data.review_date != kept_date:
        raise ActionError("the review date cannot be in the past", field="review_date")
    return responsible


@transaction.atomic
def do_update_care_plan(user: User, case: Case, data: CarePlanIn) -> CarePlan:
    """Replace the care plan; the state it replaces is kept as a ``CarePlanVersion``."""
    plan, _created = CarePlan.objects.select_for_update().get_or_create(case=case)
    responsible = check_update_care_plan(user, case, data, plan)
    # The state replaced is kept, unless there was nothing in it yet (the empty plan of a new case).
    if any((plan.needs, plan.objectives, plan.services, plan.review_date, plan.responsible_id)):
        CarePlanVersion.objects.create(
            case=case,
            needs=_seal(case.child, CarePlanVersion, "needs", plan.needs_text) if plan.needs else "",
            objectives=_seal(case.child, CarePlanVersion, "objectives", plan.objectives_text)
            if plan.objectives
            else "",
            services=_seal(case.child, CarePlanVersion, "services", plan.services_text)
            if plan.services
            else "",
            responsible_id=plan.responsible_id,
            review_date=plan.review_date,
            saved_at=plan.updated_at or timezone.now(),
            saved_by_id=plan.updated_by_id,
        )
    plan.needs = _seal(case.child, CarePlan, "needs", data.needs)
    plan.objectives = _seal(case.child, CarePlan, "objectives", data.objectives)
    plan.services = _seal(case.child, CarePlan, "services", data.services)
    plan.responsible = responsible
    plan.review_date = data.review_date
    plan.updated_by = user
    plan.save()
    _touch(case)
    return plan


@transaction.atomic
def do_record_consent(user: User, case: Case, data: ConsentIn) -> Consent:
    consent = Consent.objects.create(
        case=case,
        recipient_org=data.recipient_org,
        recipient_name=data.recipient_name,
        purpose=data.purpose,
        categories=[str(c) for c in data.categories],
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        childs_views=_seal(case.child, Consent, "childs_views", data.childs_views),
        given_by=data.given_by,
        recorded_by=user,
    )
    _touch(case)
    return consent


@transaction.atomic
def do_withdraw_consent(user: User, case: Case, consent_id: int) -> Consent:
    """The child withdraws a consent: it stops opening anything from the next decision on."""
    consent = Consent.objects.select_for_update().filter(case=case, pk=consent_id).first()
    if consent is None:
        raise ActionError("this case has no such consent", field="consent")
    if consent.withdrawn_at is not None:
        raise ActionError("this consent was already withdrawn", field="consent")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    _touch(case)
    return consent


# ---------------------------------------------------------------------------------------------
# Photo


def check_photo(upload: UploadedFile) -> CleanPhoto:
    """A real JPEG, PNG or WebP image within the byte and pixel limits, re-encoded without its
    metadata (``photos.clean_photo``). ``PhotoTooLarge`` (a 400) for either limit."""
    limit = settings.WAYMARK_MAX_PHOTO_BYTES
    if upload.size is None or upload.size > limit:
        raise PhotoTooLarge(f"the photo is larger than {limit // (1024 * 1024)} MB", field="photo")
    return clean_photo(upload.read(), max_pixels=settings.WAYMARK_MAX_PHOTO_PIXELS)


@transaction.atomic
def do_set_photo(user: User, case: Case, photo: CleanPhoto) -> Child:
    """Store the cleaned photo sealed under the child's key; the old file goes after commit."""
    child = Child.objects.select_for_update().get(pk=case.child_id)
    old = child.photo.name if child.photo else ""
    storage = child.photo.storage
    child.photo.save(f"{child.public_id}{SEALED_SUFFIX}", ContentFile(seal_photo(child, photo)), save=True)
    if old:
        # After commit: a rollback keeps the row pointing at the old file, so it must survive.
        transaction.on_commit(lambda: storage.delete(old))
    _touch(case)
    return child
