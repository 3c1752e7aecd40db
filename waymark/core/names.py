"""Name preparation for search and matching: pure, versioned, no Django.

A child's name arrives in any script and many spellings (Muhammad / Mohamed / محمد). We never
guess vowels from Arabic script; instead every form is reduced to a consonant *skeleton* and
skeletons are compared (see shared/design/MATCHING.md). Every node must run the same
``NAMES_VERSION`` or recall drops silently, so bump it when the output of any function changes.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

NAMES_VERSION = 1

# Latin digraphs that spell one Arabic / Persian / Tigrinya consonant, folded to one letter so
# that "Khalid" and "Halid", "Shukri" and "Sukri" meet the Arabic-script skeleton.
_DIGRAPHS = (
    ("sch", "s"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("ch", "c"),
    ("ph", "f"),
    ("ou", "u"),
    ("ck", "k"),
    ("q", "k"),
    ("j", "g"),
    ("dj", "g"),
    ("x", "h"),
    ("p", "b"),
    ("v", "f"),
    ("c", "k"),
    ("e", "i"),
    ("o", "u"),
)
_VOWELS = frozenset("aeiouy")
_SEMI_VOWELS = frozenset("wy")
_NON_LETTER = re.compile(r"[^a-z]+")
_TOKEN_SPLIT = re.compile(r"[\s\-_,.;/()'’`ʼʻ]+")


def normalise(text: str) -> str:
    """NFKC, case-fold, collapse white space. Keeps the original script."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def transliterate(text: str) -> str:
    """Script-neutral Latin form, lower case (محمد -> 'mhmd', Ḥusayn -> 'husayn')."""
    latin = anyascii(normalise(text)).lower()
    return " ".join(_NON_LETTER.sub(" ", latin).split())


def tokens(text: str) -> list[str]:
    """Name tokens in original script (normalised), for exact evidence."""
    return [t for t in _TOKEN_SPLIT.split(normalise(text)) if t]


def skeleton(token: str) -> str:
    """Consonant skeleton of one name token, in any script.

    Transliterate, fold digraphs, keep the first letter, drop later vowels and semi-vowels,
    collapse doubled letters: Muhammad, Mohamed, Mohammed, محمد -> 'mhmd'.
    """
    latin = _NON_LETTER.sub("", transliterate(token))
    if not latin:
        return ""
    # Somali spelling writes ʿayn as a leading "c" (Cabdi = ʿAbdi).
    folded = latin[1:] if len(latin) > 2 and latin[0] == "c" and latin[1] in "aeiou" else latin
    for src, dst in _DIGRAPHS:
        folded = folded.replace(src, dst)
    out = [folded[0]]
    for ch in folded[1:]:
        if ch in _VOWELS or ch in _SEMI_VOWELS:
            continue
        if ch == out[-1]:
            continue
        out.append(ch)
    # A leading vowel carries little: Ahmed / Ahmad / أحمد ('hmd' from Arabic script).
    if len(out) > 1 and out[0] in "aeiou":
        out = out[1:]
    # A final h is often a written-out taa marbuta: Fatima / Fatimah / فاطمة.
    if len(out) > 3 and out[-1] == "h":
        out = out[:-1]
    return "".join(out)


def name_keys(text: str) -> list[tuple[str, str]]:
    """(transliterated token, skeleton) for each token of a name, duplicates removed."""
    seen: set[tuple[str, str]] = set()
    keys: list[tuple[str, str]] = []
    for tok in tokens(text):
        latin = _NON_LETTER.sub("", transliterate(tok))
        skel = skeleton(tok)
        if not latin or not skel:
            continue
        key = (latin, skel)
        if key not in seen:
            seen.add(key)
            keys.append(key)
    return keys


def query_skeletons(query: str) -> list[str]:
    """Skeletons of a search query's tokens, in order, duplicates removed."""
    out: list[str] = []
    for _latin, skel in name_keys(query):
        if skel not in out:
            out.append(skel)
    return out
