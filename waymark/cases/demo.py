"""Fictional demo data: organisations, people, name pools and the two training scenarios.

Everything here is invented and is marked so wherever it lands (``is_fictional`` and
"(fictional)" in organisation names). The module only *describes* the data; the
``load_demo`` command writes it through ``actions.py``, and ``bench/search_bench.py`` reuses
the name pools to generate a large population.

Dates are described relative to the day of loading (``days_ago``), so children stay minors and
review dates stay meaningful; every choice is drawn from a seeded ``random.Random``, so a
rerun on the same day produces the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from waymark.core.names import transliterate
from waymark.vocab import (
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    IdentifierScheme,
    MissingCategory,
    Purpose,
    RiskLevel,
    Role,
    Sector,
    Sex,
)

DEFAULT_PASSWORD = "waymark-demo-2026"  # noqa: S105  (fictional demo accounts, development only)
SEED = 2026
GENERATED_CHILDREN = 50

# ---------------------------------------------------------------------------------------------
# Organisations and people


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    country: str
    sector: Sector


ORGS: tuple[OrgSpec, ...] = (
    OrgSpec("it-cps-milano", "Servizio Tutela Minori Milano (fictional)", "IT", Sector.CHILD_PROTECTION),
    OrgSpec("it-guardians", "Ufficio Tutori Volontari Milano (fictional)", "IT", Sector.GUARDIANSHIP),
    OrgSpec("it-hotline", "Telefono 116 000 Italia (fictional)", "IT", Sector.HOTLINE),
    OrgSpec("it-police", "Polizia - Unità Persone Scomparse (fictional)", "IT", Sector.POLICE),
    OrgSpec("fr-ngo-calais", "Association Refuge Calais (fictional)", "FR", Sector.NGO),
    OrgSpec("fr-dublin", "Unité Dublin Paris (fictional)", "FR", Sector.ASYLUM_DUBLIN_UNIT),
    OrgSpec("be-police-mpu", "Cellule Personnes Disparues (fictional)", "BE", Sector.POLICE),
    OrgSpec("be-guardianship", "Service des Tutelles Bruxelles (fictional)", "BE", Sector.GUARDIANSHIP),
    OrgSpec("be-dublin", "Cellule Dublin Bruxelles (fictional)", "BE", Sector.ASYLUM_DUBLIN_UNIT),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: Role
    org: str  # OrgSpec.slug
    display_name: str
    admin: bool = False  # node administrators get Django staff and superuser rights


USERS: tuple[UserSpec, ...] = (
    UserSpec("demo-caseworker", Role.CASEWORKER, "it-cps-milano", "Giulia Demo (caseworker)"),
    UserSpec("demo-supervisor", Role.SUPERVISOR, "it-cps-milano", "Sara Demo (supervisor)"),
    UserSpec("demo-guardian", Role.GUARDIAN, "it-guardians", "Marco Demo (guardian)"),
    UserSpec("demo-hotline-operator", Role.HOTLINE_OPERATOR, "it-hotline", "Elena Demo (116 000)"),
    UserSpec("demo-police-officer", Role.POLICE_OFFICER, "it-police", "Paolo Demo (police)"),
    UserSpec("demo-dpo", Role.DPO, "it-cps-milano", "Anna Demo (data protection officer)"),
    UserSpec("demo-node-admin", Role.NODE_ADMIN, "it-cps-milano", "Luca Demo (node admin)", admin=True),
    UserSpec("demo-fr-caseworker", Role.CASEWORKER, "fr-ngo-calais", "Claire Démo (caseworker)"),
    UserSpec("demo-dublin-officer", Role.DUBLIN_OFFICER, "fr-dublin", "Julien Démo (Dublin unit)"),
    UserSpec("demo-be-police", Role.POLICE_OFFICER, "be-police-mpu", "Luc Démo (police)"),
    UserSpec("demo-be-guardian", Role.GUARDIAN, "be-guardianship", "Nadia Démo (guardian)"),
    UserSpec(
        "demo-be-dublin-officer", Role.DUBLIN_OFFICER, "be-dublin", "Dries Démo (Dublin unit, Brussels)"
    ),
)

# The user whose existence means "the demo is loaded" (checked by ``load_demo --once``).
SENTINEL_USER = "demo-caseworker"

# ---------------------------------------------------------------------------------------------
# Name pools


@dataclass(frozen=True)
class NameForm:
    """One name as the child writes it, and the Latin spellings files give it (commonest first)."""

    written: str
    spellings: tuple[str, ...]


def _n(written: str, *spellings: str) -> NameForm:
    return NameForm(written, spellings or (written,))


@dataclass(frozen=True)
class Origin:
    """Where a child comes from: nationalities, languages and the names they are likely to carry."""

    key: str
    nationalities: tuple[str, ...]
    languages: tuple[tuple[str, ...], ...]
    male: tuple[NameForm, ...]
    female: tuple[NameForm, ...]
    family: tuple[NameForm, ...]
    # The child writes their name in a non-Latin script (Ethiopic, Arabic, Perso-Arabic...).
    own_script: bool
    weight: int


ERITREA = Origin(
    key="eritrea",
    nationalities=("ER",),
    languages=(("ti",), ("ti",), ("ti", "ar"), ("tig", "ti")),
    male=(
        _n("ዮናስ", "Yonas", "Yohannes", "Jonas"),
        _n("ዮሃንስ", "Yohannes", "Yohanes", "Johannes"),
        _n("ፊልሞን", "Filmon", "Philemon", "Filimon"),
        _n("መርሃዊ", "Merhawi", "Mehrawi"),
        _n("ሮቤል", "Robel"),
        _n("ሄኖክ", "Henok", "Enoch"),
        _n("ዳኒኤል", "Daniel"),
        _n("ሰለሙን", "Selemun", "Solomon"),
        _n("ብሩክ", "Biruk", "Buruk"),
    ),
    female=(
        _n("ሳባ", "Saba"),
        _n("ሰምሃር", "Semhar", "Semhar"),
        _n("ሰናይት", "Senait", "Senayt"),
        _n("ሄለን", "Helen", "Hellen"),
        _n("ፍዮሪ", "Fiori", "Fyori"),
        _n("ቤተልሄም", "Betelhem", "Bethlehem"),
    ),
    family=(
        _n("ተስፋይ", "Tesfay", "Tesfai", "Tesfaye"),
        _n("ኪዳነ", "Kidane", "Kidanè"),
        _n("ገብረመድህን", "Ghebremedhin", "Gebremedhin", "Ghebremedin"),
        _n("ተኽለ", "Tekle", "Tecle"),
        _n("ሃብተ", "Habte", "Habtè"),
        _n("መሓሪ", "Mehari", "Mihari"),
        _n("ወልዱ", "Woldu", "Weldu"),
        _n("ኣብርሃ", "Abraha", "Abreha"),
    ),
    own_script=True,
    weight=12,
)

ETHIOPIA = Origin(
    key="ethiopia",
    nationalities=("ET",),
    languages=(("am",), ("om",), ("om", "am"), ("ti", "am")),
    male=(
        _n("ሄኖክ", "Henok"),
        _n("ቢኒያም", "Biniam", "Biniyam"),
        _n("ዮሴፍ", "Yosef", "Yusuf", "Joseph"),
        _n("ከድር", "Kedir", "Kadir", "Qadir"),
    ),
    female=(_n("ልደት", "Lidet", "Lidete"), _n("ሃና", "Hana", "Hanna"), _n("ማርታ", "Marta", "Martha")),
    family=(
        _n("ገብሬ", "Gebre", "Ghebre"),
        _n("ታደሰ", "Tadesse", "Tadese"),
        _n("ደበበ", "Debebe"),
        _n("ቶሎሳ", "Tolosa", "Tolossa"),
    ),
    own_script=True,
    weight=3,
)

ARABIC = Origin(
    key="arabic",
    nationalities=("SY", "SY", "IQ", "SD", "SD", "MA"),
    languages=(("ar",), ("ar",), ("ar", "fr"), ("ar", "en")),
    male=(
        _n("محمد", "Muhammad", "Mohamed", "Mohammed", "Mohammad", "Mouhamed"),
        _n("أحمد", "Ahmad", "Ahmed"),
        _n("حسين", "Hussain", "Hussein", "Husein", "Hossein"),
        _n("عمر", "Omar", "Umar", "Omer"),
        _n("خالد", "Khalid", "Khaled"),
        _n("يوسف", "Youssef", "Yusuf", "Yousef", "Yousif"),
        _n("علي", "Ali"),
        _n("إبراهيم", "Ibrahim", "Ebrahim", "Brahim"),
        _n("مصطفى", "Mustafa", "Mostafa", "Moustafa"),
        _n("عبدالله", "Abdullah", "Abdallah", "Abdalla"),
        _n("حمزة", "Hamza", "Hamzah"),
        _n("أيوب", "Ayoub", "Ayub"),
        _n("زكريا", "Zakaria", "Zakariya"),
    ),
    female=(
        _n("فاطمة", "Fatima", "Fatma", "Fatimah"),
        _n("عائشة", "Aisha", "Aicha", "Ayesha"),
        _n("مريم", "Mariam", "Maryam", "Meriem"),
        _n("آمنة", "Amina", "Amna"),
        _n("نور", "Nour", "Noor", "Nur"),
        _n("هبة", "Hiba", "Heba"),
    ),
    family=(
        _n("حسن", "Hassan", "Hasan"),
        _n("حداد", "Haddad"),
        _n("عباس", "Abbas"),
        _n("محمود", "Mahmoud", "Mahmud"),
        _n("صالح", "Saleh", "Salih"),
        _n("عثمان", "Osman", "Othman", "Uthman"),
        _n("إدريس", "Idris", "Idriss", "Driss"),
        _n("العمراني", "El Amrani", "Alamrani"),
        _n("آدم", "Adam", "Adem"),
        _n("عبد الرحمن", "Abdelrahman", "Abdul Rahman", "Abdirahman"),
    ),
    own_script=True,
    weight=10,
)

AFGHANISTAN = Origin(
    key="afghanistan",
    nationalities=("AF",),
    languages=(("prs",), ("ps",), ("prs", "ps"), ("prs", "en")),
    male=(
        _n("محمد", "Mohammad", "Muhammad", "Mohammed"),
        _n("احمد", "Ahmad", "Ahmed"),
        _n("حسین", "Hossein", "Hussain", "Hussein", "Hosain"),
        _n("علی", "Ali"),
        _n("رضا", "Reza", "Riza"),
        _n("مهدی", "Mahdi", "Mehdi"),
        _n("حمید", "Hamid"),
        _n("فرید", "Farid", "Fareed"),
        _n("رحمت‌الله", "Rahmatullah", "Rahmatollah"),
        _n("نجیب‌الله", "Najibullah", "Najibollah"),
        _n("سهراب", "Sohrab"),
    ),
    female=(
        _n("زهرا", "Zahra", "Zohra"),
        _n("فاطمه", "Fatima", "Fatemeh"),
        _n("مریم", "Maryam", "Mariam"),
        _n("شکیلا", "Shakila", "Shakeela"),
    ),
    family=(
        _n("احمدی", "Ahmadi", "Ahmady"),
        _n("حسینی", "Hosseini", "Hussaini", "Husseini"),
        _n("رحیمی", "Rahimi", "Raheemi"),
        _n("کریمی", "Karimi", "Karimy"),
        _n("نوری", "Noori", "Nuri", "Nouri"),
        _n("سلطانی", "Sultani", "Soltani"),
        _n("جلالی", "Jalali"),
        _n("محمدی", "Mohammadi", "Muhammadi"),
        _n("شینواری", "Shinwari", "Shinwary"),
        _n("وردک", "Wardak"),
    ),
    own_script=True,
    weight=10,
)

PAKISTAN = Origin(
    key="pakistan",
    nationalities=("PK",),
    languages=(("ur",), ("ur", "pa"), ("ps", "ur")),
    male=(
        _n("محمد", "Muhammad", "Mohammad"),
        _n("عثمان", "Usman", "Osman"),
        _n("حمزہ", "Hamza"),
        _n("عمران", "Imran"),
        _n("بلال", "Bilal", "Belal"),
        _n("ذیشان", "Zeeshan", "Zishan"),
    ),
    female=(_n("عائشہ", "Ayesha", "Aisha"),),
    family=(
        _n("خان", "Khan"),
        _n("علی", "Ali"),
        _n("حسین", "Hussain", "Hussein"),
        _n("رضا", "Raza"),
        _n("اقبال", "Iqbal", "Ikbal"),
    ),
    own_script=True,
    weight=4,
)

KURDISH = Origin(
    key="kurdish",
    nationalities=("IQ", "IQ", "SY"),
    languages=(("ckb",), ("ckb", "ar"), ("kmr",), ("kmr", "ar"), ("ku",)),
    male=(
        _n("ڕێبین", "Rebin", "Rebeen"),
        _n("ئازاد", "Azad"),
        _n("کاوە", "Kawa", "Kaveh"),
        _n("هاوڕێ", "Hawre", "Hawri"),
        _n("شیار", "Shiyar", "Şiyar", "Siyar"),
        _n("بەهۆز", "Bahoz", "Behoz"),
        _n("هەژار", "Hazhar", "Hejar"),
    ),
    female=(
        _n("ڕۆژین", "Rozhin", "Rojin"),
        _n("دیلان", "Dilan"),
        _n("ژیان", "Zhiyan", "Jiyan"),
    ),
    family=(
        _n("ڕەسوڵ", "Rasul", "Rasool", "Resul"),
        _n("مستەفا", "Mustafa", "Mistefa"),
        _n("کەریم", "Karim", "Kerim"),
        _n("عەزیز", "Aziz", "Eziz"),
        _n("حەمە", "Hama", "Heme"),
        _n("عومەر", "Omer", "Omar"),
    ),
    own_script=True,
    weight=5,
)

# Somali is written in Latin script; its own spelling (Cabdi, Xasan) differs from the English one.
SOMALIA = Origin(
    key="somalia",
    nationalities=("SO",),
    languages=(("so",), ("so", "ar"), ("so", "en")),
    male=(
        _n("Cabdi", "Cabdi", "Abdi"),
        _n("Xasan", "Xasan", "Hassan", "Hasan"),
        _n("Maxamed", "Maxamed", "Mohamed", "Mohammed"),
        _n("Cali", "Cali", "Ali"),
        _n("Xamza", "Xamza", "Hamza"),
        _n("Cumar", "Cumar", "Omar"),
        _n("Guuleed", "Guuleed", "Guled"),
        _n("Cabdiraxmaan", "Cabdiraxmaan", "Abdirahman"),
    ),
    female=(
        _n("Faadumo", "Faadumo", "Fadumo", "Fatuma"),
        _n("Hodan", "Hodan"),
        _n("Ayaan", "Ayaan", "Ayan"),
        _n("Xaliimo", "Xaliimo", "Halima"),
        _n("Caasha", "Caasha", "Asha", "Aisha"),
    ),
    family=(
        _n("Warsame", "Warsame"),
        _n("Jaamac", "Jaamac", "Jama"),
        _n("Faarax", "Faarax", "Farah"),
        _n("Cismaan", "Cismaan", "Osman"),
        _n("Xuseen", "Xuseen", "Hussein"),
        _n("Maxamuud", "Maxamuud", "Mohamud"),
        _n("Aadan", "Aadan", "Adan"),
    ),
    own_script=False,
    weight=6,
)

ORIGINS: tuple[Origin, ...] = (ERITREA, ETHIOPIA, ARABIC, AFGHANISTAN, PAKISTAN, KURDISH, SOMALIA)


@dataclass(frozen=True)
class Identity:
    """A generated child's names and origin. ``aliases`` are other spellings of the same name."""

    given_names: str
    family_name: str
    name_latin: str  # "" when the primary name is already in Latin script
    sex: Sex
    nationality: str
    languages: tuple[str, ...]
    aliases: tuple[str, ...]


