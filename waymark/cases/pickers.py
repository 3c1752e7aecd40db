"""Country and language names for pickers, in the reader's language, from Babel's CLDR data.

Forms offer names and store codes (ISO 3166-1 alpha-2, ISO 639); the API keeps codes. An option
reads "name in the user's language · English name", so a datalist finds it by either script;
``resolve_*`` turn a typed name (either language) or a code back into the code.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError

from waymark.core.codes import countries, languages

# ISO 639-3 codes whose CLDR name lives under another key (Dari is Persian as spoken in Afghanistan).
_CLDR_KEY = {"prs": "fa_AF"}


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@cache
def _english() -> Locale:
    return Locale("en")


@cache
def country_names(lang: str) -> dict[str, str]:
    """``{alpha-2 code: name}`` in ``lang`` (English, then the ISO name, where CLDR has none)."""
    local = _locale(lang).territories
    english = _english().territories
    return {code: local.get(code) or english.get(code) or name for code, name in countries().items()}


@cache
def language_names(lang: str) -> dict[str, str]:
    """``{ISO 639 code: name}`` in ``lang`` for the languages CLDR names (a few hundred, not the
    7,000 codes of ISO 639-3: those stay accepted as codes, but a picker of them helps nobody)."""
    local = _locale(lang).languages
    english = _english().languages
    out = {}
    for code in languages():
        key = _CLDR_KEY.get(code, code)
        name = local.get(key) or english.get(key)
        if name:
            out[code] = name
    return out


def _options(local: dict[str, str], english: dict[str, str]) -> list[tuple[str, str]]:
    """(code, label) sorted by the local name; the label adds the English name if it differs."""
    rows = []
    for code, name in local.items():
        label = name if english.get(code, name) == name else f"{name} · {english[code]}"
        rows.append((code, label))
    return sorted(rows, key=lambda row: row[1].casefold())


@cache
def country_options(lang: str) -> list[tuple[str, str]]:
    return _options(country_names(lang), country_names("en"))


@cache
def language_options(lang: str) -> list[tuple[str, str]]:
    return _options(language_names(lang), language_names("en"))


def _resolve(text: str, known: set[str], *tables: dict[str, str], upper: bool) -> str:
    """A code as it is; a name (any table, any case) as its code; anything else unchanged, for
    the schema to refuse naming the field."""
    value = text.strip()
    code = value.upper() if upper else value.lower()
    if code in known:
        return code
    # "Eritrea · إريتريا" as a datalist may leave it: either half names the country.
    wanted = {part.strip().casefold() for part in value.split("·") if part.strip()}
    for table in tables:
        for key, name in table.items():
            if name.casefold() in wanted:
                return key
    return value


def resolve_country(text: str, lang: str) -> str:
    return _resolve(text, set(countries()), country_names(lang), country_names("en"), upper=True)


def resolve_language(text: str, lang: str) -> str:
    return _resolve(text, set(languages()), language_names(lang), language_names("en"), upper=False)
