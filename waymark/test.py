"""Test personas and ``create_*`` helpers, shared by every app's tests.

The people (all fictional):
- giulia — caseworker, Italian child-protection service (it-cps-milano)
- sara — supervisor, same service
- marco — guardian, Italian guardianship office (it-guardians)
- claire — caseworker, French NGO (fr-ngo-calais)
- luc — police officer, Belgian missing-persons unit (be-police-mpu)
- ivan — an immigration-enforcement user created by mistake: always refused
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.accounts.second_factor import provision_totp, requires_second_factor
from waymark.cases import actions
from waymark.cases.models import CarePlan, Case
from waymark.cases.schemas import CarePlanIn, CaseIn, ChildIn, RegisterChildIn
from waymark.policy.contexts import open_context
from waymark.policy.models import SharedContext
from waymark.policy.purpose import SESSION_KEY as PURPOSE_SESSION_KEY
from waymark.vocab import CaseStatus, ContextSource, Purpose, Role, Sector

PASSWORD = "correct horse battery staple 42"  # noqa: S105  (fictional test persona)


def create_org(
    slug: str, *, name: str = "", country: str = "IT", sector: Sector = Sector.CHILD_PROTECTION
) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name or slug, "country": country, "sector": sector, "is_fictional": True}
    )
    return org


def create_user(
    username: str, org: Organisation, role: Role, *, second_factor: bool | None = None, **extra: Any
) -> User:
    """A user with ``PASSWORD``. While a second factor is enforced (``WAYMARK_REQUIRE_SECOND_FACTOR``,
    off in the tests unless a test turns it on) users whose role requires one get an authenticator
    app, as they would before using Waymark; ``second_factor=False`` leaves it out (to test the
    set-up), ``True`` adds one to any role."""
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=org,
        role=role,
        display_name=extra.pop("display_name", username.title()),
        **extra,
    )
    if second_factor is None:
        second_factor = requires_second_factor(user)
    if second_factor:
        provision_totp(user)
    return user


def create_case(
    user: User, *, given_names: str = "Muhammad", family_name: str = "Hussain", **child: Any
) -> Case:
    case_fields = child.pop("case", {})
    data = RegisterChildIn(
        child=ChildIn(given_names=given_names, family_name=family_name, **child),
        case=CaseIn(**case_fields),
        confirm_not_duplicate=True,
    )
    return actions.do_register_child(user, data, fictional=True)


@dataclass
class Personas:
    it_cps: Organisation
    it_guardians: Organisation
    fr_ngo: Organisation
    be_police: Organisation
    immigration: Organisation
    giulia: User
    sara: User
    marco: User
    claire: User
    luc: User
    ivan: User


def create_personas() -> Personas:
    it_cps = create_org("it-cps-milano", name="Servizio Tutela Minori Milano (fictional)", country="IT")
    it_guardians = create_org(
        "it-guardians", name="Ufficio Tutori Milano (fictional)", country="IT", sector=Sector.GUARDIANSHIP
    )
    fr_ngo = create_org(
        "fr-ngo-calais", name="Association Refuge Calais (fictional)", country="FR", sector=Sector.NGO
    )
    be_police = create_org(
        "be-police-mpu", name="Cellule Personnes Disparues (fictional)", country="BE", sector=Sector.POLICE
    )
    immigration = create_org(
        "xx-immigration",
        name="Immigration Enforcement (fictional)",
        country="IT",
        sector=Sector.IMMIGRATION_ENFORCEMENT,
    )
    return Personas(
        it_cps=it_cps,
        it_guardians=it_guardians,
        fr_ngo=fr_ngo,
        be_police=be_police,
        immigration=immigration,
        giulia=create_user("giulia", it_cps, Role.CASEWORKER),
        sara=create_user("sara", it_cps, Role.SUPERVISOR),
        marco=create_user("marco", it_guardians, Role.GUARDIAN),
        claire=create_user("claire", fr_ngo, Role.CASEWORKER),
        luc=create_user("luc", be_police, Role.POLICE_OFFICER),
        ivan=create_user("ivan", immigration, Role.CASEWORKER),
    )


def login(client: Any, user: User, purpose: Purpose | None = Purpose.CHILD_PROTECTION) -> None:
    """Log ``user`` in on a test client with a declared purpose (as the purpose page would)."""
    client.force_login(user)
    if purpose is not None:
        session = client.session
        session[PURPOSE_SESSION_KEY] = str(purpose)
        session.save()


def share(
    case: Case,
    partner: Organisation | str,
    purpose: Purpose | str,
    *,
    source: ContextSource = ContextSource.REFERRAL,
    missing: bool = False,
) -> SharedContext:
    """Give ``partner`` a need-to-know context about ``case``'s child for ``purpose``, as a
    conversation between the two organisations would (and mark the child missing if asked):
    for tests of what an agreement opens once there is a reason to see the child."""
    if missing and case.status != CaseStatus.MISSING:
        case.status = CaseStatus.MISSING
        case.save(update_fields=["status"])
    slug = partner.slug if isinstance(partner, Organisation) else partner
    return open_context(case, partner=slug, purpose=str(purpose), source=source, source_id=uuid.uuid4())


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def set_care_plan(user: User, case: Case, data: CarePlanIn) -> None:
    """The care plan as saved some time ago: a review date now past was still ahead then (the
    action refuses a date in the past), so the date is written after the save."""
    actions.do_update_care_plan(user, case, data.model_copy(update={"review_date": None}))
    CarePlan.objects.filter(case=case).update(review_date=data.review_date)