def _spelling(rng: random.Random, form: NameForm) -> str:
    # The commonest spelling most of the time, a variant otherwise.
    return form.spellings[0] if rng.random() < 0.5 else rng.choice(form.spellings)


def generate_identity(rng: random.Random, origin: Origin | None = None) -> Identity:
    """Draw one fictional child's identity; deterministic for a given ``rng`` state."""
    if origin is None:
        origin = rng.choices(ORIGINS, weights=[o.weight for o in ORIGINS])[0]
    sex = Sex.FEMALE if rng.random() < 0.3 else Sex.MALE
    given = rng.choice(origin.female if sex == Sex.FEMALE else origin.male)
    family = rng.choice(origin.family)
    if origin.own_script and rng.random() < 0.5:
        # Registered as the child wrote it, with the Latin form beside it.
        given_names, family_name = given.written, family.written
        name_latin = f"{given.spellings[0]} {family.spellings[0]}"
    else:
        given_names, family_name = _spelling(rng, given), _spelling(rng, family)
        name_latin = ""
    # Spellings that differ only by accents or case from the primary name add nothing.
    primary = {transliterate(f"{given_names} {family_name}"), transliterate(name_latin)}
    variants = [f"{g} {f}" for g in given.spellings for f in family.spellings]
    variants = [v for v in variants if transliterate(v) not in primary]
    n_aliases = min(len(variants), rng.choice((0, 1, 1, 2)))
    aliases = tuple(rng.sample(variants, n_aliases)) if n_aliases else ()
    return Identity(
        given_names=given_names,
        family_name=family_name,
        name_latin=name_latin,
        sex=sex,
        nationality=rng.choice(origin.nationalities),
        languages=rng.choice(origin.languages),
        aliases=aliases,
    )


