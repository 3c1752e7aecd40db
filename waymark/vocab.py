"""Waymark's controlled vocabularies, in one place (see shared/design/DOMAIN.md).

Every role, sector, purpose, data category, status and event type the code uses is a member
here; no string literals for them elsewhere.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    POLICE_OFFICER = "police_officer", _("Police officer")
    DUBLIN_OFFICER = "dublin_officer", _("Dublin officer")
    DPO = "dpo", _("Data protection officer")
    NODE_ADMIN = "node_admin", _("Node administrator")


# Roles that work on children's cases: whom a care plan may name as the responsible person. Not
# the DPO or the node administrator (they oversee, they do not do casework), nor a guardian (the
# child's representative, who holds the organisation to the plan rather than carrying it out).
CASEWORK_ROLES = frozenset(
    {Role.CASEWORKER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.POLICE_OFFICER, Role.DUBLIN_OFFICER}
)


class Sector(models.TextChoices):
    CHILD_PROTECTION = "child_protection", _("Child protection")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    NGO = "ngo", _("NGO")
    HOTLINE = "hotline", _("116 000 hotline")
    POLICE = "police", _("Police")
    JUDICIARY = "judiciary", _("Judiciary")
    ASYLUM_DUBLIN_UNIT = "asylum_dublin_unit", _("Asylum / Dublin unit")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    # Never a party to an agreement; exists so the firewall can name and refuse it.
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", _("Immigration enforcement")


class Purpose(models.TextChoices):
    CHILD_PROTECTION = "child_protection", _("Child protection")
    LOCATE_MISSING_CHILD = "locate_missing_child", _("Locate a missing child")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    BEST_INTERESTS_ASSESSMENT = "best_interests_assessment", _("Best-interests assessment")
    CARE_CONTINUITY = "care_continuity", _("Care continuity")
    TRAFFICKING_INVESTIGATION = "trafficking_investigation", _("Trafficking investigation")
    STATISTICS = "statistics", _("Statistics (aggregates only)")
    AUDIT = "audit", _("Audit")
    # Always refused, by the firewall.
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", _("Immigration enforcement")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    PHYSICAL_DESCRIPTION = "physical_description", _("Physical description")
    PHOTO = "photo", _("Photo")
    CONTACT_LOCATION = "contact_location", _("Contact and location")
    FAMILY = "family", _("Family")
    LEGAL_STATUS = "legal_status", _("Legal status")
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    TRAFFICKING_INDICATORS = "trafficking_indicators", _("Trafficking indicators")
    DISCLOSURE = "disclosure", _("Disclosure")
    CASE_NOTES = "case_notes", _("Case notes")
    GUARDIAN = "guardian", _("Guardian")
    EDUCATION = "education", _("Education")


# GDPR Art. 9 / Art. 10 special categories (plus case notes): encrypted at rest.
SPECIAL_CATEGORIES = frozenset(
    {
        DataCategory.HEALTH,
        DataCategory.PSYCHOSOCIAL,
        DataCategory.TRAFFICKING_INDICATORS,
        DataCategory.DISCLOSURE,
        DataCategory.CASE_NOTES,
    }
)


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    YEAR_MONTH = "year_month", _("Year and month")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated (age assessment)")


class IdentifierScheme(models.TextChoices):
    UNHCR = "unhcr", _("UNHCR registration")
    NATIONAL = "national", _("National reference")
    SIS = "sis", _("SIS alert reference")
    EURODAC = "eurodac", _("Eurodac reference")
    OTHER = "other", _("Other")


class ContextSource(models.TextChoices):
    """What gives another organisation a need to know about one child (docs/firewall.md): a
    conversation between the two organisations about that child, or an accepted match."""

    REFERRAL = "referral", _("Referral")
    TRANSFER = "transfer", _("Case transfer")
    INFO_REQUEST = "info_request", _("Information request")
    MISSING_ALERT = "missing_alert", _("Missing-child alert")
    MATCH = "match", _("Accepted match")
    # A police alert requested from a police unit about the missing child (waymark.police).
    POLICE_ALERT = "police_alert", _("Police alert")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MISSING = "missing", _("Missing")
    FOUND = "found", _("Found")
    TRANSFERRED = "transferred", _("Transferred")
    CLOSED = "closed", _("Closed")


class MissingCategory(models.TextChoices):
    """The categories used by the 116 000 missing-children hotlines."""

    RUNAWAY = "runaway", _("Runaway")
    PARENTAL_ABDUCTION_NATIONAL = "parental_abduction_national", _("Parental abduction (national)")
    PARENTAL_ABDUCTION_INTERNATIONAL = (
        "parental_abduction_international",
        _("Parental abduction (international)"),
    )
    CRIMINAL_ABDUCTION = "criminal_abduction", _("Criminal (third-party) abduction")
    UNACCOMPANIED_MIGRANT = "unaccompanied_migrant", _("Missing unaccompanied migrant child")
    LOST_INJURED_OTHER = "lost_injured_other", _("Lost, injured or otherwise missing")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class EventType(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    INTERVIEW = "interview", _("Interview")
    GUARDIAN_APPOINTED = "guardian_appointed", _("Guardian appointed")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    DISAPPEARANCE = "disappearance", _("Disappearance")
    SIGHTING = "sighting", _("Sighting")
    FOUND = "found", _("Found")
    REFERRAL = "referral", _("Referral")
    TRANSFER = "transfer", _("Transfer")
    HEALTH = "health", _("Health")
    NOTE = "note", _("Note")


class EventSource(models.TextChoices):
    STAFF = "staff", _("Staff observation")
    CHILD = "child", _("The child")
    FAMILY = "family", _("Family member")
    PARTNER = "partner", _("Partner organisation")
    HOTLINE = "hotline", _("Hotline call")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other")


class AgreementStatus(models.TextChoices):
    """Life of a cooperation agreement; only ``active`` (and in date) opens anything."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class ErasureBasis(models.TextChoices):
    """Why a child's record is erased: GDPR Art. 17(1) (a)–(e), or the end of its retention
    period (Art. 5(1)(e)). Chosen by the DPO on the erasure page and sent in erasure notices."""

    NO_LONGER_NECESSARY = (
        "no_longer_necessary",
        _("No longer necessary for the purposes it was collected for (GDPR Art. 17(1)(a))"),
    )
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn, and no other legal ground (Art. 17(1)(b))")
    OBJECTION = "objection", _("Objection upheld, no overriding legitimate grounds (Art. 17(1)(c))")
    UNLAWFUL_PROCESSING = "unlawful_processing", _("The data was processed unlawfully (Art. 17(1)(d))")
    LEGAL_OBLIGATION = "legal_obligation", _("Erasure required by law or by a court (Art. 17(1)(e))")
    RETENTION_ENDED = "retention_ended", _("The retention period has ended (Art. 5(1)(e))")


