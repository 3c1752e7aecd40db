"""The local demo federation: three nodes on loopback, their organisations, people and children.

All fictional. Used by ``make network`` (``waymark.devtools.network``), the process tests and the
benchmark. ``DEMO_NODES`` says which organisations each node hosts; ``registry_spec`` builds the
registry spec (organisations, an agreement among the child-protection parties and one among every
organisation for locate_missing_child — hotlines and guardians included) that the
demo registry key signs; ``manage.py exchange_demo`` creates a node's organisations, logins and a
few children. ``fanout_nodes(n)`` adds up to sixteen more recipient nodes (one NGO each) for the
alert fan-out benchmark, under an agreement of their own with Milan for locating a missing child.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import CONVERSATIONS
from waymark.vocab import DataCategory, Purpose, Role, Sector


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    sector: Sector


@dataclass(frozen=True)
class DemoUser:
    username: str
    org: str
    role: Role
    display_name: str


@dataclass(frozen=True)
class DemoNode:
    node_id: str
    country: str
    port: int
    name: str
    orgs: tuple[DemoOrg, ...]
    users: tuple[DemoUser, ...]
    # (given names, family name, nationality, languages) of fictional children registered here.
    children: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    # Dublin / AMMR take-charge requests recorded on those children, as (given names, requested
    # country, application registered N days ago, request sent N days ago, no reply): the
    # deadlines panel then shows the procedure's clocks and flags.
    take_charge: tuple[tuple[str, str, int, int], ...] = ()


DEMO_NODES: tuple[DemoNode, ...] = (
    DemoNode(
        node_id="node-it",
        country="IT",
        port=8101,
        name="Waymark Italia (demo)",
        orgs=(
            DemoOrg("it-cps-milano", "Servizio Tutela Minori Milano (fictional)", Sector.CHILD_PROTECTION),
            DemoOrg("it-guardians", "Ufficio Tutori Volontari Milano (fictional)", Sector.GUARDIANSHIP),
            DemoOrg("it-hotline", "Telefono 116 000 Italia (fictional)", Sector.HOTLINE),
        ),
        users=(
            DemoUser("giulia", "it-cps-milano", Role.CASEWORKER, "Giulia Demo (caseworker, Milan)"),
            DemoUser("sara", "it-cps-milano", Role.SUPERVISOR, "Sara Demo (supervisor, Milan)"),
            DemoUser("luca-admin", "it-cps-milano", Role.NODE_ADMIN, "Luca Demo (node admin, Italy)"),
            DemoUser("anna-dpo", "it-cps-milano", Role.DPO, "Anna Demo (data protection officer, Milan)"),
            DemoUser("marco", "it-guardians", Role.GUARDIAN, "Marco Demo (guardian, Milan)"),
            DemoUser("elena", "it-hotline", Role.HOTLINE_OPERATOR, "Elena Demo (116 000 operator, Italy)"),
            # The service's Dublin family-reunion desk (issue 13): identity, family and legal status
            # for family tracing only; records take-charge requests and watches their deadlines.
            DemoUser("paolo", "it-cps-milano", Role.DUBLIN_OFFICER, "Paolo Demo (Dublin desk, Milan)"),
        ),
        children=(
            ("Amina", "Tesfay", "ER", ("ti", "ar")),
            ("Yonas", "Haile", "ER", ("ti",)),
            ("Samir", "Haddad", "SY", ("ar",)),
        ),
        # Yonas's brother lives in Belgium: the request went 70 days ago and Belgium never answered,
        # so the reply period has passed — a tacit acceptance (Dublin III Art. 22(7); AMMR Art. 40(2)).
        take_charge=(("Yonas", "BE", 100, 70),),
    ),
    DemoNode(
        node_id="node-fr",
        country="FR",
        port=8102,
        name="Waymark France (demo)",
        orgs=(
            DemoOrg("fr-ngo-calais", "Association Refuge Calais (fictional)", Sector.NGO),
            DemoOrg("fr-hotline", "116 000 Enfants Disparus France (fictional)", Sector.HOTLINE),
            DemoOrg("fr-tuteurs", "Service des Tuteurs Calais (fictional)", Sector.GUARDIANSHIP),
        ),
        users=(
            DemoUser("claire", "fr-ngo-calais", Role.CASEWORKER, "Claire Démo (caseworker, Calais)"),
            DemoUser("hugo-admin", "fr-ngo-calais", Role.NODE_ADMIN, "Hugo Démo (node admin, France)"),
            DemoUser("fanny-dpo", "fr-ngo-calais", Role.DPO, "Fanny Démo (data protection officer, Calais)"),
            DemoUser("louise", "fr-hotline", Role.HOTLINE_OPERATOR, "Louise Démo (116 000 operator, France)"),
            DemoUser("jeanne", "fr-tuteurs", Role.GUARDIAN, "Jeanne Démo (guardian, Calais)"),
        ),
        children=(("Abdi", "Warsame", "SO", ("so",)),),
    ),
    DemoNode(
        node_id="node-be",
        country="BE",
        port=8103,
        name="Waymark Belgique (demo)",
        orgs=(
            DemoOrg("be-police-mpu", "Cellule Personnes Disparues (fictional)", Sector.POLICE),
            DemoOrg("be-hotline", "Ligne 116 000 Belgique (fictional)", Sector.HOTLINE),
            DemoOrg("be-tutelles", "Service des Tutelles Bruxelles (fictional)", Sector.GUARDIANSHIP),
            # A Dublin unit (issue 13): reads a child's legal status, family and best-interests
            # recommendation under the best-interests agreement below, never health or disclosures.
            DemoOrg("be-dublin", "Cellule Dublin Bruxelles (fictional)", Sector.ASYLUM_DUBLIN_UNIT),
            # A child-protection service (issue 13's story): it traces a child's relatives in
            # Belgium for Milan and takes over a child's case when the child moves to Brussels.
            DemoOrg(
                "be-aide-jeunesse",
                "Service d'Aide à la Jeunesse Bruxelles (fictional)",
                Sector.CHILD_PROTECTION,
            ),
        ),
        users=(
            DemoUser("luc", "be-police-mpu", Role.POLICE_OFFICER, "Luc Démo (police, Brussels)"),
            DemoUser("nadia-admin", "be-police-mpu", Role.NODE_ADMIN, "Nadia Démo (node admin, Belgium)"),
            DemoUser("emma", "be-hotline", Role.HOTLINE_OPERATOR, "Emma Démo (116 000 operator, Belgium)"),
            DemoUser("ines", "be-tutelles", Role.GUARDIAN, "Inès Démo (guardian, Brussels)"),
            # Who acknowledges a guardian hand-over for the service that appoints the next guardian
            # (a guardian cannot yet: guardians do not use the exchange).
            DemoUser(
                "julie", "be-tutelles", Role.SUPERVISOR, "Julie Démo (coordinator of guardians, Brussels)"
            ),
            DemoUser("dries", "be-dublin", Role.DUBLIN_OFFICER, "Dries Demo (Dublin officer, Brussels)"),
            DemoUser("lea", "be-aide-jeunesse", Role.CASEWORKER, "Léa Démo (caseworker, Brussels)"),
        ),
    ),
)

AGREEMENT_ID = "demo-child-protection-2026"
SHARED_CATEGORIES = (
    DataCategory.IDENTITY,
    DataCategory.PHYSICAL_DESCRIPTION,
    DataCategory.PHOTO,
    DataCategory.CONTACT_LOCATION,
    DataCategory.FAMILY,
    DataCategory.LEGAL_STATUS,
    DataCategory.CASE_NOTES,
)
SHARED_PURPOSES = (Purpose.CHILD_PROTECTION, Purpose.LOCATE_MISSING_CHILD, Purpose.CARE_CONTINUITY)
PARTIES = ("it-cps-milano", "fr-ngo-calais", "be-police-mpu", "be-aide-jeunesse")
# The demo agreement allows every conversation the protocol defines (its tables, one per kind).
EXCHANGE_TYPES = tuple(sorted({t for c in CONVERSATIONS.values() for t in c.types}))


# The alert fan-out benchmark's recipients: one fictional NGO per node, a node per country on
# the routes north and west from Italy. Generated from the node id, so that ``exchange_demo``
# (another process) finds the same spec.
FANOUT_PREFIX = "node-fan-"
FANOUT_COUNTRIES = (
    "FR",
    "BE",
    "DE",
    "AT",
    "CH",
    "NL",
    "SE",
    "ES",
    "SI",
    "DK",
    "NO",
    "PL",
    "CZ",
    "HR",
    "LU",
    "PT",
)
FANOUT_AGREEMENT_ID = "demo-fanout-locate-2026"
FANOUT_SENDER = "it-cps-milano"


def fanout_node(country: str) -> DemoNode:
    """The fan-out recipient node of ``country`` (one of ``FANOUT_COUNTRIES``): an NGO, its
    caseworker and node admin; no children."""
    if country not in FANOUT_COUNTRIES:
        raise KeyError(country)
    cc = country.lower()
    org = f"{cc}-fanout-ngo"
    return DemoNode(
        node_id=f"{FANOUT_PREFIX}{cc}",
        country=country,
        port=0,
        name=f"Waymark fan-out {country} (benchmark, fictional)",
        orgs=(DemoOrg(org, f"Fan-out test NGO {country} (fictional)", Sector.NGO),),
        users=(
            DemoUser(f"cw-{cc}", org, Role.CASEWORKER, f"Caseworker {country} (fictional)"),
            DemoUser(f"admin-{cc}", org, Role.NODE_ADMIN, f"Node admin {country} (fictional)"),
        ),
    )


def fanout_nodes(count: int) -> tuple[DemoNode, ...]:
    if not 1 <= count <= len(FANOUT_COUNTRIES):
        raise ValueError(f"between 1 and {len(FANOUT_COUNTRIES)} fan-out nodes")
    return tuple(fanout_node(c) for c in FANOUT_COUNTRIES[:count])


# The second demo agreement: locating missing children among every organisation of the demo
# federation — hotlines, guardians, child protection, the NGO, the police — each role reading what
# helps find a child (the firewall's matrix for locate_missing_child), no special category but
# case notes (the alert's category and risk).
LOCATE_AGREEMENT_ID = "demo-locate-missing-2026"
LOCATE_CATEGORIES = (
    DataCategory.IDENTITY,
    DataCategory.PHYSICAL_DESCRIPTION,
    DataCategory.PHOTO,
    DataCategory.CONTACT_LOCATION,
    DataCategory.FAMILY,
    DataCategory.CASE_NOTES,
)
ROLES_BY_SECTOR = {
    Sector.CHILD_PROTECTION: (Role.CASEWORKER, Role.SUPERVISOR),
    Sector.NGO: (Role.CASEWORKER, Role.SUPERVISOR),
    Sector.POLICE: (Role.POLICE_OFFICER,),
    Sector.HOTLINE: (Role.HOTLINE_OPERATOR,),
    Sector.GUARDIANSHIP: (Role.GUARDIAN,),
}


def all_orgs(nodes: tuple[DemoNode, ...] = DEMO_NODES) -> list[DemoOrg]:
    """The organisations that locate missing children together: every demo organisation whose
    sector has a role there (a Dublin unit has none, and is no party to locating)."""
    return [o for n in nodes for o in n.orgs if o.sector in ROLES_BY_SECTOR]


# The third demo agreement (issue 13): best-interests assessments and guardian hand-overs between
# Milan and Brussels. The child-protection service and the guardians read what a BIA and a
# hand-over need (a guardian also the child's views and wishes: a disclosure); the Brussels Dublin
# unit reads identity, family and legal status only — the BIA's recommendation, family and
# legal-status parts — never health, disclosures or case notes. A hand-over is acknowledged
# within three days (the conversation's default).
BEST_INTERESTS_AGREEMENT_ID = "demo-best-interests-2026"
BEST_INTERESTS_GRANTS: dict[tuple[str, Role], tuple[DataCategory, ...]] = {
    **{
        ("it-cps-milano", role): (
            DataCategory.IDENTITY,
            DataCategory.FAMILY,
            DataCategory.LEGAL_STATUS,
            DataCategory.GUARDIAN,
            DataCategory.CASE_NOTES,
        )
        for role in (Role.CASEWORKER, Role.SUPERVISOR)
    },
    **{
        (org, Role.GUARDIAN): (
            DataCategory.IDENTITY,
            DataCategory.FAMILY,
            DataCategory.LEGAL_STATUS,
            DataCategory.GUARDIAN,
            DataCategory.CASE_NOTES,
            DataCategory.DISCLOSURE,
        )
        for org in ("it-guardians", "be-tutelles")
    },
    ("be-dublin", Role.DUBLIN_OFFICER): (
        DataCategory.IDENTITY,
        DataCategory.FAMILY,
        DataCategory.LEGAL_STATUS,
    ),
}
BEST_INTERESTS_PARTIES = tuple(dict.fromkeys(org for org, _role in BEST_INTERESTS_GRANTS))
BEST_INTERESTS_CONVERSATIONS = ("guardian_handover", "info_request", "referral")


def best_interests_agreement(
    *, status: str = "active", parties: tuple[str, ...] = BEST_INTERESTS_PARTIES
) -> dict[str, Any]:
    """The best_interests_assessment agreement in registry form (grants of its ``parties`` only)."""
    return {
        "identifier": BEST_INTERESTS_AGREEMENT_ID,
        "title": "Best-interests assessments and guardian hand-overs between Milan and Brussels (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(e), Art. 9(2)(g); Dublin III Art. 6 and AMMR Art. 23 "
        "(the child's best interests; guardians and representatives).",
        "parties": list(parties),
        "status": status,
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": sorted(
            t.value for c in BEST_INTERESTS_CONVERSATIONS for t in CONVERSATIONS[c].types
        ),
        "grants": [
            {
                "org": org,
                "role": role.value,
                "category": category.value,
                "purpose": Purpose.BEST_INTERESTS_ASSESSMENT.value,
                "action": "read",
            }
            for (org, role), categories in BEST_INTERESTS_GRANTS.items()
            if org in parties
            for category in categories
        ],
        "response_commitments": [],
    }


def locate_agreement(
    *, status: str = "active", valid_from: str = "2026-01-01T00:00:00Z", orgs: list[DemoOrg] | None = None
) -> dict[str, Any]:
    """The locate_missing_child agreement in registry form: every demo organisation a party; each
    one's roles read what helps find a child; every conversation allowed (alerts, sightings, found
    reports, referrals between hotlines)."""
    orgs = all_orgs() if orgs is None else orgs
    return {
        "identifier": LOCATE_AGREEMENT_ID,
        "title": "Locating missing children: hotlines, guardians and services of Milan, Calais and Brussels (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(d) and (e), Art. 9(2)(c) and (g); the 116 000 hotlines' mandate.",
        "parties": [o.slug for o in orgs],
        "status": status,
        "valid_from": valid_from,
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": [t.value for t in EXCHANGE_TYPES],
        "grants": [
            {
                "org": o.slug,
                "role": role.value,
                "category": category.value,
                "purpose": Purpose.LOCATE_MISSING_CHILD.value,
                "action": "read",
            }
            for o in orgs
            for role in ROLES_BY_SECTOR.get(o.sector, ())
            for category in LOCATE_CATEGORIES
        ],
        "response_commitments": [{"message_type": MessageType.INFO_REQUEST.value, "respond_within": "PT24H"}],
    }


def local_federation(spec: DemoNode) -> dict[str, Any]:
    """This node's own agreement for locate_missing_child, in federation-file form
    (``policy.federation.load_federation``): on one node the hotline passes a call to the
    organisation holding a possible match (the discovery rule needs an agreement) and adds calls
    to the children a context shares with it; the other organisations read what the hotline
    registers once it shares them."""
    reads = [c.value for c in LOCATE_CATEGORIES if c != DataCategory.CASE_NOTES]
    locating = [o for o in spec.orgs if o.sector in ROLES_BY_SECTOR]  # not the Dublin unit
    grants: list[dict[str, Any]] = [
        {
            "organisation": o.slug,
            "role": role.value,
            "purpose": Purpose.LOCATE_MISSING_CHILD.value,
            "categories": reads,
        }
        for o in spec.orgs
        for role in ROLES_BY_SECTOR.get(o.sector, ())
    ]
    grants += [
        {
            "organisation": o.slug,
            "role": Role.HOTLINE_OPERATOR.value,
            "purpose": Purpose.LOCATE_MISSING_CHILD.value,
            "action": "update",
            "categories": [DataCategory.CONTACT_LOCATION.value],
        }
        for o in spec.orgs
        if o.sector == Sector.HOTLINE
    ]
    return {
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "country": spec.country,
                "sector": o.sector.value,
                "fictional": True,
            }
            for o in spec.orgs
        ],
        "agreements": [
            {
                "identifier": f"demo-{spec.country.lower()}-locate-local-2026",
                "title": f"Locating missing children on the {spec.name} node (fictional)",
                "status": "active",
                "valid_from": "2026-01-01",
                "valid_until": "2030-01-01",
                "lawful_basis": "Fictional. GDPR Art. 6(1)(e), Art. 9(2)(g); the 116 000 hotlines' mandate.",
                "parties": [o.slug for o in locating],
                "grants": grants,
            }
        ]
        if len(locating) > 1
        else [],
    }


# Family tracing (issue 13): the demo organisations whose caseworkers trace a child's relatives
# abroad — child-protection services and NGOs, wherever a node hosts one — ask each other under
# purpose family_tracing, in the family_tracing conversation only. Each reads the child's identity
# and the relative sought (family), and how to reach the relative (contact) when it is sent.
TRACING_AGREEMENT_ID = "demo-family-tracing-2026"
TRACING_SECTORS = (Sector.CHILD_PROTECTION, Sector.NGO)
TRACING_CATEGORIES = (DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.CONTACT_LOCATION)


def tracing_agreement(*, status: str = "active", orgs: list[DemoOrg] | None = None) -> dict[str, Any]:
    """The family_tracing agreement in registry form; a result is due within thirty days."""
    orgs = [o for o in (all_orgs() if orgs is None else orgs) if o.sector in TRACING_SECTORS]
    return {
        "identifier": TRACING_AGREEMENT_ID,
        "title": "Family tracing between the child-protection services and NGOs of the demo (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(e); Dublin III Art. 6(4) and AMMR Art. 23(4) (tracing family members).",
        "parties": [o.slug for o in orgs],
        "status": status,
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": sorted(t.value for t in CONVERSATIONS["family_tracing"].types),
        "grants": [
            {
                "org": o.slug,
                "role": role.value,
                "category": category.value,
                "purpose": Purpose.FAMILY_TRACING.value,
                "action": "read",
            }
            for o in orgs
            for role in (Role.CASEWORKER, Role.SUPERVISOR)
            for category in TRACING_CATEGORIES
        ],
        "response_commitments": [
            {"message_type": MessageType.TRACING_REQUEST.value, "respond_within": "P30D"}
        ],
    }


# Dublin take-charge requests (issue 13): Milan's Dublin desk asks the Brussels Dublin unit to take
# charge of a child for family reunion, in the take_charge conversation only, under purpose
# family_tracing (a take-charge request under Dublin III Art. 8 / AMMR Art. 25 continues the
# tracing that confirmed the relative; it is for family tracing that the policy opens a child's
# identity, family and legal status to their organisation's Dublin officers). The Brussels unit's
# Dublin officers read the child's identity, the relative (family) and the procedure with the
# BIA's recommendation and legal-status part (legal status) — never health, disclosures or case
# notes; Milan's Dublin desk reads the reply (legal status).
TAKE_CHARGE_AGREEMENT_ID = "demo-dublin-take-charge-2026"
TAKE_CHARGE_GRANTS: dict[tuple[str, Role], tuple[DataCategory, ...]] = {
    ("be-dublin", Role.DUBLIN_OFFICER): (
        DataCategory.IDENTITY,
        DataCategory.FAMILY,
        DataCategory.LEGAL_STATUS,
    ),
    ("it-cps-milano", Role.DUBLIN_OFFICER): (DataCategory.LEGAL_STATUS,),
}
TAKE_CHARGE_PARTIES = tuple(dict.fromkeys(org for org, _role in TAKE_CHARGE_GRANTS))


def take_charge_agreement(
    *, status: str = "active", parties: tuple[str, ...] = TAKE_CHARGE_PARTIES
) -> dict[str, Any]:
    """The take-charge agreement in registry form (grants of its ``parties`` only); the reply is
    due within the regulation's periods, counted by the deadline engine (no response commitment)."""
    return {
        "identifier": TAKE_CHARGE_AGREEMENT_ID,
        "title": "Dublin take-charge requests for family reunion between Milan and Brussels (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(c) and (e), Art. 9(2)(g); Dublin III Arts. 8, 21, 22 and "
        "AMMR Arts. 25, 39, 40 (take-charge requests for unaccompanied children's family reunion).",
        "parties": list(parties),
        "status": status,
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": sorted(t.value for t in CONVERSATIONS["take_charge"].types),
        "grants": [
            {
                "org": org,
                "role": role.value,
                "category": category.value,
                "purpose": Purpose.FAMILY_TRACING.value,
                "action": "read",
            }
            for (org, role), categories in TAKE_CHARGE_GRANTS.items()
            if org in parties
            for category in categories
        ],
        "response_commitments": [],
    }