# ---------------------------------------------------------------------------------------------
# Case descriptions (turned into action calls by the load_demo command)


@dataclass(frozen=True)
class BirthSpec:
    precision: DatePrecision
    age: int  # completed years on the day of loading (for "estimated": the assessed range)
    days_offset: int = 0  # days since the last birthday
    assessed: tuple[int, int] | None = None
    assessed_days_ago: int = 0
    # An estimated date of birth may also record a nominal date, or none at all.
    nominal_date: bool = False


@dataclass(frozen=True)
class AliasSpec:
    full_name: str
    note: str
    recorded_by: str  # demo username: aliases come from other organisations' files


@dataclass(frozen=True)
class EventSpec:
    type: EventType
    days_ago: float
    category: DataCategory
    summary: str
    details: str = ""
    location: str = ""
    source: EventSource = EventSource.STAFF
    author: str = ""  # demo username; "" means the case owner


@dataclass(frozen=True)
class CarePlanSpec:
    needs: str
    objectives: str
    services: str
    review_in_days: int  # negative: the review is overdue


@dataclass(frozen=True)
class ConsentSpec:
    recipient_org: str
    recipient_name: str
    purpose: Purpose
    categories: tuple[DataCategory, ...]
    days_ago: int
    valid_days: int
    childs_views: str
    given_by: str = "the child, with their guardian"


