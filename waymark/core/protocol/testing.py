"""A small fictional federation for tests and benchmarks: three nodes, the personas' organisations,
one agreement, sample messages. Pure (no Django), so the exchange app's tests can reuse it.

Nodes: node-it (it-cps-milano, it-guardians, xx-immigration), node-fr (fr-ngo-calais), node-be
(be-police-mpu). Agreement ``it-fr-be-2025`` binds the Italian child-protection service, the French
NGO and the Belgian police; the immigration-enforcement organisation is in the registry (so it
can be named and refused) but party to nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from waymark.core.protocol import jose
from waymark.core.protocol.keys import NodeKeys, public_jwk
from waymark.core.protocol.messages import (
    Answer,
    AuditCheckpoint,
    BestInterestsBody,
    BestInterestsKind,
    Body,
    CaseClosed,
    CaseSummary,
    CaseTransfer,
    ChildSummary,
    CloseReason,
    DurableSolution,
    EncodedRecord,
    ErasureDone,
    ErasureNotice,
    ErasureOutcome,
    ErasureReason,
    Found,
    GuardianContact,
    GuardianHandover,
    GuardianHandoverAck,
    Header,
    IdentifierBody,
    InfoRequest,
    InfoResponse,
    MatchPair,
    MatchQuery,
    MatchResult,
    MessageType,
    MissingAlert,
    MissingAlertSeen,
    MissingAlertUpdate,
    MissingAlertWithdraw,
    Notice,
    Place,
    Question,
    ReferralAccept,
    ReferralDone,
    ReferralOffer,
    ReferralOutcome,
    ReferralReject,
    ReferralRevoke,
    RejectReason,
    Relationship,
    RelativeSought,
    RevokeReason,
    Sighting,
    TakeChargeRelative,
    TakeChargeReply,
    TakeChargeRequest,
    TimelineEntry,
    TracingOutcome,
    TracingProgress,
    TracingRequest,
    TracingResult,
    TracingWithdraw,
    TracingWithdrawReason,
    TransferAccept,
    TransferReject,
    WithdrawReason,
    make_header,
)
from waymark.core.protocol.registry import (
    Agreement,
    AgreementStatus,
    Grant,
    GrantAction,
    Node,
    Organisation,
    Registry,
    ResponseCommitment,
)
from waymark.core.protocol.vocab import (
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventType,
    IdentifierScheme,
    MissingCategory,
    Purpose,
    RiskLevel,
    Role,
    Sector,
    Sex,
)

NOW = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)
AGREEMENT_ID = "it-fr-be-2025"

ORGANISATIONS = (
    ("it-cps-milano", "Servizio Tutela Minori Milano (fictional)", "IT", Sector.CHILD_PROTECTION, "node-it"),
    ("it-guardians", "Ufficio Tutori Milano (fictional)", "IT", Sector.GUARDIANSHIP, "node-it"),
    ("fr-ngo-calais", "Association Refuge Calais (fictional)", "FR", Sector.NGO, "node-fr"),
    ("be-police-mpu", "Cellule Personnes Disparues (fictional)", "BE", Sector.POLICE, "node-be"),
    (
        "xx-immigration",
        "Immigration Enforcement (fictional)",
        "IT",
        Sector.IMMIGRATION_ENFORCEMENT,
        "node-it",
    ),
)
NODE_COUNTRY = {"node-it": "IT", "node-fr": "FR", "node-be": "BE"}
PARTIES = ("it-cps-milano", "fr-ngo-calais", "be-police-mpu")
# What the NGO and the police may read for child protection / locating a missing child.
GRANTED = (
    DataCategory.IDENTITY,
    DataCategory.LEGAL_STATUS,
    DataCategory.PHYSICAL_DESCRIPTION,
    DataCategory.CONTACT_LOCATION,
    DataCategory.FAMILY,
    DataCategory.CASE_NOTES,
)


@functools.cache
def node_keys(node_id: str) -> NodeKeys:
    """The (fictional) keys of a node; one pair per node per test run."""
    return NodeKeys.generate()


@functools.cache
def registry_key() -> JWK:
    return JWK.generate(kty="OKP", crv="Ed25519")


def registry_public_key() -> JWK:
    return public_jwk(registry_key())


def grants(
    *, orgs: tuple[str, ...] = PARTIES, purposes: tuple[Purpose, ...] | None = None
) -> tuple[Grant, ...]:
    purposes = purposes or (Purpose.CHILD_PROTECTION, Purpose.LOCATE_MISSING_CHILD)
    return tuple(
        Grant(org=org, role=role, category=category, purpose=purpose, action=GrantAction.READ)
        for org in orgs
        for role in (Role.CASEWORKER, Role.POLICE_OFFICER)
        for category in GRANTED
        for purpose in purposes
    )


def agreement(**overrides: Any) -> Agreement:
    fields: dict[str, Any] = {
        "identifier": AGREEMENT_ID,
        "title": "Cross-border protection of children in migration (fictional)",
        "lawful_basis": "GDPR Art. 6(1)(e); national child-protection law",
        "parties": PARTIES,
        "status": AgreementStatus.ACTIVE,
        "valid_from": NOW - dt.timedelta(days=365),
        "valid_until": NOW + dt.timedelta(days=365),
        "message_types": tuple(t for t in MessageType if t != MessageType.RECEIPT),
        "grants": grants(),
        "response_commitments": (
            ResponseCommitment(message_type=MessageType.INFO_REQUEST, respond_within=dt.timedelta(hours=12)),
        ),
    }
    fields.update(overrides)
    return Agreement(**fields)


def registry(
    *, version: int = 1, agreements: tuple[Agreement, ...] | None = None, **overrides: Any
) -> Registry:
    fields: dict[str, Any] = {
        "federation": "waymark-test",
        "version": version,
        "issued_at": NOW - dt.timedelta(hours=1),
        "expires_at": NOW + dt.timedelta(days=7),
        "nodes": tuple(
            Node(
                node_id=node_id,
                endpoint=f"http://127.0.0.1:{8100 + i}/exchange/inbox",
                country=country,
                signing_jwk=node_keys(node_id).public_signing_jwk(),
                encryption_jwk=node_keys(node_id).public_encryption_jwk(),
            )
            for i, (node_id, country) in enumerate(NODE_COUNTRY.items())
        ),
        "organisations": tuple(
            Organisation(slug=slug, name=name, country=country, sector=sector, node_id=node)
            for slug, name, country, sector, node in ORGANISATIONS
        ),
        "agreements": (agreement(),) if agreements is None else agreements,
    }
    fields.update(overrides)
    return Registry(**fields)


def amina() -> ChildSummary:
    """A fictional child as an Italian caseworker would describe her to a French NGO."""
    return ChildSummary(
        given_names="Amina",
        family_name="Tesfay",
        name_latin="Amina Tesfay",
        aliases=("ኣሚና ተስፋይ", "Amna Tesfai"),
        sex=Sex.FEMALE,
        birth_date=dt.date(2009, 1, 1),
        birth_date_precision=DatePrecision.ESTIMATED,
        assessed_age_min=15,
        assessed_age_max=17,
        languages=("ti", "ar"),
        nationality="ER",
        identifiers=(
            IdentifierBody(scheme=IdentifierScheme.NATIONAL, value="MI-2025-0042", issued_by="Questura"),
        ),
        physical_description="About 1.60 m, slim, short black hair, small scar above the left eyebrow.",
        is_fictional=True,
    )


def referral_offer() -> ReferralOffer:
    """A typical referral body (about 2 KB on the wire)."""
    return ReferralOffer(
        child=amina(),
        case=CaseSummary(
            status=CaseStatus.OPEN,
            missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
            risk_level=RiskLevel.HIGH,
            risk_reasons=(
                "Travelling alone towards Calais; contact with an adult who paid for her journey and "
                "asks her to repay by working. Left two reception centres within a week. Says she wants "
                "to join her brother in the United Kingdom. Her phone was taken by the adult who "
                "organised the journey; she used a friend's phone to call her guardian twice. The "
                "guardian believes she is frightened of the debt and will not ask for help herself."
            ),
            unaccompanied=True,
            separated=False,
        ),
        reason=(
            "Amina told her guardian she intends to travel to Calais to cross to the UK. We ask the "
            "association to look out for her at the day centre, offer her shelter and a safe contact "
            "with her guardian, and tell us if she arrives. She speaks Tigrinya and some Arabic; an "
            "interpreter helped at our interviews. She is wary of police uniforms; please approach "
            "her through the women's team. Her brother's name and number are with her guardian and "
            "can be shared after a family-tracing assessment under the agreement. Please tell "
            "us at once if she is seen with an adult man who says he is her uncle: the police "
            "unit in Milan has opened a trafficking enquiry and we have a protection plan ready."
        ),
        services_requested=("shelter", "day centre contact", "interpreter (Tigrinya)", "link with guardian"),
        respond_by=NOW + dt.timedelta(hours=24),
    )


def header_for(
    body: Body,
    *,
    type: MessageType = MessageType.REFERRAL_OFFER,
    from_node: str = "node-it",
    from_org: str = "it-cps-milano",
    to_node: str = "node-fr",
    to_org: str = "fr-ngo-calais",
    purpose: Purpose = Purpose.CHILD_PROTECTION,
    now: dt.datetime = NOW,
    **overrides: Any,
) -> Header:
    fields: dict[str, Any] = {
        "type": type,
        "body": body,
        "conversation_id": "IT-MI-2025-0042",
        "from_node": from_node,
        "from_org": from_org,
        "to_node": to_node,
        "to_org": to_org,
        "agreement_id": AGREEMENT_ID,
        "purpose": purpose,
        "now": now,
    }
    fields.update(overrides)
    return make_header(**fields)


@dataclass
class KeyRing:
    """A SigningKeyResolver over the fictional federation's keys (what the registry would give)."""

    keys: dict[str, NodeKeys] = field(default_factory=lambda: {n: node_keys(n) for n in NODE_COUNTRY})

    def __call__(self, node_id: str, kid: str) -> JWK | None:
        keys = self.keys.get(node_id)
        if keys is None or keys.signing_kid != kid:
            return None
        return public_jwk(keys.signing)