def node(node_id: str) -> DemoNode:
    if node_id.startswith(FANOUT_PREFIX):
        return fanout_node(node_id.removeprefix(FANOUT_PREFIX).upper())
    return {n.node_id: n for n in DEMO_NODES}[node_id]


def agreement(
    *, status: str = "active", valid_from: str = "2026-01-01T00:00:00Z", parties: tuple[str, ...] = PARTIES
) -> dict[str, Any]:
    """The demo agreement in registry form: every party's caseworkers, supervisors and police
    officers may read the shared categories for the shared purposes; information requests are
    answered within 24 hours."""
    return {
        "identifier": AGREEMENT_ID,
        "title": "Protecting children in migration between Milan, Calais and Brussels (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(e) and Art. 9(2)(g); national child-protection law.",
        "parties": list(parties),
        "status": status,
        "valid_from": valid_from,
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": [t.value for t in EXCHANGE_TYPES],
        "grants": [
            {
                "org": org,
                "role": role.value,
                "category": category.value,
                "purpose": purpose.value,
                "action": "read",
            }
            for org in parties
            for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.POLICE_OFFICER)
            for category in SHARED_CATEGORIES
            for purpose in SHARED_PURPOSES
        ],
        "response_commitments": [{"message_type": MessageType.INFO_REQUEST.value, "respond_within": "PT24H"}],
    }


