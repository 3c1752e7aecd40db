"""Case search: any name form, any script, plus filters. Read-only.

``search_visible`` is what lists call: the cases the user may list, where a filter on a field
applies only to the cases on which the user may see that field's category (``Case.FIELD_CATEGORIES``)
— a filter must not tell which children are high risk to someone who may not see risk — and is
refused (``FilterNotShared``, naming the fields) when they may see that category on no case.
``search_cases`` filters a queryset that access.py has already narrowed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext

from waymark.accounts.models import User
from waymark.core import names as name_prep
from waymark.errors import Refused
from waymark.policy.purpose import parse_purpose
from waymark.vocab import DataCategory

from .access import LIST_CATEGORIES, cases_visible_for
from .models import Case, NameKey
from .ranked import Hit, Ranked, load, score

# What a row of a case list shows: names and birth date (identity), nationality (legal status),
# and the case's status, missing-child category and risk (case notes, ``Case.FIELD_CATEGORIES``).
ROW_CATEGORIES: tuple[str, ...] = (*LIST_CATEGORIES, DataCategory.CASE_NOTES)
# Filters on a field of the case, each gated by that field's category.
GATED_FILTERS = ("status", "risk_level", "missing_category")

# Skeletons shorter than this match exactly; longer ones match as a prefix ("mhmd" finds
# "mhmd" and "mhmdn"), so a partly typed name still finds the child.
_PREFIX_MIN = 3


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    risk_level: str = ""
    missing_category: str = ""
    organisation: str = ""  # organisation slug


class FilterNotShared(Refused):
    """A filter on a field whose category the user may see on no case (403, naming the fields)."""


def search_visible(
    user: User, purpose: str, f: CaseFilters, visible: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """The cases ``user`` may list for ``purpose`` that match ``f``; see the module docstring.
    ``visible``: ``cases_visible_to(user, purpose)`` when the caller has it already."""
    fields_of: dict[str, list[str]] = {}
    for name in GATED_FILTERS:
        if getattr(f, name):
            fields_of.setdefault(Case.FIELD_CATEGORIES[name], []).append(name)
    # What may be listed, and where each filtered field may be seen, from one read of the agreements.
    purpose = str(parse_purpose(purpose))
    wanted = [(purpose, category) for category in fields_of]
    if visible is None:
        wanted.append((purpose, DataCategory.IDENTITY))
    asked = cases_visible_for(user, wanted) if wanted else {}
    listed = qs = asked[(purpose, str(DataCategory.IDENTITY))] if visible is None else visible
    refused: dict[str, list[str]] = {}
    for category, names in fields_of.items():
        shown = asked[(purpose, str(category))]
        if shown.query.is_empty():
            for name in names:
                label = getattr(Case._meta.get_field(name), "verbose_name", name)
                refused[name] = [
                    gettext("you may see the %(field)s of no case for this purpose") % {"field": label}
                ]
        elif str(shown.query) != str(listed.query):
            # (The same condition as the list's — a caseworker in their own organisation — needs
            # no subquery: every listed case shows the category.)
            qs = qs.filter(pk__in=shown.values("pk"))
    if refused:
        raise FilterNotShared(refused)
    return search_cases(qs, f)


@dataclass(frozen=True)
class RankedSearch:
    """A ranked search's hits (ids and evidence, best first) and the cases they were ranked from;
    a page loads only the cases it shows."""

    qs: QuerySet[Case]
    hits: list[Hit]

    def load(self, hits: Sequence[Hit]) -> list[Ranked]:
        """These hits' cases, read through the searched (visible) cases again."""
        return load(self.qs, hits)

    def page(self, start: int, stop: int) -> list[Ranked]:
        return self.load(self.hits[start:stop])


def search_ranked(
    user: User, purpose: str, f: CaseFilters, visible: QuerySet[Case] | None = None, limit: int = 100
) -> RankedSearch | None:
    """The cases ``user`` may list for ``purpose`` that pass ``f``'s other filters, ranked by how
    well their child's names agree with ``f.q`` (``ranked.py``), at most ``limit``, not yet loaded;
    None when ``f.q`` holds no name (then ``search_visible`` answers, e.g. a case reference)."""
    if not name_prep.query_units(f.q):
        return None
    qs = search_visible(user, purpose, replace(f, q=""), visible)
    return RankedSearch(qs, score(qs, f.q, limit=limit))


def rank_visible(
    user: User, purpose: str, f: CaseFilters, visible: QuerySet[Case] | None = None, limit: int = 100
) -> list[Ranked] | None:
    """``search_ranked`` with every case loaded."""
    found = search_ranked(user, purpose, f, visible, limit)
    return None if found is None else found.page(0, limit)


def search_cases(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    """Every query token must match one of the child's name tokens by skeleton."""
    for skel in name_prep.query_skeletons(f.q)[:6]:
        keys = NameKey.objects.filter(child_id=OuterRef("child_id"))
        keys = (
            keys.filter(skeleton__startswith=skel) if len(skel) >= _PREFIX_MIN else keys.filter(skeleton=skel)
        )
        qs = qs.filter(Exists(keys))
    if f.q and not name_prep.query_skeletons(f.q):
        # Only punctuation or digits: try references instead of names.
        qs = qs.filter(reference__icontains=f.q.strip())
    if f.status:
        qs = qs.filter(status=f.status)
    if f.risk_level:
        qs = qs.filter(risk_level=f.risk_level)
    if f.missing_category:
        qs = qs.filter(missing_category=f.missing_category)
    if f.organisation:
        qs = qs.filter(organisation__slug=f.organisation)
    return qs.order_by("-updated_at", "-id")


# Counting every match of a common name among 100,000 cases costs more than the page itself;
# past this many, lists say "1,000+" and ask for a narrower search.
COUNT_CAP = 1000


def capped_count(qs: QuerySet[Case], cap: int | None = None) -> tuple[int, bool]:
    """(number of matches, capped?) counting at most ``cap`` (default COUNT_CAP) + 1 rows."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (``is_capped`` says so)."""

    is_capped = False

    @cached_property
    def count(self) -> int:
        assert isinstance(self.object_list, QuerySet)  # lists of cases are querysets
        n, self.is_capped = capped_count(self.object_list)
        return n