class KeepBasis(models.TextChoices):
    """Why an organisation keeps a child's record it is now responsible for (a transferred case)
    when the organisation that sent it erases the child: GDPR Art. 17(3)."""

    LEGAL_OBLIGATION = (
        "legal_obligation",
        _(
            "A legal obligation or a task in the public interest, such as child-protection law (Art. 17(3)(b))"
        ),
    )
    LEGAL_CLAIMS = "legal_claims", _("Establishing, exercising or defending legal claims (Art. 17(3)(e))")


class PolicyAction(models.TextChoices):
    """What a user does with a category of a child's data; the Cedar actions of the same name."""

    READ = "read", _("Read")
    UPDATE = "update", _("Update")


class TokenScope(models.TextChoices):
    """What an API token may do: read only, or read and write (a write answers with what it
    wrote, so writing implies reading)."""

    READ = "read", _("Read")
    READ_WRITE = "read_write", _("Read and write")


class AuditKind(models.TextChoices):
    """What an audit log entry records (waymark.audit)."""

    ACCESS_DECISION = "access_decision", _("Access decision")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    KEY_DELETION = "key_deletion", _("Key deletion")
    ERASURE = "erasure", _("Erasure")
    BREAK_GLASS = "break_glass", _("Emergency access (break-glass)")
    ENVELOPE_SENT = "envelope_sent", _("Envelope sent")
    ENVELOPE_RECEIVED = "envelope_received", _("Envelope received")
    RECEIPT = "receipt", _("Receipt")
    AGREEMENT_CHANGE = "agreement_change", _("Agreement change")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    # A search showed "a possible match is held by <organisation>" (no child data).
    DISCOVERY = "discovery", _("Possible match shown")
    # A candidate pair of records proposed for review, or a person's decision on one.
    MATCH_REVIEW = "match_review", _("Match review")
    OTHER = "other", _("Other")