def fanout_agreement(parties: tuple[str, ...]) -> dict[str, Any]:
    """Milan and the fan-out NGOs: the alert conversation only, for locate_missing_child, and
    only what an alert carries (identity, description, photo, last-seen context, and the
    missing category and risk level, which are case notes); never health or disclosures."""
    categories = (
        DataCategory.IDENTITY,
        DataCategory.PHYSICAL_DESCRIPTION,
        DataCategory.PHOTO,
        DataCategory.CONTACT_LOCATION,
        DataCategory.CASE_NOTES,
    )
    return {
        "identifier": FANOUT_AGREEMENT_ID,
        "title": "Missing-child alerts from Milan to the fan-out test NGOs (fictional)",
        "lawful_basis": "Fictional. GDPR Art. 6(1)(e); national child-protection law.",
        "parties": list(parties),
        "status": "active",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z",
        "message_types": sorted(t.value for t in CONVERSATIONS["missing_alert"].types),
        "grants": [
            {
                "org": org,
                "role": role.value,
                "category": category.value,
                "purpose": Purpose.LOCATE_MISSING_CHILD.value,
                "action": "read",
            }
            for org in parties
            for role in (Role.CASEWORKER, Role.SUPERVISOR)
            for category in categories
        ],
        "response_commitments": [],
    }


