"""``manage.py load_demo [--once] [--force]``: a fictional node to explore, in one command.

Creates the demo organisations and one login per role, then registers the fictional children
described in ``waymark.cases.demo`` through the case actions (never by writing rows directly),
all in one transaction. Refuses to run in production unless ``--force`` is given.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.accounts.second_factor import second_factor_enforced
from waymark.cases import actions, demo
from waymark.cases.models import CarePlan, Case
from waymark.cases.schemas import (
    AliasIn,
    CarePlanIn,
    CaseIn,
    ChildIn,
    ConsentIn,
    EventIn,
    IdentifierIn,
    RegisterChildIn,
)
from waymark.vocab import DataCategory, DatePrecision, EventType, Role


def demo_password() -> str:
    return os.environ.get("WAYMARK_DEMO_PASSWORD") or demo.DEFAULT_PASSWORD


def is_loaded() -> bool:
    return User.objects.filter(username=demo.SENTINEL_USER).exists()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _birth_fields(spec: demo.BirthSpec, today: dt.date) -> dict[str, Any]:
    if spec.precision == DatePrecision.ESTIMATED:
        assert spec.assessed is not None
        assessed_on = today - dt.timedelta(days=spec.assessed_days_ago)
        return {
            "birth_date": dt.date(assessed_on.year - spec.age, 7, 1) if spec.nominal_date else None,
            "birth_date_precision": spec.precision,
            "assessed_age_min": spec.assessed[0],
            "assessed_age_max": spec.assessed[1],
            "assessed_on": assessed_on,
        }
    born = _years_before(today, spec.age) - dt.timedelta(days=spec.days_offset)
    if spec.precision == DatePrecision.YEAR:
        born = dt.date(born.year, 1, 1)
    elif spec.precision == DatePrecision.YEAR_MONTH:
        born = dt.date(born.year, born.month, 1)
    return {"birth_date": born, "birth_date_precision": spec.precision}


def create_people() -> dict[str, User]:
    """The demo organisations and users (accounts have no actions module: plain ORM here)."""
    orgs: dict[str, Organisation] = {}
    for o in demo.ORGS:
        orgs[o.slug], _ = Organisation.objects.get_or_create(
            slug=o.slug,
            defaults={"name": o.name, "country": o.country, "sector": o.sector, "is_fictional": True},
        )
    users: dict[str, User] = {}
    for u in demo.USERS:
        user = User.objects.filter(username=u.username).first()
        if user is None:
            user = User.objects.create_user(
                username=u.username,
                password=demo_password(),
                organisation=orgs[u.org],
                role=u.role,
                display_name=u.display_name,
                is_staff=u.admin,
                is_superuser=u.admin,
            )
        users[u.username] = user
    return users


def load_case(spec: demo.CaseSpec, users: dict[str, User], today: dt.date, now: dt.datetime) -> Case:
    """Register one described child and write their history, each step through an action."""
    owner = users[spec.owner]
    caseworker = spec.owner if owner.role == Role.CASEWORKER else None
    case_in = CaseIn(
        status=spec.status,
        missing_category=spec.missing_category,
        risk_level=spec.risk_level,
        risk_reasons=spec.risk_reasons,
        caseworker=caseworker,
    )
    child_in = ChildIn(
        given_names=spec.given_names,
        family_name=spec.family_name,
        name_latin=spec.name_latin,
        sex=spec.sex,
        nationality=spec.nationality,
        languages=list(spec.languages),
        identifiers=[IdentifierIn(scheme=s, value=v, issued_by=by) for s, v, by in spec.identifiers],
        **_birth_fields(spec.birth, today),
    )
    case = actions.do_register_child(
        owner, RegisterChildIn(child=child_in, case=case_in, confirm_not_duplicate=True), fictional=True
    )
    # Other spellings come from other organisations' files, so each is recorded by its source.
    for alias in spec.aliases:
        actions.do_add_alias(
            users[alias.recorded_by], case, AliasIn(full_name=alias.full_name, note=alias.note)
        )

    events = list(spec.events)
    if spec.guardian:
        events.append(
            demo.EventSpec(
                EventType.GUARDIAN_APPOINTED,
                spec.guardian_days_ago,
                DataCategory.GUARDIAN,
                f"Guardian appointed: {users[spec.guardian].display_name}",
            )
        )
    for ev in sorted(events, key=lambda e: -e.days_ago):
        actions.do_add_event(
            users[ev.author or spec.owner],
            case,
            EventIn(
                type=ev.type,
                occurred_at=now - dt.timedelta(days=ev.days_ago),
                source=ev.source,
                category=ev.category,
                summary=ev.summary,
                details=ev.details,
                location=ev.location,
            ),
        )
    if spec.guardian:
        case = actions.do_update_case(owner, case, case_in.model_copy(update={"guardian": spec.guardian}))
    if spec.care_plan:
        plan = spec.care_plan
        actions.do_update_care_plan(
            owner,
            case,
            CarePlanIn(
                needs=plan.needs,
                objectives=plan.objectives,
                services=plan.services,
                responsible=spec.owner,
                review_date=None,
            ),
        )
        # An overdue review was still ahead when the plan was saved (the action refuses a past
        # date): the date is set after the save.
        CarePlan.objects.filter(case=case).update(review_date=today + dt.timedelta(days=plan.review_in_days))
    for c in spec.consents:
        valid_from = today - dt.timedelta(days=c.days_ago)
        actions.do_record_consent(
            owner,
            case,
            ConsentIn(
                recipient_org=c.recipient_org,
                recipient_name=c.recipient_name,
                purpose=c.purpose,
                categories=list(c.categories),
                valid_from=valid_from,
                valid_until=valid_from + dt.timedelta(days=c.valid_days),
                childs_views=c.childs_views,
                given_by=c.given_by,
            ),
        )
    return case


@transaction.atomic
def load(seed: int = demo.SEED) -> int:
    """Create everything; returns the number of cases registered. All or nothing."""
    users = create_people()
    today, now = timezone.localdate(), timezone.now()
    specs = demo.all_cases(seed)
    for spec in specs:
        load_case(spec, users, today, now)
    return len(specs)


class Command(BaseCommand):
    help = "Load a fictional demo node: organisations, one login per role, ~50 children (never real data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="do nothing if the demo data is already loaded"
        )
        parser.add_argument(
            "--force", action="store_true", help="run even when WAYMARK_ENV=production (never do this)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("refusing to load fictional demo data on a production node (use --force)")
        if is_loaded():
            if not options["once"]:
                raise CommandError(
                    f"demo data is already loaded ({demo.SENTINEL_USER} exists); "
                    "use --once to skip quietly, or start from an empty database"
                )
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            count = load()
            self.stdout.write(self.style.SUCCESS(f"Loaded {count} fictional cases."))
        self.print_logins()

    def print_logins(self) -> None:
        orgs = {o.slug: o.name for o in demo.ORGS}
        self.stdout.write("\nDemo logins (fictional people, development only):")
        for u in demo.USERS:
            self.stdout.write(f"  {u.username:<24} {u.role.value:<18} {orgs[u.org]}")
        self.stdout.write(f"Password for all of them: {demo_password()}")
        # Their roles need a second factor before Waymark lets them in (docs/accounts.md).
        if second_factor_enforced():
            self.stdout.write(
                "Each of them must set up an authenticator app on first login; to skip that, "
                "run: python manage.py mfa_totp_demo <username>"
            )
        else:
            self.stdout.write("No second factor is required here (WAYMARK_REQUIRE_SECOND_FACTOR is off).")
        self.stdout.write(f"Open http://127.0.0.1:{os.environ.get('PORT') or '8000'}/")
