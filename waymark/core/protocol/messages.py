"""The messages nodes exchange: the header every envelope carries, and one typed body per type.

Every field of a body that can hold data about a child is annotated with its data category
(``Cat``), or takes its category from a sibling field (``CatFrom("category")``, for free text
whose sensitivity the author states). ``categories_used`` walks a body and returns the
categories it actually carries; ``check_categories`` refuses a body that carries one its header
does not declare. A field is *carried* when its value is not null, not an empty string and not
an empty list. Structured codes (a reject reason code, an erasure deadline) carry no category:
they say something about the exchange, not about the child; free text about the child is
``case_notes`` at least.

Models are frozen and refuse unknown fields, on both the sending and the receiving side.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from waymark.core.codes import is_country, is_language
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode
from waymark.core.protocol.vocab import (
    FORBIDDEN_PURPOSES,
    CaseStatus,
    DataCategory,
    DatePrecision,
    ErasureBasis,
    EventSource,
    EventType,
    IdentifierScheme,
    KeepBasis,
    MissingCategory,
    Purpose,
    RiskLevel,
    Sex,
)

C = DataCategory

# Bump when a change to the header or any body is not backward compatible. A receiver refuses
# an envelope with a schema_version it does not speak (reason ``schema_invalid``).
SCHEMA_VERSION = 1
# An envelope is worth delivering for at most this long; the inbox must remember message ids at
# least this long plus the clock tolerance, or an expired-but-not-yet-refused replay could pass.
MAX_LIFETIME = dt.timedelta(days=30)
DEFAULT_LIFETIME = dt.timedelta(days=7)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$")]
OrgSlug = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
AgreementId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
# The case reference as both sides know it: visible ASCII, no spaces.
ConversationId = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,128}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


@dataclass(frozen=True)
class Cat:
    """Marks a body field as carrying data of one category."""

    category: DataCategory


@dataclass(frozen=True)
class CatFrom:
    """Marks a body field whose category is the value of the sibling field ``field``."""

    field: str


class MessageType(StrEnum):
    REFERRAL_OFFER = "referral_offer"
    REFERRAL_ACCEPT = "referral_accept"
    REFERRAL_REJECT = "referral_reject"
    REFERRAL_DONE = "referral_done"
    REFERRAL_REVOKE = "referral_revoke"
    CASE_TRANSFER = "case_transfer"
    TRANSFER_ACCEPT = "transfer_accept"
    TRANSFER_REJECT = "transfer_reject"
    INFO_REQUEST = "info_request"
    INFO_RESPONSE = "info_response"
    NOTICE = "notice"
    MISSING_ALERT = "missing_alert"
    MISSING_ALERT_UPDATE = "missing_alert_update"
    MISSING_ALERT_SEEN = "missing_alert_seen"
    MISSING_ALERT_WITHDRAW = "missing_alert_withdraw"
    SIGHTING = "sighting"
    FOUND = "found"
    CASE_CLOSED = "case_closed"
    GUARDIAN_HANDOVER = "guardian_handover"
    GUARDIAN_HANDOVER_ACK = "guardian_handover_ack"
    # Family tracing: a relative sought abroad, progress notes, one result; the sender may withdraw.
    TRACING_REQUEST = "tracing_request"
    TRACING_PROGRESS = "tracing_progress"
    TRACING_RESULT = "tracing_result"
    TRACING_WITHDRAW = "tracing_withdraw"
    # Dublin III / AMMR take-charge request for a child's family reunion, and the requested
    # State's reply (accepted or refused).
    TAKE_CHARGE_REQUEST = "take_charge_request"
    TAKE_CHARGE_REPLY = "take_charge_reply"
    MATCH_QUERY = "match_query"
    MATCH_RESULT = "match_result"
    ERASURE_NOTICE = "erasure_notice"
    ERASURE_DONE = "erasure_done"
    # A node's signed audit checkpoint, for its partners to witness (no child data).
    AUDIT_CHECKPOINT = "audit_checkpoint"
    # Named so logs and dashboards can say "receipt"; receipts never travel in an envelope, they
    # are a signed JWS of their own (receipts.py), and ``seal`` refuses this type.
    RECEIPT = "receipt"


# Answers to a message: the header must name the message answered (``in_reply_to``).
REPLY_TYPES = frozenset(
    {
        MessageType.REFERRAL_ACCEPT,
        MessageType.REFERRAL_REJECT,
        MessageType.REFERRAL_DONE,
        MessageType.TRANSFER_ACCEPT,
        MessageType.TRANSFER_REJECT,
        MessageType.INFO_RESPONSE,
        MessageType.MISSING_ALERT_SEEN,
        MessageType.SIGHTING,
        MessageType.FOUND,
        MessageType.MATCH_RESULT,
        MessageType.ERASURE_DONE,
        MessageType.GUARDIAN_HANDOVER_ACK,
        MessageType.TRACING_PROGRESS,
        MessageType.TRACING_RESULT,
        MessageType.TRACING_WITHDRAW,
        MessageType.TAKE_CHARGE_REPLY,
    }
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Header(_Frozen):
    """Signed with the body; routing copies of from/to node and message id also ride outside."""

    message_id: uuid.UUID
    conversation_id: ConversationId
    from_node: NodeId
    from_org: OrgSlug
    to_node: NodeId
    to_org: OrgSlug
    agreement_id: AgreementId
    purpose: Purpose
    data_categories: tuple[DataCategory, ...] = Field(max_length=len(DataCategory))
    type: MessageType
    schema_version: int = SCHEMA_VERSION
    created: UtcDatetime
    expires: UtcDatetime
    in_reply_to: uuid.UUID | None = None

    @field_validator("data_categories")
    @classmethod
    def _unique(cls, v: tuple[DataCategory, ...]) -> tuple[DataCategory, ...]:
        if len(set(v)) != len(v):
            raise ValueError("data categories are listed twice")
        return v

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(f"schema_version {v} is not supported (this node speaks {SCHEMA_VERSION})")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Header:
        if self.expires <= self.created:
            raise ValueError("expires must be after created")
        if self.expires - self.created > MAX_LIFETIME:
            raise ValueError(f"an envelope may live at most {MAX_LIFETIME.days} days")
        if self.type in REPLY_TYPES and self.in_reply_to is None:
            raise ValueError(f"a {self.type.value} must name the message it answers (in_reply_to)")
        if self.in_reply_to == self.message_id:
            raise ValueError("a message cannot answer itself")
        if self.type == MessageType.RECEIPT:
            raise ValueError("receipts are not sent in envelopes")
        return self


# --- building blocks ---------------------------------------------------------------------------


class IdentifierBody(_Frozen):
    scheme: IdentifierScheme
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    issued_by: Name = ""


class ChildSummary(_Frozen):
    """Who the child is, field by field, each with its category; only what the sender chose."""

    given_names: Annotated[Name, Cat(C.IDENTITY)] = ""
    family_name: Annotated[Name, Cat(C.IDENTITY)] = ""
    name_latin: Annotated[Name, Cat(C.IDENTITY)] = ""
    aliases: Annotated[tuple[Name, ...], Cat(C.IDENTITY), Field(max_length=50)] = ()
    sex: Annotated[Sex | None, Cat(C.IDENTITY)] = None
    birth_date: Annotated[dt.date | None, Cat(C.IDENTITY)] = None
    birth_date_precision: Annotated[DatePrecision | None, Cat(C.IDENTITY)] = None
    assessed_age_min: Annotated[int | None, Cat(C.IDENTITY), Field(ge=0, le=25)] = None
    assessed_age_max: Annotated[int | None, Cat(C.IDENTITY), Field(ge=0, le=25)] = None
    languages: Annotated[tuple[str, ...], Cat(C.IDENTITY), Field(max_length=20)] = ()
    nationality: Annotated[str, Cat(C.LEGAL_STATUS)] = ""
    identifiers: Annotated[tuple[IdentifierBody, ...], Cat(C.LEGAL_STATUS), Field(max_length=20)] = ()
    physical_description: Annotated[ShortText, Cat(C.PHYSICAL_DESCRIPTION)] = ""
    # A JPEG or PNG, base64 (standard alphabet); at most 512 KiB before encoding.
    photo_base64: Annotated[str, Cat(C.PHOTO), StringConstraints(max_length=700_000)] = ""
    # Demo and training data is marked so a receiving node never mistakes it for a real child.
    is_fictional: bool = False

    @field_validator("nationality")
    @classmethod
    def _country(cls, v: str) -> str:
        if v and not is_country(v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if not is_language(code):
                raise ValueError(f"{code!r} is not an ISO 639 language code")
        return v


class CaseSummary(_Frozen):
    status: Annotated[CaseStatus | None, Cat(C.CASE_NOTES)] = None
    missing_category: Annotated[MissingCategory | None, Cat(C.CASE_NOTES)] = None
    risk_level: Annotated[RiskLevel | None, Cat(C.CASE_NOTES)] = None
    risk_reasons: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    unaccompanied: Annotated[bool | None, Cat(C.FAMILY)] = None
    separated: Annotated[bool | None, Cat(C.FAMILY)] = None


class CarePlanBody(_Frozen):
    needs: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    objectives: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    services: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    review_date: Annotated[dt.date | None, Cat(C.CASE_NOTES)] = None


class TimelineEntry(_Frozen):
    """One event of the case's timeline; its author states the category of what it says."""

    type: EventType
    occurred_at: UtcDatetime
    source: EventSource = EventSource.STAFF
    category: DataCategory
    summary: Annotated[
        str, CatFrom("category"), StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
    ]
    details: Annotated[LongText, CatFrom("category")] = ""
    location: Annotated[Name, Cat(C.CONTACT_LOCATION)] = ""