@dataclass(frozen=True)
class CaseSpec:
    key: str
    owner: str  # demo username who registers the child (their organisation owns the case)
    given_names: str
    family_name: str
    name_latin: str
    sex: Sex
    birth: BirthSpec
    nationality: str
    languages: tuple[str, ...]
    status: CaseStatus
    risk_level: RiskLevel
    risk_reasons: str
    missing_category: MissingCategory | None = None
    aliases: tuple[AliasSpec, ...] = ()
    identifiers: tuple[tuple[IdentifierScheme, str, str], ...] = ()
    guardian: str | None = None
    guardian_days_ago: int = 0
    events: tuple[EventSpec, ...] = ()
    care_plan: CarePlanSpec | None = None
    consents: tuple[ConsentSpec, ...] = field(default_factory=tuple)


# --- the two training scenarios (DOMAIN.md), adapted to the demo organisations --------------

_A_RISK = (
    "Fled a forced marriage arranged in Eritrea. Left the reception centre at night with two adults "
    "not known to staff; no money, no phone credit. Intends to reach an aunt in Sweden."
)

SCENARIO_A_ITALY = CaseSpec(
    key="scenario-a-it",
    owner="demo-caseworker",
    given_names="ኣስቴር",
    family_name="ኪዳነ",
    name_latin="Aster Kidane",
    sex=Sex.FEMALE,
    birth=BirthSpec(DatePrecision.EXACT, age=16, days_offset=140),
    nationality="ER",
    languages=("ti",),
    status=CaseStatus.MISSING,
    missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
    risk_level=RiskLevel.HIGH,
    risk_reasons=_A_RISK,
    aliases=(
        AliasSpec("Astier Kidane", "Spelling used by the 116 000 operator", "demo-hotline-operator"),
        AliasSpec("Aster Kidanè", "Spelling on the missing-person report", "demo-police-officer"),
    ),
    identifiers=(
        (IdentifierScheme.UNHCR, "DEMO-UNHCR-9001", "UNHCR (fictional reference)"),
        (IdentifierScheme.EURODAC, "DEMO-EURODAC-IT-9001", "Eurodac (fictional reference)"),
        (IdentifierScheme.SIS, "DEMO-SIS-IT-9001", "SIRENE Italia (fictional reference)"),
    ),
    guardian="demo-guardian",
    guardian_days_ago=58,
    events=(
        EventSpec(
            EventType.INTERVIEW,
            61,
            DataCategory.DISCLOSURE,
            "First interview with a Tigrinya interpreter: A. tells her story once",
            "A. says she left Eritrea to escape a marriage her family arranged with an older man. "
            "She travelled through Sudan and Libya and arrived by boat in Sicily.",
            "Milano",
        ),
        EventSpec(
            EventType.RISK_ASSESSMENT,
            55,
            DataCategory.TRAFFICKING_INDICATORS,
            "Risk assessment: high risk of going missing and of exploitation",
            "Owes money to the smugglers; has been contacted by phone by an unknown man.",
        ),
        EventSpec(
            EventType.DISAPPEARANCE,
            30,
            DataCategory.CASE_NOTES,
            "Did not return to the reception centre; reported missing to the police and the 116 000",
            location="Centro di accoglienza Via Esempio, Milano (fictional)",
        ),
        EventSpec(
            EventType.NOTE,
            29,
            DataCategory.FAMILY,
            "An aunt lives in Sweden (Göteborg); A. spoke of joining her",
            source=EventSource.CHILD,
        ),
        EventSpec(
            EventType.SIGHTING,
            12,
            DataCategory.CONTACT_LOCATION,
            "Seen at the day centre of Association Refuge Calais; said she is heading for Sweden",
            location="Calais, France",
            source=EventSource.PARTNER,
        ),
    ),
    care_plan=CarePlanSpec(
        needs="Safe accommodation for girls; Tigrinya interpreter; psychosocial support after a forced-marriage threat.",
        objectives="Locate A. and make sure she is safe; assess reunion with her aunt in Sweden in her best interests.",
        services="Guardian (Ufficio Tutori); specialised shelter place held open; family tracing request.",
        review_in_days=-5,
    ),
    consents=(
        ConsentSpec(
            "fr-ngo-calais",
            "Association Refuge Calais (fictional)",
            Purpose.LOCATE_MISSING_CHILD,
            (DataCategory.IDENTITY, DataCategory.PHOTO, DataCategory.PHYSICAL_DESCRIPTION),
            days_ago=50,
            valid_days=365,
            childs_views="A. agreed that organisations along the route may know who she is so they can help her.",
        ),
        ConsentSpec(
            "se-social-goteborg",
            "Socialtjänsten Göteborg (fictional)",
            Purpose.FAMILY_TRACING,
            (DataCategory.IDENTITY, DataCategory.FAMILY),
            days_ago=50,
            valid_days=365,
            childs_views="A. wants her aunt in Sweden to be found and asked whether she can live with her.",
        ),
    ),
)

