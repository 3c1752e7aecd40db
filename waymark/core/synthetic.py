"""Labelled synthetic cross-border records, for measuring search and linkage: pure and seeded.

``generate(n, seed)`` invents ``n`` children (all fictional) and writes each of them as two
countries' files would: the "left" file (the node searching) and the "right" file (another
country's record of the same child, and of some who are not there). The variation is what the
field produces: transliteration variants (Muhammad / Mohamed / Mehmet), original script (Arabic,
Perso-Arabic, Ethiopic) against Latin, given and family names in either order, particles joined or
apart (al-Ubaidi / Alubaidi), patronymic or grandfather's name dropped or added, 1 January dates
and age-assessed ranges, nationality confusion (Eritrean / Ethiopian), typos — and siblings who
share a patronymic and a near birth date, the classic false match (true non-matches). The same
``(n, seed, today)`` always gives the same records.

Names come from ``core/synthnames.py``: a hand-written head of common names per origin and a long
tail of invented (fictional) ones, a few hundred given and family names per origin, drawn with a
Zipf-like skew (Mohammed is common, most names are rare). Families chain patronymics: siblings
share the father's and grandfather's names (and the family name), cousins the grandfather's;
twins share a date of birth too.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .synthnames import Name, Pool, pool


def _n(written: str, *spellings: str) -> Name:
    return (written, spellings)


_ARAB_MALE = (
    _n("محمد", "Muhammad", "Mohamed", "Mohammed", "Mohamad", "Muhammed", "Mehmet", "Mohamet"),
    _n("أحمد", "Ahmad", "Ahmed", "Ahmet", "Ahmat"),
    _n("حسين", "Hussain", "Hossein", "Husein", "Hussein", "Husain", "Houssein"),
    _n("خالد", "Khalid", "Khaled", "Halid", "Khaleed"),
    _n("عمر", "Omar", "Umar", "Omer", "Oumar"),
    _n("يوسف", "Yusuf", "Youssef", "Yousef", "Jusuf", "Yousif"),
    _n("إبراهيم", "Ibrahim", "Ebrahim", "Ibrahima", "Brahim"),
    _n("مصطفى", "Mustafa", "Moustafa", "Mostafa", "Mustapha"),
    _n("عبد الرحمن", "Abdulrahman", "Abdul Rahman", "Abderrahmane", "Abdelrahman"),
    _n("حمزة", "Hamza", "Hamzah", "Hamsa"),
    _n("طارق", "Tariq", "Tarek", "Tarik", "Tareq"),
    _n("بلال", "Bilal", "Belal", "Bilel"),
    _n("ياسين", "Yassin", "Yasin", "Yassine", "Yaseen"),
    _n("جمال", "Jamal", "Gamal", "Djamal", "Jamel"),
    _n("رشيد", "Rashid", "Rachid", "Rasheed", "Rashed"),
    _n("صالح", "Saleh", "Salih", "Salah"),
    _n("ناصر", "Nasser", "Nasir", "Naser", "Nacer"),
    _n("منصور", "Mansour", "Mansur", "Mansoor"),
    _n("قاسم", "Qasim", "Kassem", "Kasim", "Qassim"),
    _n("علي", "Ali", "Aly"),
    _n("كريم", "Karim", "Kareem", "Kerim"),
    _n("سمير", "Samir", "Sameer", "Semir"),
)
_ARAB_FEMALE = (
    _n("فاطمة", "Fatima", "Fatimah", "Fatma", "Fatuma"),
    _n("أمينة", "Amina", "Aminah", "Emine", "Amineh"),
    _n("مريم", "Mariam", "Maryam", "Meryem", "Mariyam"),
    _n("عائشة", "Aisha", "Aicha", "Aysha", "Ayesha"),
    _n("زينب", "Zainab", "Zeinab", "Zaynab", "Zeynep"),
    _n("هدى", "Huda", "Houda", "Hoda"),
    _n("ليلى", "Layla", "Leila", "Laila", "Leyla"),
    _n("سلمى", "Salma", "Selma", "Salmah"),
)
_ARAB_FAMILY = (
    _n("العبيدي", "Al-Ubaidi", "Al Ubaidi", "Alubaidi", "El Obeidi", "Al-Obaidi"),
    _n("بن علي", "Ben Ali", "Benali", "Bin Ali", "Ben-Ali"),
    _n("الحسن", "Al-Hassan", "Al Hasan", "Elhassan", "El-Hassan"),
    _n("أبو بكر", "Abu Bakr", "Abubakar", "Aboubakar", "Abu Baker"),
    _n("الخطيب", "Al-Khatib", "Alkhatib", "El Khatib", "Al Khateeb"),
    _n("درويش", "Darwish", "Derwich", "Darwiche", "Darweesh"),
    _n("حداد", "Haddad", "Hadad", "Al-Haddad"),
    _n("الزين", "Al-Zein", "Elzein", "Al Zain", "Ezzine"),
    _n("السوداني", "Al-Sudani", "Elsudani", "Al Soudani"),
    _n("الشامي", "Al-Shami", "Elshami", "Al Chami", "Alshami"),
)
_AFGHAN_MALE = (
    _n("محمد", "Mohammad", "Muhammad", "Mohamad", "Mohammed"),
    _n("حسین", "Hossein", "Hussain", "Husain", "Hussein"),
    _n("علیرضا", "Alireza", "Ali Reza", "Ali Raza"),
    _n("مهدی", "Mahdi", "Mehdi", "Mahdy"),
    _n("حبیب الله", "Habibullah", "Habibollah", "Habib Ullah", "Habiballah"),
    _n("ذبیح الله", "Zabihullah", "Zabiullah", "Zabihollah"),
    _n("فرید", "Farid", "Fareed", "Faried"),
    _n("جواد", "Jawad", "Javad", "Jawaad"),
    _n("امید", "Omid", "Umid", "Omeed"),
    _n("وحید", "Wahid", "Vahid", "Waheed"),
    _n("نظیر", "Nazir", "Nazeer", "Nasir"),
    _n("احمد", "Ahmad", "Ahmed", "Ahmat"),
    _n("سهراب", "Sohrab", "Suhrab", "Sohrap"),
    _n("شفیق", "Shafiq", "Shafik", "Chafik"),
)
_AFGHAN_FEMALE = (
    _n("زهرا", "Zahra", "Zohra", "Zehra"),
    _n("فرزانه", "Farzana", "Farzaneh", "Farzanah"),
    _n("شبنم", "Shabnam", "Chabnam", "Shabnum"),
    _n("نرگس", "Nargis", "Narges", "Nargiz"),
    _n("پروانه", "Parwana", "Parvaneh", "Parwanah"),
    _n("مریم", "Maryam", "Mariam", "Mariyam"),
)
_AFGHAN_FAMILY = (
    _n("احمدی", "Ahmadi", "Ahmady", "Ahmedi"),
    _n("حسینی", "Hosseini", "Husaini", "Hussaini", "Hosseyni"),
    _n("رحیمی", "Rahimi", "Rahimy", "Raheemi"),
    _n("کریمی", "Karimi", "Kareemi", "Karimy"),
    _n("سلطانی", "Sultani", "Soltani", "Sultany"),
    _n("نوری", "Noori", "Nouri", "Nuri"),
    _n("محمدی", "Mohammadi", "Muhammadi", "Mohamadi"),
    _n("ستانکزی", "Stanikzai", "Stanekzai", "Stanakzai"),
    _n("وردک", "Wardak", "Wardag", "Vardak"),
    _n("حیدری", "Haidari", "Heydari", "Haydari", "Haideri"),
)
_HABESHA_MALE = (
    _n("ዮናስ", "Yonas", "Yonass", "Jonas"),
    _n("ተስፋይ", "Tesfay", "Tesfai", "Tesfaye", "Tesfey"),
    _n("ተኽለ", "Tekle", "Tecle", "Teklé", "Tekleh"),
    _n("ሃብተማርያም", "Habtemariam", "Habte Mariam", "Habtemaryam", "Habtemarjam"),
    _n("ዮሃንስ", "Yohannes", "Yohanes", "Johannes", "Yohannis"),
    _n("ፊልሞን", "Filmon", "Filimon", "Philemon"),
    _n("ዳዊት", "Dawit", "Dawitt", "Davit"),
    _n("ኪዳነ", "Kidane", "Kidana", "Kidanie"),
    _n("መሓሪ", "Mehari", "Mehary", "Mahari"),
    _n("ብርሃነ", "Berhane", "Birhane", "Brhane", "Berhani"),
    _n("ገብረመድህን", "Ghebremedhin", "Gebremedhin", "Gebre Medhin", "Ghebremedhn"),
    _n("ወልደማርያም", "Woldemariam", "Wolde Mariam", "Weldemariam", "Woldemaryam"),
    _n("ኣማኑኤል", "Amanuel", "Emanuel", "Amanuiel"),
    _n("ሮቤል", "Robel", "Robiel", "Rubel"),
    _n("ሚካኤል", "Mikael", "Michael", "Mikiel"),
    _n("ሰለሞን", "Solomon", "Selomon", "Salomon"),
)
_HABESHA_FEMALE = (
    _n("ሳባ", "Saba", "Sabah"),
    _n("ሰላም", "Selam", "Salam", "Sellam"),
    _n("ሰናይት", "Senait", "Senayt", "Senayit"),
    _n("ሉዋም", "Luwam", "Lwam", "Luam"),
    _n("ዮርዳኖስ", "Yordanos", "Jordanos", "Yordanos"),
    _n("ፍረወይኒ", "Freweini", "Frewoini", "Frewyni"),
    _n("ራሄል", "Rahel", "Rachel", "Rahiel"),
    _n("ኤልሳ", "Elsa", "Elssa"),
)
_SOMALI_MALE = (
    _n("محمد", "Maxamed", "Mohamed", "Mohammed", "Maxamad"),
    _n("عبدي", "Cabdi", "Abdi", "Abdy"),
    _n("حسن", "Xasan", "Hassan", "Hasan", "Xassan"),
    _n("علي", "Cali", "Ali", "Caali"),
    _n("أحمد", "Axmed", "Ahmed", "Ahmad", "Axmad"),
    _n("عمر", "Cumar", "Omar", "Umar"),
    _n("إسماعيل", "Ismaaciil", "Ismail", "Ismael"),
    _n("خضر", "Khadar", "Kadar", "Khader"),
    _n("يوسف", "Yuusuf", "Yusuf", "Yousuf"),
)
_SOMALI_FEMALE = (
    _n("حليمة", "Xaliimo", "Halima", "Halimo"),
    _n("فاطمة", "Faadumo", "Fadumo", "Fatuma", "Fatima"),
    _n("هودان", "Hodan", "Hoodan"),
    _n("أيان", "Ayaan", "Ayan", "Ayane"),
    _n("سهرة", "Sahra", "Saxra", "Sahro"),
)


@dataclass(frozen=True)
class _Origin:
    nationalities: tuple[str, ...]
    confused_with: tuple[str, ...]  # what another country's file may write instead
    languages: tuple[str, ...]
    male: Pool
    female: Pool
    family: Pool | None  # None: patronymic naming (father's and grandfather's given names)
    script: bool  # has an original-script form the child may give
    weight: int


def _origins() -> tuple[_Origin, ...]:
    arab_m, arab_f = pool(_ARAB_MALE, "arab", "male"), pool(_ARAB_FEMALE, "arab", "female")
    somali_m, somali_f = pool(_SOMALI_MALE, "somali", "male"), pool(_SOMALI_FEMALE, "somali", "female")
    return (
        _Origin(
            ("SY", "IQ"), ("IQ", "SY", "LB", "PS"), ("ar",), arab_m, arab_f,
            pool(_ARAB_FAMILY, "arab", "family", skew=0.8), True, 25,
        ),
        _Origin(("SD",), ("SS", "TD", "EG"), ("ar",), arab_m, arab_f, None, True, 10),
        _Origin(
            ("AF",), ("PK", "IR"), ("fa", "ps"), pool(_AFGHAN_MALE, "afghan", "male"),
            pool(_AFGHAN_FEMALE, "afghan", "female"), pool(_AFGHAN_FAMILY, "afghan", "family", skew=0.8),
            True, 25,
        ),
        _Origin(
            ("ER",), ("ET",), ("ti",), pool(_HABESHA_MALE, "habesha", "male"),
            pool(_HABESHA_FEMALE, "habesha", "female"), None, True, 25,
        ),
        _Origin(("SO",), ("ET", "KE"), ("so",), somali_m, somali_f, None, False, 15),
    )  # fmt: skip


_ORIGINS = _origins()


@dataclass(frozen=True)
class Record:
    """One country's record of a child. ``entity`` is the truth label (the same child, the same
    value); ``birth_date`` is 'YYYY-MM-DD', 'YYYY' or '' as the file gives it."""

    record_id: str
    entity: int
    given_names: str
    family_names: str
    name_original_script: str
    sex: str  # "F", "M" or ""
    birth_date: str
    birth_date_estimated: bool
    assessed_age: tuple[int, int] | None  # age-assessed range on ``assessed_on``
    assessed_on: str
    nationality: str
    languages: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.family_names) if p)


@dataclass(frozen=True)
class CrossBorderSet:
    left: tuple[Record, ...]
    right: tuple[Record, ...]

    def true_pairs(self) -> set[tuple[str, str]]:
        by_entity: dict[int, str] = {r.entity: r.record_id for r in self.left}
        return {(by_entity[r.entity], r.record_id) for r in self.right if r.entity in by_entity}

    def sibling_pairs(self) -> set[tuple[str, str]]:
        """Pairs of different children of one family — brothers and sisters sharing a patronymic,
        twins, cousins sharing a grandfather's name (true non-matches)."""
        return {
            (a.record_id, b.record_id)
            for a in self.left
            for b in self.right
            if a.entity != b.entity and a.entity // _FAMILY == b.entity // _FAMILY
        }