def registry_spec(
    descriptors: dict[str, str],
    *,
    nodes: tuple[DemoNode, ...] = DEMO_NODES,
    agreement_status: str = "active",
    parties: tuple[str, ...] = PARTIES,
) -> dict[str, Any]:
    """The registry spec for ``registry_sign``: ``descriptors`` maps node id → node.json path;
    ``parties``: who is party to the demo agreement (tests leave one out)."""
    hosted = [n for n in nodes if n.node_id in descriptors]
    slugs = {o.slug for n in hosted for o in n.orgs}
    return {
        "federation": "waymark-demo",
        "valid_days": 30,
        "nodes": [{"descriptor": descriptors[n.node_id], "country": n.country} for n in hosted],
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "country": n.country,
                "sector": o.sector.value,
                "node_id": n.node_id,
            }
            for n in hosted
            for o in n.orgs
        ],
        "agreements": _agreements(slugs, agreement_status, parties, hosted),
    }


def _agreements(
    slugs: set[str], status: str, parties: tuple[str, ...], hosted: list[DemoNode]
) -> list[dict[str, Any]]:
    found = [agreement(status=status, parties=tuple(p for p in parties if p in slugs))]
    # Locating missing children among the demo organisations (not the fan-out benchmark's NGOs,
    # which have an agreement of their own); a party left out of the demo agreement is left out
    # of this one too.
    demo = tuple(n for n in hosted if not n.node_id.startswith(FANOUT_PREFIX))
    left_out = set(PARTIES) - set(parties)
    found.append(locate_agreement(status=status, orgs=[o for o in all_orgs(demo) if o.slug not in left_out]))
    # Best-interests assessments and guardian hand-overs between Milan and Brussels.
    found.append(
        best_interests_agreement(
            status=status, parties=tuple(p for p in BEST_INTERESTS_PARTIES if p in slugs)
        )
    )
    found.append(tracing_agreement(status=status, orgs=[o for o in all_orgs(demo) if o.slug not in left_out]))
    # Dublin take-charge requests between Milan's Dublin desk and the Brussels Dublin unit.
    found.append(
        take_charge_agreement(status=status, parties=tuple(p for p in TAKE_CHARGE_PARTIES if p in slugs))
    )
    fanout = tuple(sorted(s for s in slugs if s.endswith("-fanout-ngo")))
    if fanout and FANOUT_SENDER in slugs:
        found.append(fanout_agreement((FANOUT_SENDER, *fanout)))
    # An agreement needs two parties: a registry of Milan and the fan-out nodes has no other.
    return [a for a in found if len(a["parties"]) >= 2]
