"""Name preparation for search and matching: pure, versioned, no Django.

A child's name arrives in any script and many spellings (Muhammad / Mohamed / محمد). We never
guess vowels from Arabic script; instead every form is reduced to a consonant *skeleton* and
skeletons are compared (see shared/design/MATCHING.md). Every node must run the same
``NAMES_VERSION`` or recall drops silently, so bump it when the output of any function changes.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

NAMES_VERSION = 4

# Latin digraphs that spell one Arabic / Persian / Tigrinya consonant, folded to one letter so
# that "Khalid" and "Halid", "Shukri" and "Sukri" meet the Arabic-script skeleton. Folded in one
# pass, longest first (v4): a digraph is read before the single letters it holds (Djamal is not
# d + j -> 'dgml') and a folded letter is never folded again (ch was c, then k). French files write
# ش as ch (Rachid, Aicha) and چ as tch (v4: both s, as sh; they were k).
_DIGRAPHS = (
    ("chae", "ka"),  # Michael, Habtemichael: the Greek ch said k (ሚካኤል, Mikael) (v4)
    ("sch", "s"),
    ("tch", "s"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("dj", "g"),
    ("sh", "s"),
    ("ch", "s"),
    ("ph", "f"),
    ("ou", "u"),
    ("ck", "k"),
    ("q", "k"),
    ("j", "g"),
    ("x", "h"),
    ("p", "b"),
    ("v", "w"),  # Persian و: Vahid / Wahid, Javad / Jawad (v2; was f)
    ("c", "k"),
    ("e", "i"),
    ("o", "u"),
)
_FOLD = dict(_DIGRAPHS)
_FOLD_RE = re.compile("|".join(re.escape(src) for src, _dst in _DIGRAPHS))
# Letters read as Latin spellings write them, before anyascii: the tāʾ marbūṭa (ة) is a final
# vowel (Malika, Malikah), not an h that meets the letter before it as a digraph (v4: مليكة was
# 'mlh' for Malika 'mlk'). Other letter pairs keep forming digraphs, as their Latin spellings do
# (أدهم and Adham are both 'dm').
_OWN_LETTERS = str.maketrans({"\u0629": "a"})
_VOWELS = frozenset("aeiouy")
_SEMI_VOWELS = frozenset("wy")
_NON_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")
# Arabic (and Persian, Urdu, Pashto) letters, Hebrew, Syriac, Thaana: scripts that leave short
# vowels unwritten and a doubled consonant single.
_ABJAD = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
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


def _fold(latin: str) -> str:
    """Digraphs and single letters folded in one pass (``_DIGRAPHS``)."""
    return _FOLD_RE.sub(lambda m: _FOLD[m.group(0)], latin)


@functools.lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """Consonant skeleton of one name token, in any script.

    Transliterate, fold digraphs, keep the first letter, drop later vowels and semi-vowels,
    collapse doubled letters: Muhammad, Mohamed, Mohammed, محمد -> 'mhmd'.
    """
    latin = _NON_LETTER.sub("", anyascii(normalise(token).translate(_OWN_LETTERS)).lower())
    if not latin:
        return ""
    # Somali spelling writes ʿayn as a leading "c" (Cabdi = ʿAbdi).
    folded = latin[1:] if len(latin) > 2 and latin[0] == "c" and latin[1] in "aeiou" else latin
    folded = _fold(folded)
    # Doubled letters are collapsed where they touch (Mohammed / Mohamed), before vowels are
    # dropped, so that Layla ('ll') keeps both of its l's and does not meet Ali ('l') (v3). Arabic
    # script writes a doubled consonant once, and its transliteration drops the long ā between
    # two equal ones (بلال -> 'bll', Bilal): there, nothing is collapsed.
    if not _ABJAD.search(token):
        folded = _DOUBLED.sub(r"\1", folded)
    out = [folded[0]]
    for ch in folded[1:]:
        if ch in _VOWELS or ch in _SEMI_VOWELS:
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


# ---------------------------------------------------------------------------------------------
# Version 2: script detection, particles and joined tokens, match keys, one-edit similarity.

# Particles written apart or joined to the next token (al-Ubaidi / Alubaidi / العبيدي, Ben Ali /
# Benali, Wolde Mariam / Woldemariam, Abdul Rahman / Abdulrahman). As skeletons.
_PARTICLES = frozenset(
    {"l", "bn", "b", "bnt", "bd", "bdl", "wld", "wlt", "ld", "g", "ds", "dl", "f", "fn", "fndr"}
)
_PARTICLE_WORDS = frozenset(
    {
        "al", "el", "ul", "ad", "as", "ash", "at", "ar", "an", "az", "ben", "bin", "ibn", "bint",
        "abu", "abou", "abo", "abd", "abdel", "abdul", "abdoul", "abdal", "wold", "wolde", "weld",
        "walad", "ould", "wad", "ag", "van", "von", "de", "da", "del", "di",
    }
)  # fmt: skip
# Leading skeleton parts that may be a joined particle (al-, abd-al-, ben-, wold-); removed to give
# an extra form when at least three consonants remain.
_JOINED_PREFIXES = ("bdl", "bd", "bn", "wld", "l")
_MIN_SKELETON_FOR_EDITS = 3


def script_of(text: str) -> str:
    """The main script of ``text``: 'latin', 'arabic', 'ethiopic', 'cyrillic', … or '' (no letter)."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = name.split(" ", 1)[0].lower() if name else ""
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


