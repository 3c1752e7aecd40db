"""The vocabularies the wire protocol speaks, as plain ``StrEnum``s.

They mirror ``waymark.vocab`` value for value (``core`` must not import Django, and a peer node
must be able to read the protocol without our Django app). ``test_protocol_vocab_mirror`` keeps
the two in step: adding a value in one place and not the other fails the suite. Append, never
reorder or rename: a value on the wire is a contract with every peer.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    GUARDIAN = "guardian"
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    HOTLINE_OPERATOR = "hotline_operator"
    POLICE_OFFICER = "police_officer"
    DUBLIN_OFFICER = "dublin_officer"
    DPO = "dpo"
    NODE_ADMIN = "node_admin"


class Sector(StrEnum):
    CHILD_PROTECTION = "child_protection"
    GUARDIANSHIP = "guardianship"
    NGO = "ngo"
    HOTLINE = "hotline"
    POLICE = "police"
    JUDICIARY = "judiciary"
    ASYLUM_DUBLIN_UNIT = "asylum_dublin_unit"
    HEALTH = "health"
    EDUCATION = "education"
    # Never a party to an agreement (the registry refuses it); named so it can be refused.
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement"


class Purpose(StrEnum):
    CHILD_PROTECTION = "child_protection"
    LOCATE_MISSING_CHILD = "locate_missing_child"
    FAMILY_TRACING = "family_tracing"
    BEST_INTERESTS_ASSESSMENT = "best_interests_assessment"
    CARE_CONTINUITY = "care_continuity"
    TRAFFICKING_INVESTIGATION = "trafficking_investigation"
    STATISTICS = "statistics"
    AUDIT = "audit"
    # Parses, so that it can be refused with its own reason code; never accepted.
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement"


# The firewall (shared/design/FIREWALL.md): no envelope, agreement or grant may carry these.
FORBIDDEN_PURPOSES = frozenset({Purpose.IMMIGRATION_ENFORCEMENT})
FORBIDDEN_SECTORS = frozenset({Sector.IMMIGRATION_ENFORCEMENT})


class DataCategory(StrEnum):
    IDENTITY = "identity"
    PHYSICAL_DESCRIPTION = "physical_description"
    PHOTO = "photo"
    CONTACT_LOCATION = "contact_location"
    FAMILY = "family"
    LEGAL_STATUS = "legal_status"
    HEALTH = "health"
    PSYCHOSOCIAL = "psychosocial"
    TRAFFICKING_INDICATORS = "trafficking_indicators"
    DISCLOSURE = "disclosure"
    CASE_NOTES = "case_notes"
    GUARDIAN = "guardian"
    EDUCATION = "education"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class DatePrecision(StrEnum):
    EXACT = "exact"
    YEAR_MONTH = "year_month"
    YEAR = "year"
    ESTIMATED = "estimated"


class IdentifierScheme(StrEnum):
    UNHCR = "unhcr"
    NATIONAL = "national"
    SIS = "sis"
    EURODAC = "eurodac"
    OTHER = "other"


class CaseStatus(StrEnum):
    OPEN = "open"
    MISSING = "missing"
    FOUND = "found"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


class MissingCategory(StrEnum):
    RUNAWAY = "runaway"
    PARENTAL_ABDUCTION_NATIONAL = "parental_abduction_national"
    PARENTAL_ABDUCTION_INTERNATIONAL = "parental_abduction_international"
    CRIMINAL_ABDUCTION = "criminal_abduction"
    UNACCOMPANIED_MIGRANT = "unaccompanied_migrant"
    LOST_INJURED_OTHER = "lost_injured_other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class EventType(StrEnum):
    REGISTRATION = "registration"
    INTERVIEW = "interview"
    GUARDIAN_APPOINTED = "guardian_appointed"
    RISK_ASSESSMENT = "risk_assessment"
    DISAPPEARANCE = "disappearance"
    SIGHTING = "sighting"
    FOUND = "found"
    REFERRAL = "referral"
    TRANSFER = "transfer"
    HEALTH = "health"
    NOTE = "note"


class EventSource(StrEnum):
    STAFF = "staff"
    CHILD = "child"
    FAMILY = "family"
    PARTNER = "partner"
    HOTLINE = "hotline"
    POLICE = "police"
    OTHER = "other"


class ErasureBasis(StrEnum):
    """Why a child's record is erased (GDPR Art. 17(1); Art. 5(1)(e) for the end of retention)."""

    NO_LONGER_NECESSARY = "no_longer_necessary"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION = "objection"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    LEGAL_OBLIGATION = "legal_obligation"
    RETENTION_ENDED = "retention_ended"


class KeepBasis(StrEnum):
    """Why an organisation keeps a record it is now responsible for after an erasure notice
    (GDPR Art. 17(3))."""

    LEGAL_OBLIGATION = "legal_obligation"
    LEGAL_CLAIMS = "legal_claims"