# --- forging: build envelopes that ``seal`` would refuse to make, to test that receivers refuse them


def sign_message(message: dict[str, Any], keys: NodeKeys) -> str:
    """An inner JWS over any {header, body} dict, signed properly by ``keys``."""
    return jose.sign(jose.canonical_json(message), keys.signing, jose.TYP_MESSAGE)


def encrypt_for(inner: str, recipient: NodeKeys, **protected: Any) -> bytes:
    """A JWE with our algorithms around ``inner`` for ``recipient``; ``protected`` adds or
    overrides header fields (routing defaults to node-it -> node-fr)."""
    fields: dict[str, Any] = {
        "alg": jose.KEY_ALG,
        "enc": jose.CONTENT_ENC,
        "typ": jose.TYP_ENVELOPE,
        "cty": jose.TYP_MESSAGE,
        "kid": recipient.encryption_kid,
        "wm_from_node": "node-it",
        "wm_to_node": "node-fr",
        "wm_message_id": str(uuid.uuid4()),
        "wm_sender_kid": node_keys("node-it").signing_kid,
    }
    fields.update(protected)
    token = JWE(inner.encode("ascii"), protected=json.dumps(fields))
    token.add_recipient(public_jwk(recipient.encryption))
    return str(token.serialize(compact=True)).encode("ascii")


