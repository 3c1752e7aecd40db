"""A large fictional population for benchmarks, bulk-loaded.

This is benchmark set-up, not application code: it writes rows with ``bulk_create`` and so
BYPASSES ``waymark.cases.actions`` (no duplicate check, no care plan, no audit). The rows it
writes have the same shape the actions produce for search: a ``Child``, its ``ChildName``
rows (primary, Latin form, aliases) with ``NameKey`` rows computed by the same
``waymark.core.names.name_keys``, a ``Case`` and one registration ``Event``. Everything is
fictional and marked so. Import only after ``django.setup()``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.cases.demo import generate_identity
from waymark.cases.models import Case, Child, ChildName, Event, NameKey, NameKind
from waymark.core import names as name_prep
from waymark.vocab import (
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    MissingCategory,
    RiskLevel,
    Role,
    Sector,
)

SEED = 100_000
BATCH = 10_000
# The benchmark logs in as the caseworker of the organisation that owns most cases.
ORGS = (
    ("bench-it-cps", "Servizio Tutela Minori Bench (fictional)", "IT", Sector.CHILD_PROTECTION, 60),
    ("bench-fr-ngo", "Association Bench Calais (fictional)", "FR", Sector.NGO, 25),
    ("bench-be-police", "Cellule Bench Disparus (fictional)", "BE", Sector.POLICE, 15),
)
CASEWORKER = "bench-caseworker"
GUARDIAN_ORG = ("bench-it-guardians", "Ufficio Tutori Bench (fictional)")
STAFF = 100  # caseworkers per organisation
GUARDIANS = 100
_STATUSES = (CaseStatus.OPEN, CaseStatus.MISSING, CaseStatus.FOUND, CaseStatus.CLOSED, CaseStatus.TRANSFERRED)
_STATUS_WEIGHTS = (50, 20, 10, 15, 5)
_MISSING = (
    MissingCategory.UNACCOMPANIED_MIGRANT,
    MissingCategory.RUNAWAY,
    MissingCategory.CRIMINAL_ABDUCTION,
)


@dataclass(frozen=True)
class Population:
    caseworker: User
    organisation: Organisation
    cases: int


def _people() -> tuple[list[Organisation], User, dict[int, list[User]], list[User]]:
    """The organisations; each case-owning one has STAFF caseworkers, the guardianship office
    GUARDIANS guardians, so a caseworker has a realistic few hundred cases, not all of them."""
    orgs = []
    for slug, name, country, sector, _weight in ORGS:
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "country": country, "sector": sector, "is_fictional": True}
        )
        orgs.append(org)
    guardianship, _ = Organisation.objects.get_or_create(
        slug=GUARDIAN_ORG[0],
        defaults={
            "name": GUARDIAN_ORG[1],
            "country": "IT",
            "sector": Sector.GUARDIANSHIP,
            "is_fictional": True,
        },
    )
    # Unusable passwords: nobody logs in as these, and hashing hundreds would be slow.
    wanted = [(CASEWORKER, orgs[0], Role.CASEWORKER)]
    for org in orgs:
        wanted += [(f"{org.slug}-cw-{n:03d}", org, Role.CASEWORKER) for n in range(1, STAFF)]
    wanted += [(f"{guardianship.slug}-g-{n:03d}", guardianship, Role.GUARDIAN) for n in range(GUARDIANS)]
    existing = set(User.objects.filter(username__startswith="bench-").values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(
                username=name,
                password=make_password(None),
                organisation=org,
                role=role,
                display_name=f"{name} (fictional)",
            )
            for name, org, role in wanted
            if name not in existing
        ]
    )
    staff: dict[int, list[User]] = {org.pk: [] for org in orgs}
    guardians: list[User] = []
    for user in User.objects.filter(username__startswith="bench-").order_by("username"):
        if user.role == Role.GUARDIAN:
            guardians.append(user)
        elif user.organisation_id in staff:
            staff[user.organisation_id].append(user)
    return orgs, User.objects.get(username=CASEWORKER), staff, guardians


def bench_case_count() -> int:
    return Case.objects.filter(organisation__slug__startswith="bench-", is_fictional=True).count()


def _load_batch(
    rng: random.Random,
    start: int,
    size: int,
    orgs: list[Organisation],
    staff: dict[int, list[User]],
    guardians: list[User],
    now: dt.datetime,
) -> None:
    weights = [w for *_rest, w in ORGS]
    today = now.date()
    children: list[Child] = []
    names_of: list[list[tuple[NameKind, str]]] = []
    for _ in range(size):
        who = generate_identity(rng)
        org = rng.choices(orgs, weights=weights)[0]
        full = f"{who.given_names} {who.family_name}"
        estimated = rng.random() < 0.3
        age = rng.randint(8, 17)
        children.append(
            Child(
                organisation=org,
                given_names=who.given_names,
                family_name=who.family_name,
                name_latin=who.name_latin or name_prep.transliterate(full).title(),
                sex=who.sex,
                birth_date=None if estimated else today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                birth_date_precision=DatePrecision.ESTIMATED if estimated else DatePrecision.EXACT,
                assessed_age_min=age - 1 if estimated else None,
                assessed_age_max=age + 1 if estimated else None,
                assessed_on=today if estimated else None,
                nationality=who.nationality,
                languages=list(who.languages),
                is_fictional=True,
            )
        )
        forms = [(NameKind.PRIMARY, full)]
        if who.name_latin:
            forms.append((NameKind.TRANSLITERATION, who.name_latin))
        forms += [(NameKind.ALIAS, a) for a in who.aliases]
        names_of.append(forms)
    Child.objects.bulk_create(children)

    names = [
        ChildName(child=child, kind=kind, full_name=text, recorded_by_org_id=child.organisation_id)
        for child, forms in zip(children, names_of, strict=True)
        for kind, text in forms
    ]
    ChildName.objects.bulk_create(names)
    keys = [
        NameKey(child_id=n.child_id, name=n, latin=latin[:100], skeleton=skel[:100])
        for n in names
        for latin, skel in name_prep.name_keys(n.full_name)
    ]
    NameKey.objects.bulk_create(keys, batch_size=5000)

    cases: list[Case] = []
    for offset, child in enumerate(children):
        status = rng.choices(_STATUSES, weights=_STATUS_WEIGHTS)[0]
        opened = now - dt.timedelta(days=rng.uniform(1, 720))
        updated = opened + (now - opened) * rng.random()
        cases.append(
            Case(
                reference=f"{child.organisation.country}-B-{start + offset:07d}",
                child=child,
                organisation_id=child.organisation_id,
                status=status,
                missing_category=rng.choice(_MISSING) if status == CaseStatus.MISSING else "",
                risk_level=rng.choices(tuple(RiskLevel), weights=(15, 40, 30, 15))[0],
                caseworker=rng.choice(staff[child.organisation_id]),
                # Italian cases mostly have a guardian from the guardianship office.
                guardian=rng.choice(guardians)
                if child.organisation_id == orgs[0].pk and rng.random() < 0.7
                else None,
                opened_at=opened,
                updated_at=updated,
                closed_at=updated if status == CaseStatus.CLOSED else None,
                is_fictional=True,
            )
        )
    Case.objects.bulk_create(cases)
    Event.objects.bulk_create(
        [
            Event(
                case=case,
                type=EventType.REGISTRATION,
                occurred_at=case.opened_at,
                author_org_id=case.organisation_id,
                source=EventSource.STAFF,
                category=DataCategory.IDENTITY,
                summary="Registered (benchmark population, fictional)",
            )
            for case in cases
        ]
    )


def ensure_population(count: int) -> Population:
    """Load ``count`` fictional cases unless they are already there; returns who to log in as."""
    orgs, user, staff, guardians = _people()
    have = bench_case_count()
    if have >= count:
        print(f"population: {have} fictional cases already loaded")
    else:
        if have:
            raise SystemExit(f"population: {have} of {count} cases present; rerun with --reload")
        rng = random.Random(SEED)
        now = timezone.now()
        started = time.perf_counter()
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with transaction.atomic():
                _load_batch(rng, start, size, orgs, staff, guardians, now)
            print(f"population: {start + size:>7} cases loaded ({time.perf_counter() - started:.0f} s)")
        with connection.cursor() as cursor:
            # Statistics for the planner, and the visibility map and hint bits set now rather
            # than by the first measured reads (which would then write).
            cursor.execute("VACUUM ANALYZE")
    return Population(caseworker=user, organisation=orgs[0], cases=bench_case_count())