class MatchStatus(models.TextChoices):
    """A person's decision on a candidate pair of records (waymark.matching); nothing is linked
    without one."""

    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Same child")
    REJECTED = "rejected", _("Not the same child")
    UNSURE = "unsure", _("Unsure")


class AuditDecision(models.TextChoices):
    """The outcome an audit entry records; empty for events that are not decisions (a login)."""

    ALLOW = "allow", _("Allowed")
    DENY = "deny", _("Refused")


class MissingTrigger(models.TextChoices):
    """What happened shortly before a child went missing (a disappearance report's checklist)."""

    REFUSED_TRANSFER = "refused_transfer", _("A transfer was refused or announced")
    DUBLIN_DELAY = "dublin_delay", _("A Dublin or family-reunion delay")
    NEW_FRIEND = "new_friend", _('A new "friend" or contact')
    UNKNOWN_CALL = "unknown_call", _("A call from an unknown number")
    OTHER = "other", _("Other")


class DisappearanceOutcome(models.TextChoices):
    """How an open disappearance ended (the found report itself is the exchange's)."""

    FOUND = "found", _("Found")
    RETURNED = "returned", _("Came back by themselves")
    WITHDRAWN = "withdrawn", _("Report withdrawn (made in error)")


class PoliceAlertKind(models.TextChoices):
    """A police alert on a missing child (waymark/core/police.py is the table they follow)."""

    SIS_MISSING_MINOR = "sis_missing_minor", _("SIS alert on a missing child (Reg. 2018/1862 Art. 32)")
    INTERPOL_YELLOW = "interpol_yellow", _("Interpol yellow notice (request)")
    NATIONAL_REPORT = "national_report", _("National police report")


class PoliceAlertState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    HIT = "hit", _("Hit")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SisCategory(models.TextChoices):
    """The SIS alert categories for missing persons that concern a child (Reg. (EU) 2018/1862
    Art. 32(1)); the police choose, the care side proposes."""

    PROTECTION = "protection", _("Missing child to be placed under protection")
    NO_PROTECTION = "no_protection", _("Missing child not to be placed under protection")
    PARENTAL_ABDUCTION = "parental_abduction", _("Child at risk of abduction by a parent")
    PREVENT_TRAVEL = (
        "prevent_travel",
        _("Child to be prevented from travelling (trafficking, forced marriage, ...)"),
    )


class SireneDirection(models.TextChoices):
    """Who asks in a SIRENE-style request: the police ask the care side, or the other way."""

    FROM_POLICE = "from_police", _("From the police")
    TO_POLICE = "to_police", _("To the police")


class AccountOrigin(models.TextChoices):
    """Where a child's account (cases.ChildAccount) comes from: told here, or received from a
    partner under an agreement (tellonce)."""

    RECORDED = "recorded", _("Recorded here")
    RECEIVED = "received", _("Received from a partner")


class CallerRelationship(models.TextChoices):
    """Who rings a 116 000 hotline about a child (waymark.hotline): the caller's relationship."""

    PARENT = "parent", _("Parent")
    FAMILY = "family", _("Other family member")
    FRIEND = "friend", _("Friend")
    THE_CHILD = "the_child", _("The child themselves")
    PROFESSIONAL = "professional", _("Professional (shelter, school, social worker)")
    PUBLIC = "public", _("Member of the public")
    UNKNOWN = "unknown", _("Would not say")


class CallOutcome(models.TextChoices):
    """What a hotline operator did with a call (waymark.hotline): one action each."""

    ATTACHED = "attached", _("Added to a case")
    PASSED = "passed", _("Passed to the organisation holding a possible match")
    SIGHTING_SENT = "sighting_sent", _("Passed as a sighting in an alert from another country")
    NEW_CASE = "new_case", _("New case opened")