_FAMILY = 10  # entity = family * _FAMILY + child number within the family


@dataclass(frozen=True)
class _Child:
    entity: int
    origin: _Origin
    sex: str
    given: Name
    father: Name
    grandfather: Name
    family: Name | None
    born: dt.date


_TODAY = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Variation:
    """How often each kind of variation happens when a file writes a child's record. The defaults
    are the set every benchmark measures; other values exist to ask which variation costs how much
    (``bench/linkage_ceiling.py --variation``), never to make a figure look better."""

    grandfather_added: float = 0.35  # patronymic naming: the grandfather's name written too
    family_with_father: float = 0.3  # family naming: the father's name written before the family name
    father_dropped: float = 0.15  # of three names or more, the father's left out
    typo: float = 0.15  # one letter dropped, added, replaced or two swapped in one name
    order_swapped: float = 0.12  # the family name written first and taken as the given name
    original_script: float = 0.6  # the name also in its script (origins that have one)
    exact_date: float = 0.4  # the full date of birth; else an assigned 1 January or an assessment
    assigned_january: float = 0.35  # an assigned 1 January (often a year off); the rest assessed
    nationality_confused: float = 0.15  # another country written (Eritrean as Ethiopian…)
    sex_missing: float = 0.03


DEFAULT_VARIATION = Variation()


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("aeioulnrstmdkh")
    if kind == 0:
        return word[:i] + word[i + 1 :]  # a letter dropped
    if kind == 1:
        return word[:i] + letter + word[i:]  # a letter added
    if kind == 2:
        return word[:i] + letter + word[i + 1 :]  # a letter replaced
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # two letters swapped