def forge(
    header: dict[str, Any],
    body: dict[str, Any],
    *,
    signer: NodeKeys | None = None,
    recipient: NodeKeys | None = None,
    **protected: Any,
) -> bytes:
    """An envelope around an arbitrary header and body (JSON dicts), routed per the header."""
    signer = signer or node_keys(header["from_node"])
    recipient = recipient or node_keys(header["to_node"])
    routing: dict[str, Any] = {
        "wm_from_node": header["from_node"],
        "wm_to_node": header["to_node"],
        "wm_message_id": header["message_id"],
        "wm_sender_kid": signer.signing_kid,
    }
    routing.update(protected)
    return encrypt_for(sign_message({"header": header, "body": body}, signer), recipient, **routing)


def sample_bodies() -> dict[MessageType, Body]:
    """One body of every message type that travels (fictional; dated around ``NOW``)."""
    return {
        MessageType.REFERRAL_OFFER: referral_offer(),
        MessageType.REFERRAL_ACCEPT: ReferralAccept(
            contact="Équipe femmes, +33 3 00 00 00 00", note="We expect her."
        ),
        MessageType.REFERRAL_REJECT: ReferralReject(reason_code=RejectReason.NO_CAPACITY),
        MessageType.REFERRAL_DONE: ReferralDone(outcome=ReferralOutcome.SERVICES_PROVIDED),
        MessageType.REFERRAL_REVOKE: ReferralRevoke(reason_code=RevokeReason.SENT_IN_ERROR),
        MessageType.CASE_TRANSFER: CaseTransfer(
            child=amina(),
            case=CaseSummary(risk_level=RiskLevel.HIGH, unaccompanied=True),
            timeline=(
                TimelineEntry(
                    type=EventType.INTERVIEW,
                    occurred_at=NOW - dt.timedelta(days=3),
                    category=DataCategory.CASE_NOTES,
                    summary="First interview with interpreter",
                ),
            ),
            guardian=GuardianContact(name="Marco Rossi (fictional)", organisation="Ufficio Tutori Milano"),
        ),
        MessageType.TRANSFER_ACCEPT: TransferAccept(
            receiver_case_reference="FR-CAL-77", responsible_from=NOW
        ),
        MessageType.TRANSFER_REJECT: TransferReject(reason_code=RejectReason.OUT_OF_AREA),
        MessageType.INFO_REQUEST: InfoRequest(
            questions=(
                Question(id="q1", category=DataCategory.CONTACT_LOCATION, text="Has she reached Calais?"),
            ),
            reply_by=NOW + dt.timedelta(hours=12),
        ),
        MessageType.INFO_RESPONSE: InfoResponse(
            answers=(
                Answer(
                    question_id="q1", category=DataCategory.CONTACT_LOCATION, text="Yes, at the day centre."
                ),
            )
        ),
        MessageType.NOTICE: Notice(category=DataCategory.CASE_NOTES, text="Guardian visit moved to Friday."),
        MessageType.MISSING_ALERT: MissingAlert(
            child=amina(),
            missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
            risk_level=RiskLevel.HIGH,
            last_seen_at=NOW - dt.timedelta(hours=5),
            last_seen_place=Place(description="Milano Centrale", country="IT"),
        ),
        MessageType.MISSING_ALERT_UPDATE: MissingAlertUpdate(
            revision=1,
            child=amina(),
            missing_category=MissingCategory.UNACCOMPANIED_MIGRANT,
            risk_level=RiskLevel.HIGH,
            last_seen_at=NOW - dt.timedelta(hours=2),
            last_seen_place=Place(description="Ventimiglia station", country="IT"),
        ),
        MessageType.MISSING_ALERT_SEEN: MissingAlertSeen(seen_at=NOW),
        MessageType.MISSING_ALERT_WITHDRAW: MissingAlertWithdraw(reason_code=WithdrawReason.FOUND),
        MessageType.SIGHTING: Sighting(seen_at=NOW, place=Place(description="Gare de Lille", country="FR")),
        MessageType.FOUND: Found(found_at=NOW, safe=True, now_in_care_of="fr-ngo-calais"),
        MessageType.CASE_CLOSED: CaseClosed(closed_at=NOW, reason_code=CloseReason.DURABLE_SOLUTION),
        MessageType.GUARDIAN_HANDOVER: GuardianHandover(
            guardian=GuardianContact(name="Claire Martin (fictional)"), effective=NOW
        ),
        MessageType.GUARDIAN_HANDOVER_ACK: GuardianHandoverAck(acknowledged_at=NOW),
        MessageType.TRACING_REQUEST: TracingRequest(
            child=amina(),
            relative=RelativeSought(
                full_name="ዮናስ ተስፋይ",
                name_latin="Yonas Tesfay (fictional)",
                relationship=Relationship.SIBLING,
                country="BE",
                last_known_place="Brussels",
            ),
            reply_by=NOW + dt.timedelta(days=30),
        ),
        MessageType.TRACING_PROGRESS: TracingProgress(note="Asked the shelters in Brussels (fictional)."),
        MessageType.TRACING_RESULT: TracingResult(
            outcome=TracingOutcome.CONTACT_ESTABLISHED, relative_contact="+32 2 000 00 00 (fictional)"
        ),
        MessageType.TRACING_WITHDRAW: TracingWithdraw(reason_code=TracingWithdrawReason.CONSENT_WITHDRAWN),
        MessageType.TAKE_CHARGE_REQUEST: TakeChargeRequest(
            request_id=uuid.UUID(int=13),
            requested_country="BE",
            registered_at=NOW - dt.timedelta(days=40),
            sent_at=NOW - dt.timedelta(days=10),
            child=amina(),
            relative=TakeChargeRelative(
                full_name="ዮናስ ተስፋይ",
                name_latin="Yonas Tesfay (fictional)",
                relationship=Relationship.SIBLING,
                country="BE",
            ),
            # The Dublin cut of the assessment: recommendation, family, legal status only.
            best_interests=BestInterestsBody(
                kind=BestInterestsKind.ASSESSMENT,
                recorded_on=(NOW - dt.timedelta(days=20)).date(),
                recommendation=DurableSolution.FAMILY_REUNIFICATION,
                recommendation_country="BE",
                family="Her brother lives in Brussels (fictional).",
            ),
            reply_by=NOW + dt.timedelta(days=50),
        ),
        MessageType.TAKE_CHARGE_REPLY: TakeChargeReply(accepted=True, replied_at=NOW),
        MessageType.MATCH_QUERY: MatchQuery(
            encoding_version=1, key_id="k-2025", records=(EncodedRecord(ref="r1", bloom_base64="AAEC"),)
        ),
        MessageType.MATCH_RESULT: MatchResult(
            pairs=(MatchPair(query_ref="r1", candidate_ref="c_9Kq2Xw7Lm", score=0.93),)
        ),
        MessageType.ERASURE_NOTICE: ErasureNotice(
            reason_code=ErasureReason.RETENTION_ENDED, erase_by=(NOW + dt.timedelta(days=30)).date()
        ),
        MessageType.ERASURE_DONE: ErasureDone(outcome=ErasureOutcome.ERASED, threads_erased=1),
        # The shape of a C2SP checkpoint note (its signature is not a real one).
        MessageType.AUDIT_CHECKPOINT: AuditCheckpoint(
            note="waymark/sample/audit\n12\n"
            + "A" * 43
            + "=\n\n\u2014 waymark/sample/audit "
            + "A" * 92
            + "\n",
            verifier_key="waymark/sample/audit+00000000+A" + "Q" * 43,
            old_size=8,
            old_root="0" * 64,
            proof=("1" * 64, "2" * 64),
        ),
    }
