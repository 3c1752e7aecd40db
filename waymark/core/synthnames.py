"""Name inventories of the synthetic cross-border generator (``core/synthetic.py``): pure, seeded.

Each origin has a short hand-written head of common names (Mohammed, Ahmed, Yonas…, with their
usual Latin spellings) and a long tail of **invented (fictional) names** built from phonemes:
Arabic-pattern roots (CaCiiC, CaaCiC, maCCuuC…), Persian and Pashto syllables and endings
(-ullah, -i, -zai, -khel), Ethiopic syllables and compounds (Gebre-, Habte-, Wolde- + a second
word), Somali syllables. A name is a sequence of phonemes written once in the original script
(Arabic, Perso-Arabic or Ethiopic letters) and several ways in Latin letters (English, French,
Somali or Persian habits: ou for u, dj for j, x for ḥ, doubled long vowels, particles joined or
apart). ``pool(origin, kind)`` gives the names with Zipf-like weights — a few very common names
and a long tail — the same on every call (a fixed seed, independent of the generator's).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from . import names

# (original script, Latin spellings, commonest first)
Name = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Cons:
    arabic: str  # the letter in Arabic script ("" where the language has none)
    persian: str  # the letter in Perso-Arabic script
    ethiopic: int  # first code point of the Ethiopic syllable series (0: none)
    latin: tuple[str, ...]  # Latin spellings, the commonest first


_C: dict[str, _Cons] = {
    "b": _Cons("ب", "ب", 0x1260, ("b",)),
    "t": _Cons("ت", "ت", 0x1270, ("t",)),
    "th": _Cons("ث", "ث", 0, ("th", "s", "t")),
    "j": _Cons("ج", "ج", 0x1300, ("j", "dj", "g")),
    "H": _Cons("ح", "ح", 0x1210, ("h",)),  # Somali writes x (a habit)
    "kh": _Cons("خ", "خ", 0x12B8, ("kh", "h", "kh")),
    "d": _Cons("د", "د", 0x12F0, ("d",)),
    "dh": _Cons("ذ", "ذ", 0, ("dh", "z", "d")),
    "r": _Cons("ر", "ر", 0x1228, ("r",)),
    "z": _Cons("ز", "ز", 0x12D8, ("z", "s")),
    "s": _Cons("س", "س", 0x1230, ("s", "ss")),
    "sh": _Cons("ش", "ش", 0x1238, ("sh", "ch", "sch")),
    "S": _Cons("ص", "ص", 0, ("s",)),
    "D": _Cons("ض", "ض", 0, ("d", "dh")),
    "T": _Cons("ط", "ط", 0x1320, ("t",)),
    "Z": _Cons("ظ", "ظ", 0, ("z", "dh")),
    "c": _Cons("ع", "ع", 0x12D0, ("",)),  # ʿayn: unwritten in Latin, but c in Somali (a habit)
    "gh": _Cons("غ", "غ", 0, ("gh", "g")),
    "f": _Cons("ف", "ف", 0x1348, ("f", "ph")),
    "q": _Cons("ق", "ق", 0x1240, ("q", "k", "g")),
    "k": _Cons("ك", "ک", 0x12A8, ("k", "c")),
    "l": _Cons("ل", "ل", 0x1208, ("l", "ll")),
    "m": _Cons("م", "م", 0x1218, ("m", "mm")),
    "n": _Cons("ن", "ن", 0x1290, ("n", "nn")),
    "h": _Cons("ه", "ه", 0x1200, ("h",)),
    "w": _Cons("و", "و", 0x12C8, ("w", "w", "v")),
    "y": _Cons("ي", "ی", 0x12E8, ("y", "y", "j")),
    "p": _Cons("", "پ", 0x1350, ("p",)),
    "ch": _Cons("", "چ", 0x1278, ("ch", "tch")),
    "g": _Cons("", "گ", 0x1308, ("g",)),
    "zh": _Cons("", "ژ", 0x12E0, ("zh", "j")),
    "ts": _Cons("", "", 0x1338, ("ts", "tz", "s")),
}
# Vowels: Latin spellings (commonest first) and, for Ethiopic, the syllable's order in its series.
_V: dict[str, tuple[tuple[str, ...], int]] = {
    "a": (("a", "e"), 3),
    "i": (("i", "e"), 2),
    "u": (("u", "o", "ou"), 1),
    "aa": (("a", "aa"), 3),
    "ii": (("i", "ee", "ie"), 2),
    "uu": (("u", "ou", "oo"), 1),
    "e": (("e", "a"), 0),  # Ethiopic ä (first order)
    "ee": (("e", "ie", "ei"), 4),  # Ethiopic ē
    "o": (("o", "u"), 6),
    "@": (("e", "i", ""), 5),  # Ethiopic sixth order: ə or no vowel
    "at": (("a", "ah", "e", "eh"), 3),  # a feminine ending (taa marbuta, Persian -eh)
}
_LONG = {"aa": "ا", "ii": "ي", "uu": "و"}

# Writing habits: a spelling follows one of them throughout (a French file writes ou and dj, a
# Somali one x, c and doubled long vowels, a Persian one v and e).
_HABITS: dict[str, dict[str, str]] = {
    "english": {},
    "french": {"u": "ou", "uu": "ou", "sh": "ch", "j": "dj", "y": "y", "at": "a"},
    "somali": {"H": "x", "c": "c", "aa": "aa", "ii": "ii", "uu": "uu", "kh": "kh", "q": "q"},
    "persian": {"w": "v", "i": "e", "u": "o", "at": "eh", "kh": "kh"},
    "loose": {},
}


def _latin(rng: random.Random, word: list[str], habit: str, variety: float) -> str:
    overrides = _HABITS[habit]
    out = []
    for i, ph in enumerate(word):
        options = _C[ph].latin if ph in _C else _V[ph][0]
        if i == 0 and ph in _C:
            options = tuple(o for o in options if len(o) < 2 or o[0] != o[1]) or options  # no Mm-
        if ph in overrides and rng.random() < 0.8:
            out.append(overrides[ph])
        elif rng.random() < variety:
            out.append(rng.choice(options))
        else:
            out.append(options[0])
    return "".join(out)


def _abjad(word: list[str], persian: bool) -> str:
    out = []
    for i, ph in enumerate(word):
        if ph in _C and i and word[i - 1] == ph:
            continue  # a doubled consonant is written once (with a shadda, left out)
        if ph in _C:
            out.append(_C[ph].persian if persian else _C[ph].arabic)
        elif ph == "at":
            out.append("ه" if persian else "ة")
        elif ph in _LONG:
            out.append("ی" if persian and ph == "ii" else _LONG[ph])
        elif i == 0:
            out.append("ا")  # a word-initial short vowel is carried by an alif
    return "".join(out)


def _ethiopic(word: list[str]) -> str:
    out = []
    i = 0
    while i < len(word):
        ph = word[i]
        nxt = word[i + 1] if i + 1 < len(word) else None
        if ph in _C:
            base = _C[ph].ethiopic
            if nxt is not None and nxt in _V:
                out.append(chr(base + _V[nxt][1]))
                i += 2
                continue
            out.append(chr(base + 5))
        else:
            out.append(chr(0x12A0 + _V[ph][1]))  # a vowel alone: the glottal series (አ…)
        i += 1
    return "".join(out)


def _cap(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


@dataclass(frozen=True)
class _Word:
    phonemes: tuple[str, ...]
    particle: str = ""  # a particle before it: "al", "abd-al", "abu", "ben", "ullah" (after)


# --- Arabic-pattern names: a root of three consonants in a pattern --------------------------------

# Root consonants and how often roots use them.
_ROOT: dict[str, int] = {
    "b": 5, "t": 5, "th": 1, "j": 4, "H": 6, "kh": 3, "d": 5, "dh": 1, "r": 7, "z": 3, "s": 6,
    "sh": 3, "S": 3, "D": 1, "T": 2, "Z": 1, "c": 4, "gh": 1, "f": 4, "q": 4, "k": 5, "l": 6,
    "m": 6, "n": 6, "h": 3, "w": 2, "y": 2,
}  # fmt: skip
_MALE_PATTERNS = (
    "1 a 2 ii 3", "1 aa 2 i 3", "1 a 2 2 aa 3", "1 u 2 aa 3", "m a 1 2 uu 3", "a 1 2 a 3",
    "m u 1 a 2 2 a 3", "1 i 2 aa 3", "1 a 2 aa 3", "m u 1 ii 3", "1 a 2 2 uu 3", "m u 1 2 i 3",
)  # fmt: skip
_FEMALE_PATTERNS = (
    "1 a 2 ii 3 at", "1 aa 2 i 3 at", "1 u 2 aa 3 at", "1 a 2 aa 3 at", "1 a 2 2 aa 3",
    "m a 1 2 uu 3 at", "1 i 2 aa 3 at", "1 a 2 i 3 at", "1 u 2 a 3 aa",
)  # fmt: skip
_DIVINE = ("r a H m aa n", "k a r ii m", "l a T ii f", "c a z ii z", "m a j ii d", "H a l ii m",
           "s a l aa m", "q aa d i r", "H a m ii d", "w a H ii d", "gh a f uu r", "b aa s i T")  # fmt: skip


def _root(rng: random.Random) -> list[str]:
    letters, weights = list(_ROOT), list(_ROOT.values())
    out: list[str] = []
    while len(out) < 3:
        c = rng.choices(letters, weights)[0]
        if not out or c != out[-1]:
            out.append(c)
    return out


def _pattern(rng: random.Random, patterns: tuple[str, ...]) -> list[str]:
    root = _root(rng)
    return [root[int(p) - 1] if p.isdigit() else p for p in rng.choice(patterns).split()]


def _syllables(rng: random.Random, consonants: str, vowels: str, count: int) -> list[str]:
    cs, vs = consonants.split(), vowels.split()
    word: list[str] = []
    for k in range(count):
        if k or rng.random() < 0.85:
            word.append(rng.choice(cs))
        word.append(rng.choice(vs))
        if rng.random() < 0.3 and k == count - 1:
            word.append(rng.choice(cs))
    return word


# --- rendering a generated name in script and in several Latin spellings -------------------------

_JOINERS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    # particle: (Arabic script, Perso-Arabic, Latin forms written apart, Latin prefixes joined)
    "al": ("ال", "ال", ("Al-", "Al ", "El ", "El-"), ("Al", "El")),
    "abd-al": ("عبد ال", "عبد ال", ("Abdul ", "Abd al-", "Abdel ", "Abd el-"), ("Abdul", "Abdel", "Abdoul")),
    "abu": ("أبو ", "ابو ", ("Abu ", "Abou ", "Abo "), ("Abu", "Abou")),
    "ben": ("بن ", "بن ", ("Ben ", "Bin ", "Ben-"), ("Ben", "Bin")),
}
_SUFFIXES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # suffix: (script, Latin forms written apart, Latin forms joined)
    "ullah": (" الله", (" Ullah", " Allah"), ("ullah", "ollah", "allah", "ulla")),
    "uddin": (" الدين", (" Uddin", " ad-Din", " Eddine"), ("uddin", "eddine", "uddeen")),
    "zai": ("زی", (), ("zai", "zay", "zei")),
    "khel": (" خیل", (" Khel", " Khil"), ("khel", "khil")),
    "yar": ("یار", (), ("yar", "yaar")),
    "zada": ("زاده", (), ("zada", "zadeh", "zadah")),
    "i": ("ی", (), ("i", "y", "ee")),
}


@dataclass(frozen=True)
class _Generated:
    core: tuple[str, ...]
    particle: str = ""
    suffix: str = ""
    core2: tuple[str, ...] = ()  # a second word of a compound (Gebre + Medhin)


def _render(rng: random.Random, g: _Generated, script: str, habits: tuple[str, ...]) -> Name:
    persian = script == "persian"
    if script == "ethiopic":
        written = _ethiopic(list(g.core)) + (" " + _ethiopic(list(g.core2)) if g.core2 else "")
    elif script in ("arabic", "persian"):
        core = _abjad(list(g.core), persian)
        if g.particle:
            joiner = _JOINERS[g.particle]
            core = (joiner[1] if persian else joiner[0]) + core
        if g.suffix:
            core += _SUFFIXES[g.suffix][0]
        written = core
    else:
        written = ""
    spellings: list[str] = []
    for attempt in range(12):
        habit = "english" if attempt == 0 else rng.choice(habits)
        variety = 0.0 if attempt == 0 else 0.35
        word = _latin(rng, list(g.core), habit, variety)
        if g.suffix:
            apart, joined = _SUFFIXES[g.suffix][1], _SUFFIXES[g.suffix][2]
            if apart and attempt and rng.random() < 0.35:
                word = _cap(word) + rng.choice(apart)
            else:
                word += joined[0] if attempt == 0 else rng.choice(joined)
        if g.core2:
            second = _latin(rng, list(g.core2), habit, variety)
            sep = " " if attempt == 0 else rng.choice(("", "", " ", "-"))
            word = _cap(word) + sep + (second if sep == "" else _cap(second))
        text = _cap(word)
        if g.particle:
            apart, joined = _JOINERS[g.particle][2], _JOINERS[g.particle][3]
            if attempt == 0:
                text = apart[0] + text
            elif rng.random() < 0.4:
                text = rng.choice(joined) + word.lower()
                text = _cap(text)
            else:
                text = rng.choice(apart) + text
        if text and text not in spellings:
            spellings.append(text)
        if len(spellings) >= 5:
            break
    return written, tuple(spellings)


def _generate(
    rng: random.Random, make: object, count: int, script: str, habits: tuple[str, ...]
) -> list[Name]:
    out: list[Name] = []
    seen: set[str] = set()
    assert callable(make)
    for _ in range(count * 3):
        g = make(rng)
        name = _render(rng, g, script, habits)
        key = name[1][0].lower()
        # Invented names of one or two consonants would be namesakes of half the caseload.
        if key in seen or len(names.skeleton(key.replace(" ", ""))) < 3:
            continue
        seen.add(key)
        out.append(name)
        if len(out) >= count:
            break
    return out


# --- the generators of each language -------------------------------------------------------------


def _arab_male(rng: random.Random) -> _Generated:
    roll = rng.random()
    if roll < 0.08:
        return _Generated(tuple(rng.choice(_DIVINE).split()), particle="abd-al")
    if roll < 0.12:
        return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)), suffix="uddin")
    return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)))


def _arab_female(rng: random.Random) -> _Generated:
    return _Generated(tuple(_pattern(rng, _FEMALE_PATTERNS)))


def _arab_family(rng: random.Random) -> _Generated:
    roll = rng.random()
    core = _pattern(rng, _MALE_PATTERNS)
    if roll < 0.45:
        return _Generated((*core, "ii"), particle="al")  # al- and a nisba: al-Ubaidi
    if roll < 0.55:
        return _Generated(tuple(core), particle="abu")
    if roll < 0.65:
        return _Generated(tuple(core), particle="ben")
    if roll < 0.8:
        root = _root(rng)
        return _Generated((root[0], "a", root[1], root[1], "aa", root[2]))  # a trade: Haddad
    return _Generated(tuple(core))


_PERSIAN_C = "b p t j ch kh d r z zh s sh f q k g l m n w h y"
_PERSIAN_V = "a a aa i ii u uu"


def _afghan_male(rng: random.Random) -> _Generated:
    roll = rng.random()
    if roll < 0.15:
        return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)), suffix="ullah")
    if roll < 0.2:
        return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)), suffix="uddin")
    if roll < 0.6:
        return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)))
    return _Generated(tuple(_syllables(rng, _PERSIAN_C, _PERSIAN_V, rng.choice((2, 2, 3)))))


def _afghan_female(rng: random.Random) -> _Generated:
    if rng.random() < 0.5:
        return _Generated(tuple(_pattern(rng, _FEMALE_PATTERNS)))
    word = _syllables(rng, _PERSIAN_C, _PERSIAN_V, 2)
    if word[-1] in _C:
        word.append("at")
    return _Generated(tuple(word))


def _afghan_family(rng: random.Random) -> _Generated:
    roll = rng.random()
    base = _pattern(rng, _MALE_PATTERNS) if rng.random() < 0.6 else _syllables(rng, _PERSIAN_C, _PERSIAN_V, 2)
    if roll < 0.5:
        return _Generated(tuple(base), suffix="i")  # Ahmadi, Rahimi
    if roll < 0.75:
        return _Generated(tuple(base), suffix="zai")  # Stanikzai
    if roll < 0.85:
        return _Generated(tuple(base), suffix="khel")
    if roll < 0.92:
        return _Generated(tuple(base), suffix="zada")
    return _Generated(tuple(base), suffix="yar")


_HABESHA_C = "b t d r s sh l m n k g z y w h H q T ts f ch j kh"
_HABESHA_V = "e e e a a i u o @ ee"
_HABESHA_FIRST = ("g e b r @", "H a b t e", "w e l d e", "t e s f a", "k i d a n e", "h a y l e",
                  "b @ r h a n e", "z e r e", "m e b r a t", "g e r e")  # fmt: skip
_HABESHA_SECOND = ("m a r y a m", "m e d h i n", "s e l a s s ee", "m i k a ee l", "g i y o r g i s",
                   "y e s u s", "k r @ s t o s", "t @ n s a ee", "y o h a n n @ s", "a b")  # fmt: skip


def _habesha_male(rng: random.Random) -> _Generated:
    if rng.random() < 0.3:
        first = tuple(rng.choice(_HABESHA_FIRST).split())
        if rng.random() < 0.6:
            return _Generated(first, core2=tuple(rng.choice(_HABESHA_SECOND).split()))
        return _Generated(first, core2=tuple(_syllables(rng, _HABESHA_C, _HABESHA_V, 2)))
    return _Generated(tuple(_syllables(rng, _HABESHA_C, _HABESHA_V, rng.choice((2, 2, 3)))))


def _habesha_female(rng: random.Random) -> _Generated:
    word = _syllables(rng, _HABESHA_C, _HABESHA_V, rng.choice((2, 2, 3)))
    if word[-1] in _C:
        word.append(rng.choice(("a", "i", "@")))
    return _Generated(tuple(word))


_SOMALI_C = "b t j x kh d r s sh dh c g f q k l m n w h y"
_SOMALI_V = "a a aa i ii u uu e o"


def _somali_male(rng: random.Random) -> _Generated:
    if rng.random() < 0.5:
        return _Generated(tuple(_pattern(rng, _MALE_PATTERNS)))
    word = [("H" if p == "x" else p) for p in _syllables(rng, _SOMALI_C, _SOMALI_V, rng.choice((2, 3)))]
    return _Generated(tuple(word))


def _somali_female(rng: random.Random) -> _Generated:
    if rng.random() < 0.5:
        return _Generated(tuple(_pattern(rng, _FEMALE_PATTERNS)))
    word = [("H" if p == "x" else p) for p in _syllables(rng, _SOMALI_C, _SOMALI_V, 2)]
    if word[-1] in _C:
        word.append(rng.choice(("a", "o")))
    return _Generated(tuple(word))


# (generator, how many, script, writing habits) per origin and kind of name.
_TAILS: dict[tuple[str, str], tuple[object, int, str, tuple[str, ...]]] = {
    ("arab", "male"): (_arab_male, 400, "arabic", ("english", "french", "loose")),
    ("arab", "female"): (_arab_female, 250, "arabic", ("english", "french", "loose")),
    ("arab", "family"): (_arab_family, 500, "arabic", ("english", "french", "loose")),
    ("afghan", "male"): (_afghan_male, 400, "persian", ("english", "persian", "loose")),
    ("afghan", "female"): (_afghan_female, 250, "persian", ("english", "persian", "loose")),
    ("afghan", "family"): (_afghan_family, 500, "persian", ("english", "persian", "loose")),
    ("habesha", "male"): (_habesha_male, 400, "ethiopic", ("english", "loose", "french")),
    ("habesha", "female"): (_habesha_female, 250, "ethiopic", ("english", "loose")),
    ("somali", "male"): (_somali_male, 300, "arabic", ("somali", "english", "loose")),
    ("somali", "female"): (_somali_female, 200, "arabic", ("somali", "english", "loose")),
}
_SEED = 20261207  # fixed: the inventories never depend on the generator's seed


@functools.cache
def tail(origin: str, kind: str) -> tuple[Name, ...]:
    """The invented (fictional) names of an origin and kind ('male', 'female', 'family')."""
    if (origin, kind) not in _TAILS:
        return ()
    make, count, script, habits = _TAILS[(origin, kind)]
    rng = random.Random(f"{_SEED}-{origin}-{kind}")
    return tuple(_generate(rng, make, count, script, habits))


@dataclass(frozen=True)
class Pool:
    """Names with cumulative weights for ``random.choices`` (Zipf-like: the head common)."""

    names: tuple[Name, ...]
    cum_weights: tuple[float, ...]

    def draw(self, rng: random.Random) -> Name:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]


def pool(head: tuple[Name, ...], origin: str, kind: str, *, skew: float = 1.0) -> Pool:
    """``head`` (hand-written, commonest first) then the invented tail, weighted 1 / (rank + 2)^skew:
    with a few hundred names the first is drawn about one time in ten, the hundredth one in 400."""
    names = (*head, *tail(origin, kind))
    total = 0.0
    cum: list[float] = []
    for rank in range(len(names)):
        total += 1.0 / (rank + 2) ** skew
        cum.append(total)
    return Pool(names, tuple(cum))
