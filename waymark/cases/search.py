"""Case search: any name form, any script, plus filters. Read-only; callers pass a queryset
that access.py has already narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import cached_property

from waymark.core import names as name_prep

from .models import Case, NameKey

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