@functools.lru_cache(maxsize=65536)
def is_particle(token: str) -> bool:
    """A connecting word of a name (al, bin, abu, wold…), in Latin or original script."""
    latin = _NON_LETTER.sub("", transliterate(token))
    return latin in _PARTICLE_WORDS or (script_of(token) != "latin" and latin in {"l", "bn", "b", "bw"})


def phonetic(skel: str) -> str:
    """A coarser code of a skeleton: voiced and voiceless pairs folded (d/t, z/s, g/k), inner h
    dropped — Mohamed / Mohamet / Mehmet -> 'mmt'."""
    if not skel:
        return ""
    folded = skel[0] + skel[1:].replace("h", "")
    return folded.translate(str.maketrans("dzg", "tsk"))


def deletions(skel: str) -> list[str]:
    """Each skeleton with one letter removed (the symmetric-deletion neighbourhood): two skeletons
    within one edit share a key of ``skel`` + ``deletions(skel)``."""
    # A two-letter key matches a good part of a caseload (every h-s-n and h-n-… name); since v3
    # the search reads a capped number of rows per lookup and checks what a rare key found against
    # the common ones, so three-letter skeletons have them too (Tekle 'tkl' / Tekoe 'tk').
    if len(skel) < _MIN_SKELETON_FOR_EDITS:
        return []
    return sorted({skel[:i] + skel[i + 1 :] for i in range(len(skel))})


def name_forms(text: str) -> list[str]:
    """Every skeleton a name may be met under: each token's, each particle joined to the next
    token, each pair of adjacent tokens joined (Abdul Rahman / Abdulrahman), and each token with a
    joined particle removed (Alubaidi -> Ubaidi). Order-free, duplicates removed."""
    toks = [t for t in tokens(text) if skeleton(t)]
    forms: list[str] = []

    def add(skel: str) -> None:
        if skel and skel not in forms:
            forms.append(skel)

    for i, tok in enumerate(toks):
        skel = skeleton(tok)
        if not is_particle(tok):
            add(skel)
            for prefix in _JOINED_PREFIXES:
                rest = skel[len(prefix) :]
                if skel.startswith(prefix) and len(rest) >= _MIN_SKELETON_FOR_EDITS:
                    add(rest)
        if i + 1 < len(toks):
            add(skeleton(tok + toks[i + 1]))
    if not forms and toks:  # a name made only of particles still has a form
        add(skeleton(toks[0]))
    return forms


