"""The police-facing extract of a case: the source fields gathered from the child, the open
disappearance and the alert, then cut by ``core.police.police_extract`` to the police categories
the reader's policy decisions allow. The decisions are the caller's (already audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from waymark.cases.models import Case, NameKind
from waymark.core.police import PHYSICAL_DESCRIPTION, Extract, police_extract
from waymark.missing.models import Disappearance
from waymark.policy.service import Decision

from .models import PoliceAlert


def source_fields(
    case: Case, alert: PoliceAlert | None = None, *, open_sealed: bool = False
) -> dict[str, Any]:
    """Every field an extract could hold, from the case here. Only ``EXTRACT_FIELDS`` are read:
    nothing of health, disclosures or notes is ever opened to build it, and what the child took
    (sealed) only with ``open_sealed`` (the reader may see the physical description)."""
    child = case.child
    fields: dict[str, Any] = {
        "given_names": child.given_names,
        "family_name": child.family_name,
        "name_latin": child.name_latin,
        "aliases": list(child.names.filter(kind=NameKind.ALIAS).values_list("full_name", flat=True)),
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat() if child.birth_date else None,
        "birth_date_precision": child.birth_date_precision,
        "assessed_age_min": child.assessed_age_min,
        "assessed_age_max": child.assessed_age_max,
        "languages": list(child.languages or ()),
        "has_photo": bool(child.photo),
        "physical_description": alert.physical_description if alert is not None else "",
    }
    d = Disappearance.objects.filter(case=case).order_by("-reported_at").first()
    if d is not None:
        fields.update(
            last_seen_at=d.last_seen_at.isoformat(),
            last_seen_place=d.last_seen_place,
            destination_country=d.destination_country,
            route_countries=list(d.route_countries),
        )
        if open_sealed:
            fields["belongings"] = d.belongings
    return fields


def extract_for(case: Case, decisions: Mapping[str, Decision], alert: PoliceAlert | None = None) -> Extract:
    """The extract a reader with these (read) decisions may see."""
    granted = [c for c, d in decisions.items() if d.allowed]
    source = source_fields(case, alert, open_sealed=PHYSICAL_DESCRIPTION in granted)
    return police_extract(source, granted)
