"""Protection that follows the child: age assessments (each kept, never overwritten by a later
one, with its challenges and their outcomes), Dublin III / AMMR take-charge requests and
best-interests assessments and determinations (BIA / BID)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case, Child
from waymark.core import namematch
from waymark.core import names as name_prep
from waymark.core.clocks import BEST_INTERESTS_REVIEW, Clock, day_deadline
from waymark.core.deadlines import Deadline, Period, Schedule, Step, TakeCharge, load_rules, schedule
from waymark.core.public_holidays import national_holidays
from waymark.vault.sealed import sealed_json, sealed_text
from waymark.vocab import DataCategory

ADULTHOOD = Decimal(18)
# The deadline rules, loaded (and validated whole) once at start-up.
RULES = load_rules()
# The holiday calendars a procedure needs: each year of an event that starts a period, and the
# years after it up to the longest period (36 months after absconding, AMMR Art. 46(2)).
HOLIDAY_YEARS = 4
EVENT_FIELDS = (
    "registered_at",
    "hit_at",
    "request_sent_at",
    "request_received_at",
    "replied_at",
    "appeal_decided_at",
    "transfer_decision_at",
)


class AgeAssessmentMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    INTERVIEW = "interview", _("Interview")
    # Only with the child's (and guardian's) informed consent: refused without it.
    MEDICAL_EXAMINATION = "medical_examination", _("Medical examination")


class ChallengeOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: the assessment is set aside")
    REJECTED = "rejected", _("Rejected: the assessment stands")


class AgeAssessment(models.Model):
    """One age assessment, as done by one organisation in one country. A later assessment is a
    new row: both are kept and the page shows the difference."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_assessments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    country = models.CharField(_("country"), max_length=2)
    methods = models.JSONField(_("methods"), default=list)
    medical_consent = models.BooleanField(_("consent to a medical examination"), default=False)
    assessors = models.CharField(_("assessors"), max_length=300)
    assessed_on = models.DateField(_("assessed on"))
    age_min = models.DecimalField(_("age, lower bound (years)"), max_digits=4, decimal_places=1)
    age_max = models.DecimalField(_("age, upper bound (years)"), max_digits=4, decimal_places=1)
    margin = models.DecimalField(
        _("margin of error (years)"), max_digits=3, decimal_places=1, default=Decimal(0)
    )
    child_informed = models.BooleanField(_("the child was informed of the result"), default=False)
    informed_language = models.CharField(_("language the child was informed in"), max_length=16, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.age_min}–{self.age_max} ({self.public_id})"

    @property
    def governing_age(self) -> Decimal:
        """The benefit of the doubt: the lower bound less the margin of error governs every
        'is this a child' decision (never below zero)."""
        return max(Decimal(0), self.age_min - self.margin)

    @property
    def is_child(self) -> bool:
        return self.governing_age < ADULTHOOD

    @property
    def set_aside(self) -> bool:
        return any(c.outcome == ChallengeOutcome.UPHELD for c in self.challenges.all())


