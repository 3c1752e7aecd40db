"""``manage.py exchange_demo NODE_ID``: this demo node's organisations, logins and a few
fictional children (idempotent). Refused in production."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.cases import actions as case_actions
from waymark.cases.management.commands.load_demo import demo_password
from waymark.cases.models import Case
from waymark.cases.schemas import CaseIn, ChildIn, RegisterChildIn
from waymark.continuity import actions as continuity_actions
from waymark.continuity.schemas import TakeChargeIn
from waymark.devtools import demo
from waymark.policy.federation import load_federation
from waymark.vocab import Role


class Command(BaseCommand):
    help = "Create a demo node's fictional organisations, users and children (make network)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("node_id")

    def handle(self, *args: Any, node_id: str, **opts: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo data is never loaded in production")
        try:
            spec = demo.node(node_id)
        except KeyError as exc:
            raise CommandError(f"no demo node {node_id!r}") from exc
        password = demo_password()
        with transaction.atomic():
            orgs = {
                o.slug: Organisation.objects.get_or_create(
                    slug=o.slug,
                    defaults={
                        "name": o.name,
                        "country": spec.country,
                        "sector": o.sector,
                        "is_fictional": True,
                    },
                )[0]
                for o in spec.orgs
            }
            users: dict[str, User] = {}
            for u in spec.users:
                user = User.objects.filter(username=u.username).first()
                if user is None:
                    user = User.objects.create_user(
                        username=u.username,
                        password=password,
                        organisation=orgs[u.org],
                        role=u.role,
                        display_name=u.display_name,
                        is_staff=u.role == Role.NODE_ADMIN,
                        is_superuser=u.role == Role.NODE_ADMIN,
                    )
                users[u.username] = user
            # This node's own agreement for locating children (the hotline and its neighbours).
            load_federation(demo.local_federation(spec))
            caseworker = next(
                (users[u.username] for u in spec.users if u.role in (Role.CASEWORKER, Role.POLICE_OFFICER)),
                None,
            )
            created = 0
            if caseworker is not None and not caseworker.cases_assigned.exists():
                for given, family, nationality, languages in spec.children:
                    case_actions.do_register_child(
                        caseworker,
                        RegisterChildIn(
                            child=ChildIn(
                                given_names=given,
                                family_name=family,
                                nationality=nationality,
                                languages=list(languages),
                            ),
                            case=CaseIn(caseworker=caseworker.username),
                            confirm_not_duplicate=True,
                        ),
                        fictional=True,
                    )
                    created += 1
                _take_charge(caseworker, spec)
        self.stdout.write(f"{node_id}: {len(orgs)} organisations, {len(users)} users, {created} new children")


def _take_charge(caseworker: User, spec: demo.DemoNode) -> None:
    """The node's demo take-charge requests, recorded by its caseworker on the children just
    registered (the action checks the dates as it would from the page)."""
    now = timezone.now()
    for given, country, registered, sent in spec.take_charge:
        case = Case.objects.get(organisation=caseworker.organisation, child__given_names=given)
        continuity_actions.do_record_take_charge(
            caseworker,
            case,
            TakeChargeIn(
                requested_country=country,
                registered_at=now - dt.timedelta(days=registered),
                request_sent_at=now - dt.timedelta(days=sent),
            ),
        )
