"""The hotline's people for tests (all fictional): a 116 000 hotline in Italy with its operator
Elena, under an agreement with the Milan child-protection service for locate_missing_child."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.hotline.schemas import CallIn
from waymark.policy.tests.factories import create_agreement
from waymark.test import Personas, create_org, create_user
from waymark.vocab import DataCategory, Purpose, Role, Sector

LOCATE = Purpose.LOCATE_MISSING_CHILD


@dataclass
class Hotline:
    org: Organisation
    elena: User


def create_hotline(people: Personas, *, agreement: bool = True) -> Hotline:
    org = create_org(
        "it-hotline", name="Telefono 116 000 Italia (fictional)", country="IT", sector=Sector.HOTLINE
    )
    elena = create_user("elena", org, Role.HOTLINE_OPERATOR)
    if agreement:
        create_agreement(
            "it-hotline-cps-locate",
            [org, people.it_cps],
            grants=[
                (org, Role.HOTLINE_OPERATOR, c, LOCATE)
                for c in (DataCategory.IDENTITY, DataCategory.CONTACT_LOCATION, DataCategory.PHOTO)
            ]
            + [(org, Role.HOTLINE_OPERATOR, DataCategory.CONTACT_LOCATION, LOCATE, "update")],
        )
    return Hotline(org, elena)


def call(**fields: Any) -> CallIn:
    data = {
        "relationship": "public",
        "caller_name": "Rosa Bianchi (fictional)",
        "caller_phone": "+39 333 000 0000",
        "child_name": "Yonas Tesfamariam",
        "known": "Saw a boy matching the description near the station (fictional)",
        "seen_place": "Milano Centrale, platform 21",
        "seen_at": timezone.now() - dt.timedelta(minutes=30),
    } | fields
    return CallIn(**data)