class AgeAssessmentChallenge(models.Model):
    """The child (or guardian) challenges an assessment; the outcome is recorded when decided."""

    assessment = models.ForeignKey(AgeAssessment, on_delete=models.CASCADE, related_name="challenges")
    lodged_on = models.DateField(_("lodged on"))
    grounds = models.TextField(_("grounds"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ChallengeOutcome.choices, default=ChallengeOutcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["lodged_on", "id"]

    def __str__(self) -> str:
        return f"challenge {self.pk} ({self.outcome})"


class TransferExtension(models.TextChoices):
    IMPRISONMENT = "imprisonment", _("Imprisonment")
    ABSCONDING = "absconding", _("Absconding")


class TakeChargeWarning(models.TextChoices):
    """Why a take-charge request was recorded with a warning (recorded all the same)."""

    NO_BEST_INTERESTS = (
        "no_best_interests",
        _(
            "No approved best-interests assessment: the child's best interests are a primary "
            "consideration in every Dublin procedure (Dublin III Art. 6(1); AMMR Art. 23(1)). "
            "Record one and link it to this request."
        ),
    )
    BEST_INTERESTS_NOT_APPROVED = (
        "best_interests_not_approved",
        _("The best-interests determination this request rests on is waiting for a supervisor's approval."),
    )


class TakeChargeDirection(models.TextChoices):
    # Made here, about a case of this organisation (the requesting State).
    OUTGOING = "outgoing", _("Made by us")
    # Received from another node's Dublin unit (this organisation is the requested State): no
    # case here; the child's identity and the BIA's Dublin cut stay sealed in the conversation.
    INCOMING = "incoming", _("Made to us")


class TakeChargeRequest(models.Model):
    """A Dublin III / AMMR take-charge request for a child's family reunion (Dublin III Art. 8;
    AMMR Arts. 25-28): the dates that start its periods. Its deadlines are computed, never
    stored (``schedule``), by the engine in ``waymark/core/deadlines.py``.

    Made here (``OUTGOING``) it belongs to a case; received from another node's Dublin unit
    (``INCOMING``) it belongs to ``organisation``, the requested State's unit, and has no case:
    the same engine counts the reply period from ``request_received_at``, its receipt here. The
    conversation that carried it (``exchange.threads.take_charge``) names it by ``public_id``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=TakeChargeDirection.choices,
        default=TakeChargeDirection.OUTGOING,
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="take_charge_requests"
    )
    # An incoming request: the requested unit here that holds it, and the requesting side.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requesting_country = models.CharField(_("requesting Member State"), max_length=2, blank=True)
    requesting_org_name = models.CharField(_("requested by"), max_length=200, blank=True)
    # The conversation that carries the request to (or from) the requested State: the exchange
    # thread's public id (no foreign key: the exchange sits above this app).
    conversation = models.UUIDField(_("conversation"), null=True, blank=True)
    requested_country = models.CharField(_("requested Member State"), max_length=2)
    basis = models.CharField(_("legal basis"), max_length=40, default="Art. 8")
    registered_at = models.DateTimeField(_("application registered (lodged)"))
    hit_at = models.DateTimeField(_("Eurodac/VIS hit received"), null=True, blank=True)
    request_sent_at = models.DateTimeField(_("request sent"), null=True, blank=True)
    request_received_at = models.DateTimeField(_("request received"), null=True, blank=True)
    urgent_reply_days = models.PositiveSmallIntegerField(
        _("urgent reply asked within (days)"), null=True, blank=True
    )
    replied_at = models.DateTimeField(_("reply received"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(
        _("final decision on a suspensive appeal"), null=True, blank=True
    )
    transfer_decision_at = models.DateTimeField(_("transfer decision"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)
    extension = models.CharField(
        _("transfer period extended for"), max_length=16, choices=TransferExtension.choices, blank=True
    )
    # The best-interests assessment the request rests on (issue 13 item 6): a request without a
    # standing one is recorded with a warning, never refused (``actions.take_charge_warnings``).
    best_interests = models.ForeignKey(
        "BestInterests",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="take_charge_requests",
        verbose_name=_("best-interests assessment"),
    )
    # The family-tracing result the request rests on: the child's relative whose family link
    # tracing confirmed (a tracing conversation's result sets the relative's status of contact;
    # ``actions.do_confirm_family_link`` confirms the link). Only a confirmed relative of the same
    # case (``actions.check_take_charge``).
    relative = models.ForeignKey(
        "Relative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="take_charge_requests",
        verbose_name=_("family-tracing result (the confirmed relative)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="take_charge_outgoing_has_case_incoming_has_org",
                condition=(models.Q(direction="outgoing", case__isnull=False))
                | (models.Q(direction="incoming", case__isnull=True, organisation__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return f"take charge → {self.requested_country} ({self.public_id})"

    @property
    def incoming(self) -> bool:
        return self.direction == TakeChargeDirection.INCOMING

    @property
    def requesting_state(self) -> str:
        """The requesting Member State: the case's organisation's country, or the sender's."""
        if self.case is not None:
            return str(self.case.organisation.country)
        return self.requesting_country

    def reply_deadline(self, now: dt.datetime | None = None) -> Deadline | None:
        """The first reply deadline of the procedure (an urgent reply's if one was asked), once
        the request is sent; None before."""
        plan = self.schedule(now)
        for step in (Step.URGENT_REPLY, Step.REPLY_AFTER_HIT, Step.REPLY):
            found = plan.step(step)
            if found is not None:
                return found
        return None

    def warnings(self) -> list[TakeChargeWarning]:
        """What is wrong with the request as recorded, without making it invalid: no standing
        best-interests assessment behind it."""
        if self.best_interests is None:
            return [TakeChargeWarning.NO_BEST_INTERESTS]
        if not self.best_interests.standing:
            return [TakeChargeWarning.BEST_INTERESTS_NOT_APPROVED]
        return []

    def facts(self) -> TakeCharge:
        return TakeCharge(
            registered_at=self.registered_at,
            hit_at=self.hit_at,
            request_sent_at=self.request_sent_at,
            request_received_at=self.request_received_at,
            urgent_reply=Period(self.urgent_reply_days, "day") if self.urgent_reply_days else None,
            replied_at=self.replied_at,
            accepted=self.accepted,
            appeal_decided_at=self.appeal_decided_at,
            transfer_decision_at=self.transfer_decision_at,
            transferred_at=self.transferred_at,
            extension=self.extension or None,
        )

    def schedule(self, now: dt.datetime | None = None) -> Schedule:
        """The procedure's deadlines as at ``now``, in the node's time zone, with the national
        public holidays of the requesting State (the case's organisation's country) and of the
        requested State (``core.public_holidays``; docs/deadlines.md)."""
        now = now or timezone.now()
        events = [getattr(self, name) for name in EVENT_FIELDS]
        years = sorted({d.year + k for d in events if d is not None for k in range(HOLIDAY_YEARS)})
        return schedule(
            self.facts(),
            RULES,
            timezone.get_current_timezone(),
            now=now,
            requesting_holidays=national_holidays(self.requesting_state, years),
            requested_holidays=national_holidays(self.requested_country, years),
        )


# ---------------------------------------------------------------------------------------------
# Best-interests assessment and determination (UNHCR, Guidelines on Assessing and Determining
# the Best Interests of the Child, 2018; docs/continuity.md)


class BestInterestsKind(models.TextChoices):
    ASSESSMENT = "assessment", _("Best-interests assessment (BIA)")
    DETERMINATION = "determination", _("Best-interests determination (BID)")


class DurableSolution(models.TextChoices):
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification in another country")
    # Only a determination — a panel's, approved by a supervisor — may recommend a return.
    RETURN = "return", _("Return (only with a determination)")


class BestInterestsStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")  # an assessment: no approval step
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for a supervisor's approval")
    APPROVED = "approved", _("Approved by a supervisor")


class BestInterests(models.Model):
    """One best-interests assessment or determination on a case. Each section carries the data
    category of what it says (``SECTION_CATEGORIES``), so a reader sees only the sections the
    policy opens to them — a Dublin officer its recommendation, family and legal status, never
    the child's views, health or the safety notes. The sections are sealed under the child's
    key. Written only by ``actions.py``; never edited: a later assessment is a new row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="best_interests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=BestInterestsKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=BestInterestsStatus.choices)
    # The sections (sealed).
    safety_sealed = models.TextField(blank=True)
    family_sealed = models.TextField(blank=True)
    child_views_sealed = models.TextField(blank=True)
    health_sealed = models.TextField(blank=True)
    education_sealed = models.TextField(blank=True)
    identity_culture_sealed = models.TextField(blank=True)
    legal_status_sealed = models.TextField(blank=True)
    options_sealed = models.TextField(blank=True)
    recommendation_reason_sealed = models.TextField(blank=True)
    guardian_views_sealed = models.TextField(blank=True)
    panel_sealed = models.TextField(blank=True)
    safety = sealed_text("safety")
    family = sealed_text("family")
    child_views = sealed_text("child_views")  # in the child's own words
    health = sealed_text("health")
    education = sealed_text("education")
    identity_culture = sealed_text("identity_culture")
    legal_status = sealed_text("legal_status")
    options = sealed_text("options")  # the options considered
    recommendation_reason = sealed_text("recommendation_reason")
    guardian_views = sealed_text("guardian_views")
    panel = sealed_json("panel", list)  # [{"name", "discipline"}]
    # Plain columns: what the record is and what it recommends.
    child_views_language = models.CharField(_("language of the child's views"), max_length=16)
    guardian_consulted = models.BooleanField(_("the guardian was consulted"), default=False)
    recommendation = models.CharField(
        _("durable solution recommended"), max_length=24, choices=DurableSolution.choices
    )
    recommendation_country = models.CharField(_("country of the solution"), max_length=2, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    SECTION_CATEGORIES = {
        "safety": DataCategory.CASE_NOTES,
        "family": DataCategory.FAMILY,
        "child_views": DataCategory.DISCLOSURE,
        "child_views_language": DataCategory.DISCLOSURE,
        "health": DataCategory.HEALTH,
        "education": DataCategory.EDUCATION,
        "identity_culture": DataCategory.PSYCHOSOCIAL,
        "legal_status": DataCategory.LEGAL_STATUS,
        "options": DataCategory.CASE_NOTES,
        "recommendation": DataCategory.LEGAL_STATUS,
        "recommendation_country": DataCategory.LEGAL_STATUS,
        "recommendation_reason": DataCategory.LEGAL_STATUS,
        "review_on": DataCategory.LEGAL_STATUS,
        "guardian_consulted": DataCategory.GUARDIAN,
        "guardian_views": DataCategory.GUARDIAN,
        "panel": DataCategory.CASE_NOTES,
    }
    # What lists a record at all: its kind, status and recommendation are legal status.
    HEADER_CATEGORY = DataCategory.LEGAL_STATUS

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("best-interests assessment")

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    def sealing_key(self) -> Child:
        return self.case.child

    @property
    def approved(self) -> bool:
        return self.status == BestInterestsStatus.APPROVED

    @property
    def standing(self) -> bool:
        """An assessment as recorded, or a determination once a supervisor approved it: what a
        take-charge request may rest on."""
        return self.status in STANDING

    def review_clock(self, reviewed_at: dt.datetime | None = None) -> Clock | None:
        """The clock to the review date (due at the end of that day in the node's time zone),
        met at ``reviewed_at`` — when a later record on the case was made — or None without a
        review date."""
        if self.review_on is None:
            return None
        due = day_deadline(self.review_on, timezone.get_current_timezone())
        clock = BEST_INTERESTS_REVIEW.until(due, started_at=self.recorded_at)
        return clock.met(reviewed_at) if reviewed_at is not None else clock


# What a take-charge request may rest on without a warning.
STANDING = frozenset({BestInterestsStatus.RECORDED, BestInterestsStatus.APPROVED})

# ---------------------------------------------------------------------------------------------
# Family tracing: the child's relatives, the link confirmed only with the child's consent and the
# guardian's agreement, and a reunification plan once it is (docs/continuity.md)


# A relative answers to a name query from this score (as the hotline's look-up does).
NAME_MATCH_MIN = 0.75


class Relationship(models.TextChoices):
    """How a relative is related to the child; the values are the protocol's
    (``core.protocol.messages.Relationship``), so a tracing request names it the same way."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    COUSIN = "cousin", _("Cousin")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other relative")


class ContactStatus(models.TextChoices):
    """Where the search for a relative stands."""

    NOT_TRACED = "not_traced", _("Not traced yet")
    TRACING = "tracing", _("Tracing under way")
    FOUND = "found", _("Found")
    IN_CONTACT = "in_contact", _("In contact")
    NOT_FOUND = "not_found", _("Not found")
    DECEASED = "deceased", _("Deceased")


class FamilyLink(models.TextChoices):
    """Is the relative family, as the child and the records say? ``confirmed`` is set only by
    ``actions.do_confirm_family_link``: with the child's consent to family tracing and the
    guardian's agreement recorded."""

    STATED = "stated", _("Stated, not confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed (disproved)")


class Relative(models.Model):
    """A relative of the child: their name as written (any script) with its Latin form and the
    name forms it is searched under (``core.names``, as a child's names are), the relationship,
    the country, the contact details (sealed), where the search stands, and whether the link is
    confirmed. Data category ``family``. Written only by ``actions.py``."""

    CATEGORY = DataCategory.FAMILY

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relatives")
    full_name = models.CharField(_("name, as written"), max_length=400)
    name_latin = models.CharField(_("name in Latin letters"), max_length=400, blank=True)
    # ``core.names.name_forms`` of the name and its Latin form, and the version that made them.
    name_forms = models.JSONField(default=list)
    names_version = models.PositiveSmallIntegerField(default=0)
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    last_known_place = models.CharField(_("last known place"), max_length=400, blank=True)
    contact_sealed = models.TextField(blank=True)
    contact = sealed_text("contact")  # phone, address, how to reach them
    contact_status = models.CharField(
        _("status of contact"), max_length=16, choices=ContactStatus.choices, default=ContactStatus.NOT_TRACED
    )
    # The relative's own consent to their contact details being shared (the child's consent is
    # not theirs): required before a tracing request sends them; recorded when a tracer's result
    # brings the contact with the relative's agreement.
    contact_consent = models.BooleanField(
        _("the relative agreed to their contact details being shared"), default=False
    )
    contact_consent_on = models.DateField(_("the relative agreed on"), null=True, blank=True)
    link = models.CharField(
        _("family link"), max_length=16, choices=FamilyLink.choices, default=FamilyLink.STATED
    )
    # The guardian's agreement to confirming the link: who (the case's guardian) and when.
    guardian_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guardian_agreed_at = models.DateTimeField(_("guardian agreed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("relative")

    def __str__(self) -> str:
        return f"{self.relationship} {self.public_id}"

    def sealing_key(self) -> Child:
        return self.case.child

    @property
    def confirmed(self) -> bool:
        return self.link == FamilyLink.CONFIRMED

    def answers_to(self, query: str) -> bool:
        """Does ``query`` name this relative, in any script or spelling? The same test as a
        child's name in a search (``core.namematch`` over ``core.names`` forms)."""
        units = name_prep.query_units(query)
        forms = self.name_forms
        if self.names_version != name_prep.NAMES_VERSION or not forms:
            forms = name_prep.name_forms(f"{self.full_name} {self.name_latin}")
        return bool(units) and namematch.score_name(units, forms).score >= NAME_MATCH_MIN


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed: the child is with the family")
    CANCELLED = "cancelled", _("Cancelled")


class ReunificationPlan(models.Model):
    """How the child is to join a confirmed relative: who, where, the steps, and the
    best-interests assessment it rests on, if one exists. Family data; the steps are sealed.
    Written only by ``actions.py``."""

    CATEGORY = DataCategory.FAMILY

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reunification_plans")
    relative = models.ForeignKey(Relative, on_delete=models.PROTECT, related_name="plans")
    country = models.CharField(_("country"), max_length=2)
    place = models.CharField(_("where"), max_length=400, blank=True)
    steps_sealed = models.TextField(blank=True)
    steps = sealed_json("steps", list)  # ["…", "…"], in order
    best_interests = models.ForeignKey(
        BestInterests, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("reunification plan")

    def __str__(self) -> str:
        return f"reunification {self.public_id} ({self.status})"

    def sealing_key(self) -> Child:
        return self.case.child