SCENARIO_A_FRANCE = CaseSpec(
    key="scenario-a-fr",
    owner="demo-fr-caseworker",
    given_names="Asther",
    family_name="Kidani",
    name_latin="",
    sex=Sex.FEMALE,
    birth=BirthSpec(DatePrecision.ESTIMATED, age=16, assessed=(15, 17), assessed_days_ago=12),
    nationality="ER",
    languages=("ti",),
    status=CaseStatus.OPEN,
    risk_level=RiskLevel.HIGH,
    risk_reasons="Arrived with a group of adults; wants to travel on to Sweden at once; says she has no phone.",
    aliases=(
        AliasSpec("Aster Kidane", "Name on the Eurodac hit from Italy", "demo-dublin-officer"),
        AliasSpec("ኣስቴር ኪዳነ", "Written by the child herself", "demo-fr-caseworker"),
    ),
    events=(
        EventSpec(
            EventType.INTERVIEW,
            12,
            DataCategory.CASE_NOTES,
            "Came to the day centre; says she is 16, from Eritrea, going to her aunt in Sweden",
            location="Calais",
        ),
        EventSpec(
            EventType.NOTE,
            9,
            DataCategory.LEGAL_STATUS,
            "Eurodac hit: fingerprints first taken in Italy; Dublin family-reunion route to Sweden to be assessed",
            author="demo-dublin-officer",
        ),
    ),
    care_plan=CarePlanSpec(
        needs="Night shelter for girls; Tigrinya interpreter; information on safe and legal routes.",
        objectives="Keep A. safe while her aunt in Sweden is traced; contact the Italian guardian.",
        services="Emergency shelter place; Dublin unit for a family-reunion request.",
        review_in_days=2,
    ),
)