class GuardianContact(_Frozen):
    """The child's guardian: a professional, but who guards this child is data about the child."""

    name: Annotated[Name, Cat(C.GUARDIAN)] = ""
    organisation: Annotated[Name, Cat(C.GUARDIAN)] = ""
    contact: Annotated[Name, Cat(C.GUARDIAN)] = ""


class ChildAccountBody(_Frozen):
    """The child's own account from one interview (disclosure), as recorded where it was told, so
    the next professionals read it instead of interviewing the child again. Every field is the
    account's, so carrying one carries ``disclosure``: only an agreement granting it travels."""

    # The version as first recorded (wherever it was) and the account across its versions.
    original_id: uuid.UUID
    lineage: uuid.UUID
    version: int = Field(default=1, ge=1, le=1000)
    recorded_at: UtcDatetime
    interviewed_at: Annotated[UtcDatetime, Cat(C.DISCLOSURE)]
    interviewer: Annotated[Name, Cat(C.DISCLOSURE)] = ""
    # Whom the child told: the organisation, its name and country (the provenance every copy keeps).
    told_to_org: Annotated[OrgSlug, Cat(C.DISCLOSURE)]
    told_to_org_name: Annotated[Name, Cat(C.DISCLOSURE)] = ""
    told_to_country: Annotated[Country, Cat(C.DISCLOSURE)]
    language: Annotated[str, Cat(C.DISCLOSURE), StringConstraints(max_length=20)]
    interpreter: Annotated[bool, Cat(C.DISCLOSURE)] = False
    interpreter_language: Annotated[str, Cat(C.DISCLOSURE), StringConstraints(max_length=20)] = ""
    words: Annotated[
        str, Cat(C.DISCLOSURE), StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)
    ]
    summary: Annotated[str, Cat(C.DISCLOSURE), StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    # The purpose it was recorded for, and the consent it rests on, in words.
    purpose: Purpose
    consent: Annotated[ShortText, Cat(C.DISCLOSURE)] = ""
    correction_note: Annotated[LongText, Cat(C.DISCLOSURE)] = ""

    @field_validator("language", "interpreter_language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v and not is_language(v):
            raise ValueError(f"{v!r} is not an ISO 639 language code")
        return v

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, v: Purpose) -> Purpose:
        if v in FORBIDDEN_PURPOSES:
            raise ValueError(f"purpose {v.value!r} is always refused")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> ChildAccountBody:
        if not self.language:
            raise ValueError("language: the language of the interview is required")
        if self.interpreter_language and not self.interpreter:
            raise ValueError("interpreter_language: given, but no interpreter was used")
        return self


# At most this many accounts travel in one message.
MAX_ACCOUNTS = 20


class Place(_Frozen):
    description: Annotated[Name, Cat(C.CONTACT_LOCATION)] = ""
    country: Annotated[str, Cat(C.CONTACT_LOCATION)] = ""
    latitude: Annotated[float | None, Cat(C.CONTACT_LOCATION), Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Cat(C.CONTACT_LOCATION), Field(ge=-180, le=180)] = None

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if v and not is_country(v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v


class Body(_Frozen):
    """Base of every message body."""


# --- referrals ---------------------------------------------------------------------------------


class ReferralOffer(Body):
    """Asks another organisation to take on services for a child."""

    child: ChildSummary
    case: CaseSummary = Field(default_factory=CaseSummary)
    reason: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    services_requested: Annotated[tuple[ShortText, ...], Cat(C.CASE_NOTES), Field(max_length=20)] = ()
    respond_by: UtcDatetime | None = None
    # The child's accounts the referrer shares, so the child is not interviewed again (disclosure).
    accounts: tuple[ChildAccountBody, ...] = Field(default=(), max_length=MAX_ACCOUNTS)


class ReferralAccept(Body):
    # The receiving professional's work contact (not data about the child).
    contact: ShortText = ""
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class RejectReason(StrEnum):
    NO_CAPACITY = "no_capacity"
    OUT_OF_AREA = "out_of_area"
    NOT_COMPETENT = "not_competent"
    ALREADY_KNOWN = "already_known"
    OTHER = "other"


class ReferralReject(Body):
    reason_code: RejectReason
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class ReferralOutcome(StrEnum):
    SERVICES_PROVIDED = "services_provided"
    CHILD_LEFT = "child_left"
    CHILD_MISSING = "child_missing"
    REFERRED_ON = "referred_on"
    OTHER = "other"


class ReferralDone(Body):
    outcome: Annotated[ReferralOutcome, Cat(C.CASE_NOTES)]
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class RevokeReason(StrEnum):
    CONSENT_WITHDRAWN = "consent_withdrawn"
    SENT_IN_ERROR = "sent_in_error"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


class ReferralRevoke(Body):
    """Withdraws an offer (or ends a referral); the receiver purges what it received."""

    reason_code: RevokeReason
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


# --- transfers ---------------------------------------------------------------------------------


class BestInterestsKind(StrEnum):
    ASSESSMENT = "assessment"  # a best-interests assessment (BIA)
    DETERMINATION = "determination"  # a best-interests determination (BID): a panel's, approved


class DurableSolution(StrEnum):
    LOCAL_INTEGRATION = "local_integration"
    FAMILY_REUNIFICATION = "family_reunification"
    RETURN = "return"  # only ever recommended by an approved determination


class BestInterestsBody(_Frozen):
    """A best-interests assessment travelling with a case: each section only if the agreement
    grants the receiver its category, and to a Dublin unit only the recommendation and the family
    and legal-status parts (``core.best_interests.bia_extract``). The header is legal status."""

    kind: Annotated[BestInterestsKind, Cat(C.LEGAL_STATUS)]
    approved: Annotated[bool, Cat(C.LEGAL_STATUS)] = False
    recorded_on: Annotated[dt.date, Cat(C.LEGAL_STATUS)]
    recommendation: Annotated[DurableSolution, Cat(C.LEGAL_STATUS)]
    recommendation_country: Annotated[str, Cat(C.LEGAL_STATUS), StringConstraints(max_length=2)] = ""
    recommendation_reason: Annotated[LongText, Cat(C.LEGAL_STATUS)] = ""
    review_on: Annotated[dt.date | None, Cat(C.LEGAL_STATUS)] = None
    legal_status: Annotated[LongText, Cat(C.LEGAL_STATUS)] = ""
    family: Annotated[LongText, Cat(C.FAMILY)] = ""
    education: Annotated[LongText, Cat(C.EDUCATION)] = ""
    identity_culture: Annotated[LongText, Cat(C.PSYCHOSOCIAL)] = ""
    guardian_consulted: Annotated[bool | None, Cat(C.GUARDIAN)] = None
    guardian_views: Annotated[LongText, Cat(C.GUARDIAN)] = ""
    health: Annotated[LongText, Cat(C.HEALTH)] = ""
    child_views: Annotated[LongText, Cat(C.DISCLOSURE)] = ""
    child_views_language: Annotated[str, Cat(C.DISCLOSURE), StringConstraints(max_length=16)] = ""
    safety: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    options: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class CaseTransfer(Body):
    """Hands the case over: the care plan travels, ownership moves when the receiver accepts."""

    child: ChildSummary
    case: CaseSummary
    care_plan: CarePlanBody = Field(default_factory=CarePlanBody)
    timeline: tuple[TimelineEntry, ...] = Field(default=(), max_length=500)
    guardian: GuardianContact | None = None
    # The sender's own reference, so the receiver can quote it back.
    sender_case_reference: Annotated[str, StringConstraints(max_length=64)] = ""
    # Why the case moves (the child moved on, family found in the receiver's country...).
    reason: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    # The child's accounts that travel with the case (disclosure).
    accounts: tuple[ChildAccountBody, ...] = Field(default=(), max_length=MAX_ACCOUNTS)
    # The case's best-interests assessment, if the sender attached it (optional; older nodes
    # neither send nor expect it).
    best_interests: BestInterestsBody | None = None


class TransferAccept(Body):
    receiver_case_reference: Annotated[str, StringConstraints(max_length=64)] = ""
    responsible_from: UtcDatetime
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class TransferReject(Body):
    reason_code: RejectReason
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


# --- information requests ----------------------------------------------------------------------


class Question(_Frozen):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    # What the question asks about; the question text is classified the same way.
    category: DataCategory
    text: Annotated[
        str, CatFrom("category"), StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]


# An opaque, per-query reference to a candidate in a ``match_result`` (never a case id).
CandidateToken = Annotated[str, StringConstraints(pattern=r"^c_[A-Za-z0-9_-]{8,40}$")]


class InfoRequest(Body):
    questions: tuple[Question, ...] = Field(min_length=1, max_length=50)
    # The reply clock (e.g. SIRENE 12 hours); the agreement's response commitment sets it.
    reply_by: UtcDatetime
    legal_basis: ShortText = ""
    # The request asks about a candidate the receiver returned in a ``match_result``: the receiver
    # maps the token back to its case only now, through its own policy (a reference, no data).
    match_candidate: CandidateToken | Literal[""] = ""

    @model_validator(mode="after")
    def _ids(self) -> InfoRequest:
        if len({q.id for q in self.questions}) != len(self.questions):
            raise ValueError("question ids must be unique")
        return self


class Answer(_Frozen):
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    category: DataCategory
    text: Annotated[LongText, CatFrom("category")] = ""
    # A refusal to answer says why, without data (e.g. "not_held", "not_granted").
    declined: Annotated[str, StringConstraints(pattern=r"^[a-z_]{0,32}$")] = ""

    @model_validator(mode="after")
    def _one(self) -> Answer:
        if bool(self.text) == bool(self.declined):
            raise ValueError("an answer has either text or a declined reason")
        return self


class InfoResponse(Body):
    answers: tuple[Answer, ...] = Field(min_length=1, max_length=50)
    # The child's accounts given in answer (disclosure).
    accounts: tuple[ChildAccountBody, ...] = Field(default=(), max_length=MAX_ACCOUNTS)


class Notice(Body):
    """Free-form information about a case, classified by its author."""

    category: DataCategory
    subject: Annotated[ShortText, CatFrom("category")] = ""
    text: Annotated[LongText, CatFrom("category")] = ""


# --- missing children --------------------------------------------------------------------------


class MissingAlert(Body):
    """A child is missing; a later alert in the same conversation with a higher revision updates it."""

    revision: int = Field(default=0, ge=0)
    child: ChildSummary
    missing_category: Annotated[MissingCategory, Cat(C.CASE_NOTES)]
    risk_level: Annotated[RiskLevel, Cat(C.CASE_NOTES)]
    last_seen_at: Annotated[UtcDatetime | None, Cat(C.CONTACT_LOCATION)] = None
    last_seen_place: Place | None = None
    circumstances: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    # Who to call: the issuing organisation's duty line (not data about the child).
    contact_point: ShortText = ""


class MissingAlertUpdate(MissingAlert):
    """What is known now (a new photo, a later last-seen place): replaces the alert as held."""

    revision: int = Field(default=1, ge=1)


class MissingAlertSeen(Body):
    """A person at the receiving organisation has read the alert (the human acknowledgement; the
    signed receipt is the machine's). Says who acted only by role, nothing about the child."""

    seen_at: UtcDatetime


class WithdrawReason(StrEnum):
    FOUND = "found"
    SENT_IN_ERROR = "sent_in_error"
    OTHER = "other"


class MissingAlertWithdraw(Body):
    """Withdraws every revision of the alert in this conversation; receivers purge their copies."""

    reason_code: WithdrawReason


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Sighting(Body):
    seen_at: Annotated[UtcDatetime, Cat(C.CONTACT_LOCATION)]
    place: Place
    source: EventSource = EventSource.OTHER
    confidence: Confidence = Confidence.MEDIUM
    description: Annotated[LongText, Cat(C.PHYSICAL_DESCRIPTION)] = ""
    circumstances: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    # Who the child was seen with (adults, other children, a vehicle).
    with_whom: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class Found(Body):
    found_at: Annotated[UtcDatetime, Cat(C.CONTACT_LOCATION)]
    place: Place | None = None
    # Safe and well: a yes/no the alert's issuer needs to stand down; anything more is health.
    safe: Annotated[bool | None, Cat(C.CASE_NOTES)] = None
    now_in_care_of: Annotated[Name, Cat(C.CONTACT_LOCATION)] = ""
    # What the child needs now (shelter, a guardian, an interpreter); no diagnosis — that is health.
    immediate_needs: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


class CloseReason(StrEnum):
    CHILD_FOUND = "child_found"
    DURABLE_SOLUTION = "durable_solution"
    AGE_OF_MAJORITY = "age_of_majority"
    TRANSFERRED = "transferred"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class CaseClosed(Body):
    """The case is closed: receivers close their copies and purge them by ``purge_by``."""

    closed_at: UtcDatetime
    reason_code: Annotated[CloseReason, Cat(C.CASE_NOTES)]
    purge_by: dt.date | None = None


class GuardianHandover(Body):
    """The outgoing guardian hands the child over to the organisation that will appoint the next
    one: who they are, from when, a summary, the child's views and wishes in their own words, the
    open issues, and the time by which a person there is to acknowledge it."""

    guardian: GuardianContact
    effective: UtcDatetime
    child: ChildSummary | None = None
    summary: Annotated[LongText, Cat(C.GUARDIAN)] = ""
    # What the child wants, in their own words: a disclosure.
    views_and_wishes: Annotated[LongText, Cat(C.DISCLOSURE)] = ""
    open_issues: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""
    acknowledge_by: UtcDatetime | None = None


class GuardianHandoverAck(Body):
    """A person of the receiving organisation acknowledges the hand-over (their work contact, not
    data about the child)."""

    acknowledged_at: UtcDatetime
    contact: ShortText = ""
    note: Annotated[LongText, Cat(C.CASE_NOTES)] = ""


# --- family tracing ----------------------------------------------------------------------------


class Relationship(StrEnum):
    """How the relative sought is related to the child (Dublin III Art. 2(g)-(h): family member
    and relative; AMMR Art. 2)."""

    MOTHER = "mother"
    FATHER = "father"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    AUNT_UNCLE = "aunt_uncle"
    COUSIN = "cousin"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class RelativeSought(_Frozen):
    """The relative the child asks to find: who they are to the child, their name in any script,
    where they were last known to be. All of it family data; their contact details are contact
    data and travel only when the sender chooses to send them."""

    full_name: Annotated[
        str, Cat(C.FAMILY), StringConstraints(strip_whitespace=True, min_length=1, max_length=400)
    ]
    name_latin: Annotated[Name, Cat(C.FAMILY)] = ""
    relationship: Annotated[Relationship, Cat(C.FAMILY)]
    country: Annotated[str, Cat(C.FAMILY)] = ""
    last_known_place: Annotated[Name, Cat(C.FAMILY)] = ""
    contact: Annotated[ShortText, Cat(C.CONTACT_LOCATION)] = ""

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if v and not is_country(v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v


class TracingRequest(Body):
    """Asks an organisation in the relative's country to trace them for the child (purpose
    family_tracing). The child appears by identity only, so the tracer can tell the relative who
    is looking for them; the reply clock is the agreement's commitment or thirty days."""

    child: ChildSummary
    relative: RelativeSought
    note: Annotated[LongText, Cat(C.FAMILY)] = ""
    reply_by: UtcDatetime


class TracingProgress(Body):
    """A progress note from the tracer: what was done, what is next (family data)."""

    note: Annotated[
        str, Cat(C.FAMILY), StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)
    ]


class TracingOutcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    CONTACT_ESTABLISHED = "contact_established"


class TracingResult(Body):
    """The tracing's one result: found, not found, or contact established between the child's
    side and the relative (then how to reach them, contact data)."""

    outcome: Annotated[TracingOutcome, Cat(C.FAMILY)]
    note: Annotated[LongText, Cat(C.FAMILY)] = ""
    relative_contact: Annotated[ShortText, Cat(C.CONTACT_LOCATION)] = ""


class TracingWithdrawReason(StrEnum):
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_LONGER_NEEDED = "no_longer_needed"
    SENT_IN_ERROR = "sent_in_error"


class TracingWithdraw(Body):
    """The requester withdraws the request; the tracer stops and erases what it received."""

    reason_code: TracingWithdrawReason


# --- Dublin III / AMMR take-charge requests -----------------------------------------------------


class TakeChargeRelative(_Frozen):
    """The family-tracing result a take-charge request rests on: the relative whose family link
    was confirmed, as the requested State needs to identify them (Dublin III Art. 8; AMMR Art.
    25) — who they are to the child and where; never how to reach them (no contact details)."""

    full_name: Annotated[
        str, Cat(C.FAMILY), StringConstraints(strip_whitespace=True, min_length=1, max_length=400)
    ]
    name_latin: Annotated[Name, Cat(C.FAMILY)] = ""
    relationship: Annotated[Relationship, Cat(C.FAMILY)]
    country: Annotated[str, Cat(C.FAMILY), StringConstraints(max_length=2)] = ""


class TakeChargeRequest(Body):
    """The requesting State's Dublin unit asks the requested State's to take charge of a child
    for family reunion (Dublin III Art. 8 and 21; AMMR Arts. 25 and 39): the legal basis, the
    dates that start the periods (``docs/deadlines.md``), the child by identity only, the
    confirmed relative, and the best-interests assessment cut to what a Dublin unit may read —
    its recommendation, family and legal-status parts (``core.best_interests``). The procedure's
    dates are legal status; ``reply_by`` is the requesting side's reading of the reply period
    (the requested side counts its own from receipt)."""

    request_id: uuid.UUID  # the requesting side's record (no child data)
    requested_country: Annotated[Country, Cat(C.LEGAL_STATUS)]
    basis: Annotated[ShortText, Cat(C.LEGAL_STATUS)] = "Art. 8"
    registered_at: Annotated[UtcDatetime, Cat(C.LEGAL_STATUS)]
    hit_at: Annotated[UtcDatetime | None, Cat(C.LEGAL_STATUS)] = None
    sent_at: Annotated[UtcDatetime, Cat(C.LEGAL_STATUS)]
    urgent_reply_days: Annotated[int | None, Cat(C.LEGAL_STATUS), Field(ge=1, le=62)] = None
    child: ChildSummary
    relative: TakeChargeRelative | None = None
    best_interests: BestInterestsBody | None = None
    note: Annotated[LongText, Cat(C.LEGAL_STATUS)] = ""
    reply_by: UtcDatetime


class TakeChargeReply(Body):
    """The requested State accepts or refuses to take charge (Dublin III Art. 22; AMMR Art. 40):
    a legal-status decision with its reasons."""

    accepted: Annotated[bool, Cat(C.LEGAL_STATUS)]
    note: Annotated[LongText, Cat(C.LEGAL_STATUS)] = ""
    replied_at: UtcDatetime


# --- privacy-preserving matching (MATCHING.md) -------------------------------------------------


class EncodedRecord(_Frozen):
    # The sender's opaque reference for the record (never a name).
    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    # A keyed Bloom filter, base64. Pseudonymised personal data, not anonymous: hence identity.
    bloom_base64: Annotated[str, Cat(C.IDENTITY), StringConstraints(min_length=1, max_length=4096)]


class MatchQuery(Body):
    """One child's keyed Bloom-filter encoding (core/pprl.py), never names. A live query carries
    one record; bulk encodings leave a node only in an agreed batch run."""

    encoding_version: int = Field(ge=1)
    key_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    records: tuple[EncodedRecord, ...] = Field(min_length=1, max_length=10_000)


class MatchPair(_Frozen):
    # The query's reference for its record, and the receiver's per-query token for its candidate.
    query_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    candidate_ref: CandidateToken
    score: float = Field(ge=0, le=1)


class MatchResult(Body):
    """Hit or no-hit: pairs of references and scores, never the other side's data."""

    pairs: Annotated[tuple[MatchPair, ...], Cat(C.IDENTITY), Field(max_length=10_000)] = ()


class ErasureReason(StrEnum):
    ERASURE_REQUEST = "erasure_request"
    RETENTION_ENDED = "retention_ended"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class ErasureNotice(Body):
    """Erase the copies received in this conversation (all categories, or those listed).

    Sent by an organisation that erased a child to every organisation its ledger shows it sent
    data about that child, one notice per conversation (so it arrives after anything of that
    conversation still in flight). It carries only what the receiver needs to find its copies —
    the ids of the messages it was sent and its own case reference, if it gave one — never data
    about the child. Answered by ``erasure_done``.
    """

    reason_code: ErasureReason
    # The legal ground of the erasure, for the receiver's DPO (Art. 17(1), or retention).
    legal_basis: ErasureBasis | None = None
    # Copies the receiver is now responsible for (a transferred case) are its DPO's to decide by then.
    erase_by: dt.date
    # Names categories to erase; carries no data of them.
    categories: tuple[DataCategory, ...] = ()
    # The messages of this conversation the receiver was sent (ids only).
    message_ids: tuple[uuid.UUID, ...] = Field(default=(), max_length=10_000)
    # The receiver's own reference for its case, as it gave it (``transfer_accept``).
    peer_case_reference: Annotated[str, StringConstraints(max_length=64)] = ""


class ErasureOutcome(StrEnum):
    # Every copy received in the conversation is erased.
    ERASED = "erased"
    # Nothing received in the conversation was held any more.
    NOTHING_HELD = "nothing_held"
    # The receiver is now responsible for the case (a transfer) and its DPO decided to keep it.
    KEPT = "kept"


class ErasureDone(Body):
    """The receiver's confirmation of an ``erasure_notice``: codes and counts, no data."""

    outcome: ErasureOutcome
    threads_erased: int = Field(default=0, ge=0)
    cases_erased: int = Field(default=0, ge=0)
    cases_kept: int = Field(default=0, ge=0)
    # Why a kept case is kept (GDPR Art. 17(3)); set when ``outcome`` is ``kept``.
    kept_basis: KeepBasis | None = None

    @model_validator(mode="after")
    def _kept(self) -> ErasureDone:
        if (self.outcome == ErasureOutcome.KEPT) != (self.kept_basis is not None):
            raise ValueError("kept_basis is given exactly when the outcome is kept")
        return self


# --- witnessed audit ---------------------------------------------------------------------------

HexHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class AuditCheckpoint(Body):
    """The sending node's latest signed audit checkpoint, for the receiving node to witness.

    About the node's audit log, never about a child: no field carries a data category. ``note``
    is the C2SP signed note (origin, tree size, root hash, Ed25519 signature); ``verifier_key``
    the line that checks it; ``proof`` the RFC 9162 consistency proof from ``old_size`` entries
    (root ``old_root``, the last checkpoint the receiver accepted from the sender; 0 and "" for
    none) to the note's size."""

    note: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    verifier_key: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    old_size: int = Field(default=0, ge=0)
    old_root: HexHash | Literal[""] = ""
    proof: tuple[HexHash, ...] = Field(default=(), max_length=128)


BODY_SCHEMAS: dict[MessageType, type[Body]] = {
    MessageType.REFERRAL_OFFER: ReferralOffer,
    MessageType.REFERRAL_ACCEPT: ReferralAccept,
    MessageType.REFERRAL_REJECT: ReferralReject,
    MessageType.REFERRAL_DONE: ReferralDone,
    MessageType.REFERRAL_REVOKE: ReferralRevoke,
    MessageType.CASE_TRANSFER: CaseTransfer,
    MessageType.TRANSFER_ACCEPT: TransferAccept,
    MessageType.TRANSFER_REJECT: TransferReject,
    MessageType.INFO_REQUEST: InfoRequest,
    MessageType.INFO_RESPONSE: InfoResponse,
    MessageType.NOTICE: Notice,
    MessageType.MISSING_ALERT: MissingAlert,
    MessageType.MISSING_ALERT_UPDATE: MissingAlertUpdate,
    MessageType.MISSING_ALERT_SEEN: MissingAlertSeen,
    MessageType.MISSING_ALERT_WITHDRAW: MissingAlertWithdraw,
    MessageType.SIGHTING: Sighting,
    MessageType.FOUND: Found,
    MessageType.CASE_CLOSED: CaseClosed,
    MessageType.GUARDIAN_HANDOVER: GuardianHandover,
    MessageType.GUARDIAN_HANDOVER_ACK: GuardianHandoverAck,
    MessageType.TRACING_REQUEST: TracingRequest,
    MessageType.TRACING_PROGRESS: TracingProgress,
    MessageType.TRACING_RESULT: TracingResult,
    MessageType.TRACING_WITHDRAW: TracingWithdraw,
    MessageType.TAKE_CHARGE_REQUEST: TakeChargeRequest,
    MessageType.TAKE_CHARGE_REPLY: TakeChargeReply,
    MessageType.MATCH_QUERY: MatchQuery,
    MessageType.MATCH_RESULT: MatchResult,
    MessageType.ERASURE_NOTICE: ErasureNotice,
    MessageType.ERASURE_DONE: ErasureDone,
    MessageType.AUDIT_CHECKPOINT: AuditCheckpoint,
}


def body_schema(type: MessageType) -> type[Body]:
    """The body model for a message type. KeyError for ``receipt`` (not an envelope type)."""
    return BODY_SCHEMAS[type]


def parse_body(type: MessageType, data: Any) -> Body:
    """Validate a decoded JSON body against its type's schema (pydantic ValidationError if not)."""
    return BODY_SCHEMAS[type].model_validate(data)


def body_json(body: Body) -> dict[str, Any]:
    """The body as it goes on the wire: JSON types, fields left at their default omitted."""
    out: dict[str, Any] = body.model_dump(mode="json", exclude_defaults=True)
    return out


def _carried(value: Any) -> bool:
    return value is not None and value != "" and value != () and value != []


def _walk(model: BaseModel, out: set[DataCategory]) -> None:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if not _carried(value):
            continue
        for marker in info.metadata:
            if isinstance(marker, Cat):
                out.add(marker.category)
            elif isinstance(marker, CatFrom):
                out.add(DataCategory(getattr(model, marker.field)))
        items: Iterable[Any] = value if isinstance(value, tuple | list) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                _walk(item, out)


def categories_of(part: BaseModel) -> set[str]:
    """The data categories one part of a body carries (e.g. a travelling best-interests assessment)."""
    out: set[DataCategory] = set()
    _walk(part, out)
    return {c.value for c in out}


def categories_used(type: MessageType, body: Body) -> set[str]:
    """The data categories ``body`` carries (see the module docstring for what 'carries' means)."""
    schema = BODY_SCHEMAS.get(type)
    if schema is None or not isinstance(body, schema):
        raise TypeError(f"a {type.value} body must be a {schema.__name__ if schema else 'nothing'}")
    out: set[DataCategory] = set()
    _walk(body, out)
    return {c.value for c in out}


def check_categories(header: Header, body: Body) -> None:
    """Refuse a body carrying a category its header does not declare (``undeclared_category``)."""
    undeclared = categories_used(header.type, body) - {c.value for c in header.data_categories}
    if undeclared:
        raise EnvelopeRefused(
            ReasonCode.UNDECLARED_CATEGORY,
            f"body carries undeclared categories: {', '.join(sorted(undeclared))}",
        )


def check_purpose(purpose: Purpose) -> None:
    """The firewall at the exchange layer: immigration enforcement is never a purpose."""
    if purpose in FORBIDDEN_PURPOSES:
        raise EnvelopeRefused(ReasonCode.FORBIDDEN_PURPOSE, f"purpose {purpose.value!r} is always refused")


def make_header(
    *,
    type: MessageType,
    body: Body,
    conversation_id: str,
    from_node: str,
    from_org: str,
    to_node: str,
    to_org: str,
    agreement_id: str,
    purpose: Purpose,
    now: dt.datetime,
    data_categories: Iterable[DataCategory | str] | None = None,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
    in_reply_to: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
) -> Header:
    """A header for ``body`` with a fresh message id; declares exactly the categories the body
    carries unless ``data_categories`` says otherwise."""
    categories = categories_used(type, body) if data_categories is None else data_categories
    return Header(
        message_id=message_id or uuid.uuid4(),
        conversation_id=conversation_id,
        from_node=from_node,
        from_org=from_org,
        to_node=to_node,
        to_org=to_org,
        agreement_id=agreement_id,
        purpose=purpose,
        data_categories=tuple(sorted(DataCategory(c) for c in categories)),
        type=type,
        created=now,
        expires=now + lifetime,
        in_reply_to=in_reply_to,
    )