def _spell(rng: random.Random, name: Name, *, commonest: float) -> str:
    """One Latin spelling of ``name``: its commonest, or any of its spellings."""
    spellings = name[1]
    return spellings[0] if rng.random() < commonest else rng.choice(spellings)


def _render(
    rng: random.Random,
    child: _Child,
    record_id: str,
    *,
    side: str,
    today: dt.date,
    vary: Variation = DEFAULT_VARIATION,
) -> Record:
    """One country's record of ``child``."""
    o = child.origin
    # Which names the file has: given + father (+ grandfather), or given + family name.
    parts = [child.given, child.father]
    if child.family is not None:
        parts = (
            [child.given, child.family]
            if rng.random() < 1 - vary.family_with_father
            else [child.given, child.father, child.family]
        )
    elif rng.random() < vary.grandfather_added:
        parts.append(child.grandfather)  # the grandfather's name added (or, elsewhere, dropped)
    if len(parts) > 2 and rng.random() < vary.father_dropped:
        parts = parts[:1] + parts[2:]  # the father's name dropped
    spelled = [_spell(rng, p, commonest=0.35 if side == "left" else 0.2) for p in parts]
    if rng.random() < vary.typo:
        j = rng.randrange(len(spelled))
        spelled[j] = _typo(rng, spelled[j])
    given, rest = spelled[0], spelled[1:]
    if rng.random() < vary.order_swapped:
        given, rest = rest[-1], [*rest[:-1], given]  # family name first, taken as the given name
    original = " ".join(p[0] for p in parts) if o.script and rng.random() < vary.original_script else ""
    # Dates: exact, an assigned 1 January (often a year off), or an age assessment only.
    roll = rng.random()
    birth, estimated, assessed, assessed_on = "", False, None, ""
    if roll < vary.exact_date:
        birth = child.born.isoformat()
    elif roll < vary.exact_date + vary.assigned_january:
        year = child.born.year + rng.choice((0, 0, 0, -1, 1))
        birth = f"{year}-01-01"
    else:
        on = today - dt.timedelta(days=rng.randrange(30, 700))
        age = on.year - child.born.year - ((on.month, on.day) < (child.born.month, child.born.day))
        low = max(age - rng.choice((0, 1, 1, 2)), 0)
        assessed, assessed_on, estimated = (low, low + rng.choice((1, 2, 2, 3))), on.isoformat(), True
    nationality = (
        rng.choice(o.confused_with) if rng.random() < vary.nationality_confused else o.nationalities[0]
    )
    return Record(
        record_id=record_id,
        entity=child.entity,
        given_names=given,
        family_names=" ".join(rest),
        name_original_script=original,
        sex=child.sex if rng.random() < 1 - vary.sex_missing else "",
        birth_date=birth,
        birth_date_estimated=estimated,
        assessed_age=assessed,
        assessed_on=assessed_on,
        nationality=nationality,
        languages=o.languages,
    )