_Q_RISK = (
    "Found in labour exploitation (unpaid work at a car wash to repay a travel debt). "
    "The people who held him are not yet identified; risk of being taken again."
)

SCENARIO_Q_BELGIUM = CaseSpec(
    key="scenario-q-be",
    owner="demo-be-police",
    given_names="Kadir",
    family_name="Rasoul",
    name_latin="",
    sex=Sex.MALE,
    birth=BirthSpec(
        DatePrecision.ESTIMATED, age=15, assessed=(14, 16), assessed_days_ago=18, nominal_date=True
    ),
    nationality="IQ",
    languages=("ckb", "ar"),
    status=CaseStatus.FOUND,
    missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
    risk_level=RiskLevel.CRITICAL,
    risk_reasons=_Q_RISK,
    aliases=(
        AliasSpec("قادر ڕەسوڵ", "As he wrote it himself (Sorani)", "demo-be-police"),
        AliasSpec(
            "Qadir Rasul", "Spelling on the Greek registration (fictional reference)", "demo-be-police"
        ),
    ),
    identifiers=(
        (IdentifierScheme.NATIONAL, "DEMO-GR-REG-9002", "Greek reception service (fictional reference)"),
        (IdentifierScheme.EURODAC, "DEMO-EURODAC-GR-9002", "Eurodac (fictional reference)"),
    ),
    guardian="demo-be-guardian",
    guardian_days_ago=15,
    events=(
        EventSpec(
            EventType.NOTE,
            240,
            DataCategory.LEGAL_STATUS,
            "Registered in Greece as an unaccompanied child (per the Eurodac record)",
            location="Lesvos, Greece",
            source=EventSource.PARTNER,
        ),
        EventSpec(
            EventType.DISAPPEARANCE,
            200,
            DataCategory.CASE_NOTES,
            "Went missing from a shelter in Athens (reported by the Greek shelter)",
            location="Athens, Greece",
            source=EventSource.PARTNER,
        ),
        EventSpec(
            EventType.FOUND,
            20,
            DataCategory.CONTACT_LOCATION,
            "Found during a labour inspection at a car wash",
            location="Anderlecht, Bruxelles",
            source=EventSource.POLICE,
        ),
        EventSpec(
            EventType.INTERVIEW,
            18,
            DataCategory.DISCLOSURE,
            "Interview with a Sorani interpreter: Q. describes his journey and the work",
            "Q. says he worked twelve-hour days for months to repay the journey and slept at the car wash.",
        ),
        EventSpec(
            EventType.RISK_ASSESSMENT,
            17,
            DataCategory.TRAFFICKING_INDICATORS,
            "Indicators of labour exploitation: debt bondage, withheld wages, no freedom of movement",
        ),
        EventSpec(
            EventType.NOTE,
            16,
            DataCategory.FAMILY,
            "Older brother lives in the United Kingdom (Birmingham); family tracing requested",
            source=EventSource.CHILD,
        ),
        EventSpec(
            EventType.REFERRAL,
            15,
            DataCategory.CASE_NOTES,
            "Referred to a specialised shelter for child victims of trafficking (fictional)",
        ),
    ),
    care_plan=CarePlanSpec(
        needs="Protection as a presumed victim of trafficking; Sorani interpreter; medical check; schooling.",
        objectives="Keep Q. safe from the people who exploited him; assess reunion with his brother in the UK.",
        services="Specialised shelter; guardian (Service des Tutelles); family tracing.",
        review_in_days=14,
    ),
    consents=(
        ConsentSpec(
            "gb-family-tracing",
            "Family Tracing UK (fictional)",
            Purpose.FAMILY_TRACING,
            (DataCategory.IDENTITY, DataCategory.FAMILY),
            days_ago=15,
            valid_days=180,
            childs_views="Q. wants his brother to know he is safe and hopes to live with him.",
        ),
    ),
)

SCENARIOS: tuple[CaseSpec, ...] = (SCENARIO_A_ITALY, SCENARIO_A_FRANCE, SCENARIO_Q_BELGIUM)

# --- generated cases -------------------------------------------------------------------------

