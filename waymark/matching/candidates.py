"""Registration candidates: the node's records the user may see that may be this child, scored by
the linkage model at once (``predict_between`` against the candidates retrieval found).

Retrieval is the ranked name search over ``cases_visible_to`` (the firewall's need-to-know: a case
the user may not see is never a candidate); the saved Splink model then scores the new record
against those records and says why, per comparison. Nothing is linked: a person sends a candidate
to the review queue (``actions.do_queue_candidate``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.access import cases_visible_to
from waymark.cases.models import Case, Child
from waymark.cases.ranked import birth_from, rank
from waymark.core import linkprep
from waymark.core import names as name_prep
from waymark.vocab import CaseStatus, DatePrecision, Sex

from . import linkage

# Retrieval hands this many records to the model; the panel shows those scoring at least MIN.
RETRIEVE = 50
MIN_PROBABILITY = 0.05
SHOWN = 10
_SEX: dict[str, str] = {str(Sex.FEMALE): "F", str(Sex.MALE): "M"}


@dataclass(frozen=True)
class Candidate:
    case: Case
    probability: float
    match_weight: float
    reasons: dict[str, str]  # comparison -> level ('given_name': 'same sound')


def record_of(child: Child, record_id: str, today: dt.date | None = None) -> linkprep.LinkRecord:
    """A child as the linkage contract has it: a name in another script is the original-script
    name (the Latin form, if recorded, as given and family names); an estimated date or an age
    assessment is an estimated year."""
    written = " ".join(p for p in (child.given_names, child.family_name) if p)
    original = written if name_prep.script_of(written) not in ("latin", "") else ""
    given, family, full = (
        ("", "", child.name_latin) if original else (child.given_names, child.family_name, "")
    )
    birth, estimated = "", False
    if child.assessed_age_min is not None and child.assessed_age_max is not None:
        year = (child.assessed_on or today or timezone.localdate()).year
        birth, estimated = str(year - (child.assessed_age_min + child.assessed_age_max + 1) // 2), True
    elif child.birth_date is not None:
        precision = child.birth_date_precision
        d = child.birth_date
        if precision == DatePrecision.EXACT:
            birth = d.isoformat()
        elif precision == DatePrecision.YEAR_MONTH:
            birth = f"{d.year:04d}-{d.month:02d}"
        else:
            birth = f"{d.year:04d}"
        # A year alone is as often a guess as an assigned 1 January: a year, give or take one.
        estimated = precision in (DatePrecision.ESTIMATED, DatePrecision.YEAR)
    return linkprep.LinkRecord(
        record_id=record_id,
        given_names=given,
        family_names=family,
        full_name=full,
        name_original_script=original,
        sex=_SEX.get(str(child.sex), ""),
        birth_date=birth,
        birth_date_estimated=estimated,
        nationality=child.nationality,
        languages=tuple(child.languages or ()),
    )


def candidates_for(user: User, purpose: str, case: Case) -> list[Candidate]:
    """Other cases the user may see for ``purpose`` that the model says may be ``case``'s child,
    best first. ``case`` must already have been fetched through the policy by the caller."""
    child = case.child
    names = " ".join(n.full_name for n in child.names.all()) or child.full_name
    visible = cases_visible_to(user, purpose).exclude(child=child).exclude(status=CaseStatus.TRANSFERRED)
    retrieved = rank(
        visible,
        names,
        birth=birth_from(
            child.birth_date,
            child.birth_date_precision,
            child.assessed_age_min,
            child.assessed_age_max,
            child.assessed_on,
        ),
        limit=RETRIEVE,
    )
    if not retrieved:
        return []
    by_id = {str(r.case.pk): r.case for r in retrieved}
    existing = [linkprep.prepare(record_of(c.child, key)) for key, c in by_id.items()]
    new = linkprep.prepare(record_of(child, "new"))
    scored = linkage.score_against([new], existing, threshold=MIN_PROBABILITY)
    return [Candidate(by_id[s.existing_id], s.probability, s.match_weight, s.reasons) for s in scored[:SHOWN]]
