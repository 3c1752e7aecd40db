"""Template filters for showing the case record: dates with their precision, codes as names."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext

from waymark.cases.models import Child
from waymark.core.codes import countries, languages
from waymark.vocab import SPECIAL_CATEGORIES, DataCategory, DatePrecision

register = template.Library()


@register.filter
def birth(child: Child) -> str:
    """The date of birth as precisely as it is known, never more ("≈ born 2009–2011")."""
    if child.birth_date_precision == DatePrecision.ESTIMATED:
        years = child.birth_year_range()
        if years is None:
            return gettext("unknown")
        low, high = years
        if low == high:
            return gettext("≈ born %(year)s") % {"year": low}
        return gettext("≈ born %(low)s–%(high)s") % {"low": low, "high": high}
    if child.birth_date is None:
        return gettext("unknown")
    if child.birth_date_precision == DatePrecision.YEAR:
        return str(child.birth_date.year)
    if child.birth_date_precision == DatePrecision.YEAR_MONTH:
        return date_format(child.birth_date, "YEAR_MONTH_FORMAT")
    return date_format(child.birth_date, "DATE_FORMAT")


@register.filter
def country_name(code: str) -> str:
    """ "ER" -> "Eritrea"; an unknown code is shown as it is."""
    if not code:
        return ""
    return countries().get(code, code)


@register.filter
def language_names(codes: list[str] | None) -> list[tuple[str, str]]:
    """["ar", "ti"] -> [("ar", "Arabic"), ("ti", "Tigrinya")]."""
    table = languages()
    return [(code, table.get(code, code)) for code in codes or []]


@register.filter
def is_special(category: Any) -> bool:
    """A GDPR Art. 9/10 special category (health, disclosures...): shown with a warning badge."""
    try:
        return DataCategory(str(category)) in SPECIAL_CATEGORIES
    except ValueError:
        return False