def query_units(text: str) -> list[list[str]]:
    """The units a search query must be matched on: one per token that is not a particle, each
    with its alternative skeletons (the token alone, and joined to a particle before it)."""
    toks = [t for t in tokens(text) if skeleton(t)]
    units: list[list[str]] = []
    for i, tok in enumerate(toks):
        if is_particle(tok) and i + 1 < len(toks):
            continue
        alts = [skeleton(tok)]
        if i > 0 and is_particle(toks[i - 1]):
            alts.append(skeleton(toks[i - 1] + tok))
        for prefix in _JOINED_PREFIXES:
            rest = alts[0][len(prefix) :]
            if alts[0].startswith(prefix) and len(rest) >= _MIN_SKELETON_FOR_EDITS and rest not in alts:
                alts.append(rest)
        if alts[0] not in [u[0] for u in units]:
            units.append(alts)
    return units


def given_forms(text: str) -> frozenset[str]:
    """The forms of a name's first unit (its given name, where the name is written given name
    first): the first token that is not a particle, alone and joined to a particle before it."""
    units = query_units(text)
    return frozenset(units[0]) if units else frozenset()


def match_keys(forms: list[str]) -> list[str]:
    """Retrieval keys of a name's forms: 's:' skeleton, 'd:' each one-deletion, 'p:' phonetic
    code, and 'q:' the phonetic codes of each two forms together (``pair_key``). A query finds a
    record when they share a key (see ``query_keys``)."""
    keys: list[str] = []
    for skel in forms:
        for key in (f"s:{skel}", f"p:{phonetic(skel)}", *(f"d:{d}" for d in deletions(skel))):
            if key not in keys:
                keys.append(key)
    codes = sorted({phonetic(skel) for skel in forms})
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            keys.append(pair_key(a, b))
    return keys


def pair_key(a: str, b: str) -> str:
    """The key of two phonetic codes met in one name, in either order (v3): a two-name query looks
    up the few children having both names instead of every child having either — 'Mohamed' and
    'Hussain' each hold a good part of a caseload, together a few hundred."""
    return f"q:{min(a, b)}|{max(a, b)}"


def query_keys(skel: str) -> list[str]:
    """The keys a query skeleton looks up: itself and its deletions among the record's skeletons
    and deletions (one edit either way), and its phonetic code."""
    keys = [f"s:{skel}", f"d:{skel}", f"p:{phonetic(skel)}"]
    for d in deletions(skel):
        keys += [f"s:{d}", f"d:{d}"]
    return list(dict.fromkeys(keys))


@functools.lru_cache(maxsize=65536)
def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1, or one transposition of adjacent letters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=65536)
def skeleton_similarity(query: str, form: str) -> tuple[float, str]:
    """(similarity in [0, 1], how they agreed) between a query skeleton and a record's form:
    'same' 1.0, 'sound' (same phonetic code) 0.9, 'one edit' 0.8 (0.5 at the first letter),
    'prefix' 0.7; short skeletons
    (fewer than three consonants) agree only when equal."""
    if query == form:
        return 1.0, "same"
    if min(len(query), len(form)) < _MIN_SKELETON_FOR_EDITS - 1:
        return 0.0, ""
    if phonetic(query) == phonetic(form):
        return 0.9, "sound"
    if max(len(query), len(form)) >= _MIN_SKELETON_FOR_EDITS and within_one_edit(query, form):
        # An edit at the first letter is weaker evidence: Mohamed (mhmd) is not Ahmed (hmd).
        return (0.8, "one edit") if query[0] == form[0] else (0.5, "one edit")
    if len(query) >= _MIN_SKELETON_FOR_EDITS and form.startswith(query):
        return 0.7, "prefix"
    return 0.0, ""