# Who registers generated children (and so which organisation owns them), by weight.
_OWNERS = (
    ("demo-caseworker", 55),
    ("demo-fr-caseworker", 25),
    ("demo-hotline-operator", 10),
    ("demo-police-officer", 5),
    ("demo-be-police", 5),
)
_ALIAS_SOURCES = (
    ("demo-hotline-operator", "Spelling used at the 116 000 call"),
    ("demo-police-officer", "Spelling on the police report"),
    ("demo-fr-caseworker", "Spelling at the Calais day centre"),
    ("demo-dublin-officer", "Spelling on the Eurodac record"),
    ("demo-be-police", "Spelling on the Belgian police record"),
)
_ISSUERS = {
    IdentifierScheme.UNHCR: "UNHCR (fictional reference)",
    IdentifierScheme.EURODAC: "Eurodac (fictional reference)",
    IdentifierScheme.NATIONAL: "Questura di Milano (fictional reference)",
    IdentifierScheme.SIS: "SIRENE (fictional reference)",
}
_RISK_REASONS = {
    RiskLevel.LOW: ("Settled at school and in the placement; regular contact with family.",),
    RiskLevel.MEDIUM: (
        "Wants to travel on to join relatives; has left the centre overnight once.",
        "Low mood since arrival; waiting for the guardian appointment.",
    ),
    RiskLevel.HIGH: (
        "Owes money for the journey; contacted by an unknown adult offering work.",
        "Went missing twice from reception; intends to cross the border on foot.",
        "Seen with adults suspected of smuggling near the railway station.",
    ),
    RiskLevel.CRITICAL: (
        "Indicators of sexual exploitation; an adult collects the child from the centre.",
        "Indicators of forced criminality (drug selling); threats against the family at home.",
    ),
}
_LOCATIONS_IT = ("Milano Centrale", "Ventimiglia", "Como", "Oulx", "Brennero")
_LOCATIONS_FR = ("Calais", "Grande-Synthe", "Paris (Porte de la Chapelle)", "Menton", "Briançon")
_LOCATIONS_BE = ("Bruxelles-Nord", "Parc Maximilien, Bruxelles", "Zeebrugge")
_NEEDS = (
    "Interpreter; school enrolment; psychosocial support.",
    "Medical check-up; safe accommodation; contact with family.",
    "Trauma-informed counselling; legal information on asylum and family reunion.",
)
_OBJECTIVES = (
    "Stable placement and school place within a month.",
    "Trace the family and assess reunion in the child's best interests.",
    "Reduce the risk of going missing: keyworker, safety plan, phone credit.",
)
_SERVICES = (
    "Keyworker in the reception centre; cultural mediator.",
    "Guardian; legal counsellor; language classes.",
    "Specialised shelter; psychologist; family tracing service.",
)


def _status(rng: random.Random) -> CaseStatus:
    return rng.choices(
        (CaseStatus.OPEN, CaseStatus.MISSING, CaseStatus.FOUND, CaseStatus.CLOSED), weights=(45, 25, 15, 15)
    )[0]


def _birth(rng: random.Random) -> BirthSpec:
    age = rng.choices((9, 11, 13, 14, 15, 16, 17), weights=(1, 2, 4, 6, 9, 10, 8))[0]
    precision = rng.choices(
        (DatePrecision.EXACT, DatePrecision.YEAR, DatePrecision.YEAR_MONTH, DatePrecision.ESTIMATED),
        weights=(35, 25, 10, 30),
    )[0]
    if precision == DatePrecision.ESTIMATED:
        return BirthSpec(
            precision,
            age,
            assessed=(age - 1, age + 1),
            assessed_days_ago=rng.randint(5, 200),
            nominal_date=rng.random() < 0.5,
        )
    return BirthSpec(precision, age, days_offset=rng.randint(0, 360))


def _location(rng: random.Random, owner: str) -> str:
    if owner == "demo-fr-caseworker":
        return rng.choice(_LOCATIONS_FR)
    if owner == "demo-be-police":
        return rng.choice(_LOCATIONS_BE)
    return rng.choice(_LOCATIONS_IT)


def _events(
    rng: random.Random, owner: str, status: CaseStatus, risk: RiskLevel, start: int
) -> list[EventSpec]:
    """A plausible timeline between ``start`` days ago and today, oldest first."""
    out = [
        EventSpec(
            EventType.INTERVIEW,
            start - 1,
            rng.choice((DataCategory.CASE_NOTES, DataCategory.PSYCHOSOCIAL, DataCategory.FAMILY)),
            "First interview with an interpreter",
            "The child describes the journey and any family members in Europe.",
            _location(rng, owner),
        )
    ]
    if risk in (RiskLevel.HIGH, RiskLevel.CRITICAL):
        out.append(
            EventSpec(
                EventType.RISK_ASSESSMENT,
                max(start - 3, 1),
                DataCategory.TRAFFICKING_INDICATORS,
                "Risk assessment: indicators of trafficking noted",
            )
        )
    if rng.random() < 0.3:
        out.append(
            EventSpec(
                EventType.HEALTH,
                max(start - 5, 1),
                DataCategory.HEALTH,
                "Health check at the local clinic",
                "Scabies treated; vaccinations brought up to date.",
            )
        )
    if status in (CaseStatus.MISSING, CaseStatus.FOUND):
        gone = max(int(start * rng.uniform(0.2, 0.6)), 2)
        out.append(
            EventSpec(
                EventType.DISAPPEARANCE,
                gone,
                DataCategory.CASE_NOTES,
                "Did not come back to the centre; reported missing",
                location=_location(rng, owner),
            )
        )
        if rng.random() < 0.5:
            out.append(
                EventSpec(
                    EventType.SIGHTING,
                    max(gone - rng.randint(1, gone), 1) - 0.5,
                    DataCategory.CONTACT_LOCATION,
                    "Seen near the station by an outreach team",
                    location=rng.choice(_LOCATIONS_FR + _LOCATIONS_IT),
                    source=rng.choice((EventSource.PARTNER, EventSource.HOTLINE)),
                )
            )
        if status == CaseStatus.FOUND:
            out.append(
                EventSpec(
                    EventType.FOUND,
                    0.5,
                    DataCategory.CONTACT_LOCATION,
                    "Found and brought back to a safe place",
                    location=_location(rng, owner),
                    source=EventSource.POLICE,
                )
            )
    if status == CaseStatus.CLOSED:
        out.append(
            EventSpec(
                EventType.NOTE,
                1,
                DataCategory.CASE_NOTES,
                rng.choice(
                    (
                        "Closed: reunited with family under the Dublin family provisions",
                        "Closed: turned 18, handed over to adult services",
                        "Closed: transferred to the child-protection service of another region",
                    )
                ),
            )
        )
    return out