def _family(rng: random.Random, family_no: int, today: dt.date) -> list[_Child]:
    """The children of one family who travel: one, or brothers and sisters (the same father's and
    grandfather's names, and family name), sometimes twins (the same date of birth too), or two
    cousins (the same grandfather's name and family name, another father)."""
    origin = rng.choices(_ORIGINS, weights=[o.weight for o in _ORIGINS])[0]
    grandfather = origin.male.draw(rng)
    father = origin.male.draw(rng)
    family = origin.family.draw(rng) if origin.family is not None else None
    first = today - dt.timedelta(days=rng.randrange(8 * 365, 17 * 365))
    roll = rng.random()
    size = 1 if roll < 0.78 else 2 if roll < 0.94 else 3
    twins = size > 1 and rng.random() < 0.08
    cousins = size == 2 and not twins and rng.random() < 0.2
    children = []
    givens: set[str] = {father[0]}
    for k in range(size):
        sex = "F" if rng.random() < 0.3 else "M"
        given = (origin.female if sex == "F" else origin.male).draw(rng)
        for _ in range(20):  # brothers and sisters are not given the same name
            if given[0] not in givens:
                break
            given = (origin.female if sex == "F" else origin.male).draw(rng)
        givens.add(given[0])
        own_father = father
        if cousins and k == 1:
            own_father = origin.male.draw(rng)
        born = first if twins else first + dt.timedelta(days=k * rng.randrange(300, 900))
        children.append(
            _Child(
                family_no * _FAMILY + k, origin, sex, given, own_father, grandfather, family, min(born, today)
            )
        )
    return children


