"""Template filters for showing the case record: dates with their precision, codes as names."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from waymark.cases import pickers
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
    """ "ER" -> "Eritrea" (in the reader's language); an unknown code is shown as it is."""
    if not code:
        return ""
    return pickers.country_names(get_language() or "en").get(code) or countries().get(code, code)


@register.filter
def language_names(codes: list[str] | None) -> list[tuple[str, str]]:
    """["ar", "ti"] -> [("ar", "Arabic"), ("ti", "Tigrinya")], in the reader's language."""
    local = pickers.language_names(get_language() or "en")
    table = languages()
    return [(code, local.get(code) or table.get(code, code)) for code in codes or []]


@register.filter
def country_options(_unused: Any) -> list[tuple[str, str]]:
    """(code, "local name · English name") for the countries datalist."""
    return pickers.country_options(get_language() or "en")


@register.filter
def language_options(_unused: Any) -> list[tuple[str, str]]:
    return pickers.language_options(get_language() or "en")


@register.filter
def is_special(category: Any) -> bool:
    """A GDPR Art. 9/10 special category (health, disclosures...): shown with a warning badge."""
    try:
        return DataCategory(str(category)) in SPECIAL_CATEGORIES
    except ValueError:
        return False


@register.filter
def allows(access: Any, category: str) -> bool:
    """``{% if access|allows:event.category %}``: may this category be shown? (No access object:
    the page was built from what the user just wrote, so yes.)"""
    if access is None or access == "":
        return True
    return bool(access.can(category))


@register.simple_tag
def withheld(access: Any, category: str) -> str:
    """The visible marker for a redacted field: what is withheld and why, never a silent gap."""
    note = access.withheld_note(category) if access else gettext("not shown")
    # The lock is drawn by CSS (.withheld::before, static/waymark/lock.svg): no emoji, which a
    # machine without an emoji font shows as an empty box.
    return format_html('<span class="withheld" role="note">{}</span>', note)


@register.filter
def seen_in(case: Any, rows: Any) -> dict[str, bool]:
    """``{% with seen=case|seen_in:rows %}{% if seen.identity %}``: what a list page may show of
    this case (``rows`` is access.PageAccess; without one, everything the view chose to show)."""
    if not rows:
        return dict.fromkeys(DataCategory.values, True)
    return {c: rows.shown(case, c) for c in DataCategory.values}


@register.filter(name="get")
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(str(key)) if mapping else None


@register.simple_tag
def author_line(author: Any, org: Any) -> str:
    """ "Giulia (caseworker, Servizio … (fictional))": name once, then role and organisation. A
    display name that already ends with the role in brackets (the demo's) is not repeated."""
    if author is None:
        return gettext("unknown")
    name = str(author)
    role = author.get_role_display() if getattr(author, "role", "") else ""
    for word in {role, str(getattr(author, "role", ""))} - {""}:
        suffix = f" ({word})"
        if name.casefold().endswith(suffix.casefold()):
            name = name[: -len(suffix)]
    about = ", ".join(p for p in (role.lower() if role else "", getattr(org, "name", "") or "") if p)
    return f"{name} ({about})" if about else name


@register.filter
def language_name(code: str) -> str:
    """ "ti" -> "Tigrinya" (in the reader's language); an unknown code is shown as it is."""
    if not code:
        return "—"
    return language_names([code])[0][1]