def generated_cases(seed: int = SEED, count: int = GENERATED_CHILDREN) -> list[CaseSpec]:
    """``count`` varied fictional cases; the same seed always gives the same list."""
    rng = random.Random(seed)
    cases: list[CaseSpec] = []
    for i in range(1, count + 1):
        who = generate_identity(rng)
        owner = rng.choices([o for o, _w in _OWNERS], weights=[w for _o, w in _OWNERS])[0]
        status = _status(rng)
        risk = rng.choices(tuple(RiskLevel), weights=(15, 40, 30, 15))[0]
        if status == CaseStatus.MISSING and risk == RiskLevel.LOW:
            risk = RiskLevel.HIGH  # a missing child is never low risk
        missing_category = None
        if status in (CaseStatus.MISSING, CaseStatus.FOUND):
            missing_category = rng.choices(
                (
                    MissingCategory.UNACCOMPANIED_MIGRANT,
                    MissingCategory.RUNAWAY,
                    MissingCategory.CRIMINAL_ABDUCTION,
                    MissingCategory.LOST_INJURED_OTHER,
                ),
                weights=(70, 15, 10, 5),
            )[0]
        alias_sources = rng.sample(_ALIAS_SOURCES, len(who.aliases))
        aliases = tuple(
            AliasSpec(name, note, by) for name, (by, note) in zip(who.aliases, alias_sources, strict=True)
        )
        identifiers: list[tuple[IdentifierScheme, str, str]] = []
        if rng.random() < 0.5:
            identifiers.append(
                (IdentifierScheme.UNHCR, f"DEMO-UNHCR-{i:04d}", _ISSUERS[IdentifierScheme.UNHCR])
            )
        if rng.random() < 0.5:
            identifiers.append(
                (IdentifierScheme.EURODAC, f"DEMO-EURODAC-{i:04d}", _ISSUERS[IdentifierScheme.EURODAC])
            )
        if owner == "demo-caseworker" and rng.random() < 0.5:
            identifiers.append(
                (IdentifierScheme.NATIONAL, f"DEMO-IT-CUI-{i:04d}", _ISSUERS[IdentifierScheme.NATIONAL])
            )
        if status == CaseStatus.MISSING:
            identifiers.append((IdentifierScheme.SIS, f"DEMO-SIS-{i:04d}", _ISSUERS[IdentifierScheme.SIS]))
        start = rng.randint(10, 400)
        # Italian cases get the demo guardian; some are still waiting for the appointment.
        guardian = "demo-guardian" if owner == "demo-caseworker" and rng.random() < 0.75 else None
        if owner == "demo-be-police" and rng.random() < 0.75:
            guardian = "demo-be-guardian"
        care_plan = None
        if status != CaseStatus.CLOSED:
            care_plan = CarePlanSpec(
                needs=rng.choice(_NEEDS),
                objectives=rng.choice(_OBJECTIVES),
                services=rng.choice(_SERVICES),
                review_in_days=rng.randint(-45, 90),
            )
        consents: tuple[ConsentSpec, ...] = ()
        if rng.random() < 0.2:
            consents = (
                ConsentSpec(
                    "fr-ngo-calais" if owner != "demo-fr-caseworker" else "it-cps-milano",
                    "Association Refuge Calais (fictional)"
                    if owner != "demo-fr-caseworker"
                    else "Servizio Tutela Minori Milano (fictional)",
                    rng.choice((Purpose.CARE_CONTINUITY, Purpose.LOCATE_MISSING_CHILD)),
                    (DataCategory.IDENTITY, DataCategory.CASE_NOTES),
                    days_ago=max(start - 2, 1),
                    valid_days=365,
                    childs_views="Agrees that the next service along the way may continue the care plan.",
                ),
            )
        cases.append(
            CaseSpec(
                key=f"generated-{i:03d}",
                owner=owner,
                given_names=who.given_names,
                family_name=who.family_name,
                name_latin=who.name_latin,
                sex=who.sex,
                birth=_birth(rng),
                nationality=who.nationality,
                languages=who.languages,
                status=status,
                missing_category=missing_category,
                risk_level=risk,
                risk_reasons=rng.choice(_RISK_REASONS[risk]),
                aliases=aliases,
                identifiers=tuple(identifiers),
                guardian=guardian,
                guardian_days_ago=max(start - rng.randint(1, 10), 1),
                events=tuple(_events(rng, owner, status, risk, start)),
                care_plan=care_plan,
                consents=consents,
            )
        )
    return cases


def all_cases(seed: int = SEED) -> list[CaseSpec]:
    """The training scenarios first, then the generated population."""
    return [*SCENARIOS, *generated_cases(seed)]