def generate(
    n: int,
    seed: int = 12,
    *,
    overlap: float = 0.8,
    today: dt.date = _TODAY,
    variation: Variation = DEFAULT_VARIATION,
) -> CrossBorderSet:
    """``n`` children on the left; about ``overlap`` of them also on the right (the true pairs),
    plus siblings of left children (non-matches sharing a patronymic) and other children.
    ``variation``: how often each kind of variation happens (the defaults are the benchmark's)."""
    rng = random.Random(seed)
    children: list[_Child] = []
    family_no = 0
    while len(children) < n * 1.4:
        children += _family(rng, family_no, today)
        family_no += 1
    left_children = children[:n]
    left = tuple(
        _render(rng, c, f"L{i:06d}", side="left", today=today, vary=variation)
        for i, c in enumerate(left_children)
    )
    right_children = [c for c in left_children if rng.random() < overlap] + children[n:]
    rng.shuffle(right_children)
    right = tuple(
        _render(rng, c, f"R{i:06d}", side="right", today=today, vary=variation)
        for i, c in enumerate(right_children)
    )
    return CrossBorderSet(left, right)


def as_row(record: Record) -> dict[str, str]:
    """A record in the linkage CSV contract (``core.linkprep.COLUMNS``). An age assessment becomes
    the middle year of its range, marked estimated."""
    birth, estimated = record.birth_date, record.birth_date_estimated
    if record.assessed_age is not None and record.assessed_on:
        on = dt.date.fromisoformat(record.assessed_on)
        low, high = on.year - record.assessed_age[1] - 1, on.year - record.assessed_age[0]
        birth, estimated = str((low + high) // 2), True
    return {
        "record_id": record.record_id,
        "given_names": record.given_names,
        "family_names": record.family_names,
        "full_name": "",
        "name_original_script": record.name_original_script,
        "sex": record.sex,
        "birth_date": birth,
        "birth_date_estimated": "true" if estimated else "false",
        "nationality": record.nationality,
        "languages": ";".join(record.languages),
    }
