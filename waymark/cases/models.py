"""The case record: a child across names and scripts, their case, timeline, care plan, consent.

Every field that holds data about a child carries a data category (``FIELD_CATEGORIES``), so
the firewall can decide and redact field by field. Rows are written only by ``actions.py``.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.audit.service import Subject
from waymark.core.clocks import CARE_PLAN_REVIEW, Clock, day_deadline
from waymark.core.guardianship import appointment_clock
from waymark.vault.sealed import reveal, sealed_field
from waymark.vocab import (
    SPECIAL_CATEGORIES,
    AccountOrigin,
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    IdentifierScheme,
    MissingCategory,
    Purpose,
    RiskLevel,
    Sex,
)

C = DataCategory


# Sealed columns (waymark/vault/README.md): special categories are stored sealed per child and
# written only by actions.py. The ``*_text`` properties below are the one way to read them.


class Child(models.Model):
    """One child, as this node knows them. Names live in ``ChildName`` (primary and aliases)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="children")
    # The primary name as the child gave it, in any script, and its Latin transliteration.
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    name_latin = models.CharField(_("name in Latin script"), max_length=400, blank=True)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("date of birth precision"),
        max_length=16,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    # An age assessment gives a range in years; required when the precision is "estimated".
    assessed_age_min = models.PositiveSmallIntegerField(_("assessed age from"), null=True, blank=True)
    assessed_age_max = models.PositiveSmallIntegerField(_("assessed age to"), null=True, blank=True)
    assessed_on = models.DateField(_("age assessed on"), null=True, blank=True)
    nationality = models.CharField(_("nationality claimed"), max_length=2, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # The photo cleaned of its metadata and sealed under the child's key (``photos.py``): the
    # file holds ciphertext, served only by the photo view. A FileField: it is no image at rest.
    photo = models.FileField(_("photo"), upload_to="photos/%Y/", null=True, blank=True)
    is_fictional = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    FIELD_CATEGORIES = {
        "given_names": C.IDENTITY,
        "family_name": C.IDENTITY,
        "name_latin": C.IDENTITY,
        "sex": C.IDENTITY,
        "birth_date": C.IDENTITY,
        "birth_date_precision": C.IDENTITY,
        "assessed_age_min": C.IDENTITY,
        "assessed_age_max": C.IDENTITY,
        "assessed_on": C.IDENTITY,
        "nationality": C.LEGAL_STATUS,
        "languages": C.IDENTITY,
        "photo": C.PHOTO,
    }

    class Meta:
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.full_name or str(self.public_id)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.family_name) if p)

    @property
    def audit_subject(self) -> Subject:
        """How the audit log names this child: by public id (stored as a pseudonym)."""
        return Subject(child_public_id=self.public_id)

    def birth_year_range(self, today: date | None = None) -> tuple[int, int] | None:
        """Possible birth years; an estimated date compares as a range, never as a date."""
        if self.birth_date_precision == DatePrecision.ESTIMATED:
            if self.assessed_age_min is None or self.assessed_age_max is None:
                return None
            ref = self.assessed_on or today or timezone.localdate()
            return (ref.year - self.assessed_age_max - 1, ref.year - self.assessed_age_min)
        if self.birth_date is None:
            return None
        return (self.birth_date.year, self.birth_date.year)


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("Name as given")
    ALIAS = "alias", _("Alias")
    TRANSLITERATION = "transliteration", _("Other spelling")


class ChildName(models.Model):
    """A name the child is known by: the primary name, aliases, other spellings — who said so."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=16, choices=NameKind.choices)
    full_name = models.CharField(_("name"), max_length=400)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_org = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("where or to whom this name was given"), max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    FIELD_CATEGORIES = {"full_name": C.IDENTITY, "note": C.IDENTITY}

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.full_name


class NameKey(models.Model):
    """Search keys of one name token: its Latin form and consonant skeleton (core.names)."""

    # (child, skeleton) below serves lookups by child too: no separate FK index.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_keys", db_index=False)
    name = models.ForeignKey(ChildName, on_delete=models.CASCADE, related_name="keys")
    latin = models.CharField(max_length=100)
    skeleton = models.CharField(max_length=100)

    class Meta:
        # Search asks "does this child have a key starting with 'mhmd'?" (EXISTS per case) and
        # "which children have one?" (semi-join): one index for each direction, both able to
        # answer LIKE 'mhmd%' from the index alone. PostgreSQL needs varchar_pattern_ops for
        # that (collations other than C); other databases ignore the operator classes.
        indexes = [
            models.Index(
                fields=["skeleton", "child"],
                name="namekey_skeleton_child",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["child", "skeleton"],
                name="namekey_child_skeleton",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.skeleton


class MatchKey(models.Model):
    """A retrieval key of one name (``core.names.match_keys``: skeleton, one-deletion and phonetic
    keys), for ranked search: the search looks keys up, then scores the few children found."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="match_keys", db_index=False)
    name = models.ForeignKey(ChildName, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=64)
    version = models.PositiveSmallIntegerField()  # core.names.NAMES_VERSION that made it

    class Meta:
        indexes = [
            models.Index(fields=["key", "child"], name="matchkey_key_child"),
            models.Index(fields=["child", "key"], name="matchkey_child_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Identifier(models.Model):
    """A reference number another system gave the child (kept as plain text)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=16, choices=IdentifierScheme.choices)
    value = models.CharField(_("reference"), max_length=100)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)

    FIELD_CATEGORIES = {"value": C.LEGAL_STATUS, "issued_by": C.LEGAL_STATUS}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "scheme", "value"], name="identifier_unique")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class Case(models.Model):
    """A child's case at one organisation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("case reference"), max_length=32, unique=True, blank=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    missing_category = models.CharField(
        _("missing-child category"), max_length=40, choices=MissingCategory.choices, blank=True
    )
    unaccompanied = models.BooleanField(_("unaccompanied"), default=True)
    separated = models.BooleanField(_("separated"), default=False)
    risk_level = models.CharField(
        _("risk level"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    risk_reasons = models.TextField(_("risk reasons"), blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_assigned",
        verbose_name=_("caseworker"),
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_guarded",
        verbose_name=_("guardian"),
    )
    # When the current guardian was appointed (recorded), and when an overdue appointment was
    # escalated to the supervisors: the guardian-appointment clock (``guardian_clock``).
    guardian_appointed_at = models.DateTimeField(_("guardian appointed"), null=True, blank=True)
    guardian_escalated_at = models.DateTimeField(_("guardian appointment escalated"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("last activity"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # A copy kept after the case moved to another organisation (transfer): read-only, and
    # deleted once retention ends (WAYMARK_TRANSFERRED_COPY_RETENTION_DAYS).
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    is_fictional = models.BooleanField(default=False)

    FIELD_CATEGORIES = {
        "status": C.CASE_NOTES,
        "missing_category": C.CASE_NOTES,
        "unaccompanied": C.FAMILY,
        "separated": C.FAMILY,
        "risk_level": C.CASE_NOTES,
        "risk_reasons": C.CASE_NOTES,
        "caseworker": C.CASE_NOTES,
        "guardian": C.GUARDIAN,
        "guardian_appointed_at": C.GUARDIAN,
        "guardian_escalated_at": C.GUARDIAN,
    }

    class Meta:
        indexes = [
            models.Index(fields=["-updated_at", "id"]),
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["organisation", "-updated_at"]),
            models.Index(fields=["risk_level", "-updated_at"]),
            models.Index(fields=["missing_category", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.public_id)

    @property
    def audit_subject(self) -> Subject:
        """How the audit log names this case: its child's public id and the case reference."""
        return Subject(
            child_public_id=self.child.public_id, case_reference=self.reference or str(self.public_id)
        )

    @property
    def risk_reasons_text(self) -> str:
        return reveal(self.child, sealed_field(Case, "risk_reasons"), self.risk_reasons)

    @property
    def guardian_clock(self) -> Clock | None:
        """From the child's registration as unaccompanied (the case's opening) to a guardian's
        appointment, within the limit of the organisation's country (core/guardianship.py).
        None for an accompanied child, or a guardian recorded without an appointment time."""
        if not self.unaccompanied or (self.guardian_id is not None and self.guardian_appointed_at is None):
            return None
        return appointment_clock(
            self.opened_at,
            self.organisation.country,
            timezone.get_current_timezone(),
            appointed_at=self.guardian_appointed_at if self.guardian_id is not None else None,
        )


class Event(models.Model):
    """One entry on a case's timeline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_org = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(
        _("source"), max_length=16, choices=EventSource.choices, default=EventSource.STAFF
    )
    # The data category of what the event says (summary and details).
    category = models.CharField(_("data category"), max_length=32, choices=DataCategory.choices)
    # Sealed when ``category`` is special, so longer than the 300 characters the schema allows.
    summary = models.TextField(_("summary"))
    details = models.TextField(_("details"), blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)

    FIELD_CATEGORIES = {"location": C.CONTACT_LOCATION}  # summary/details: self.category

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at"])]

    def __str__(self) -> str:
        # Never the sealed text (nor a vault lookup) in a repr or a log line.
        return f"{self.get_type_display()} ({self.public_id})"

    @property
    def is_special(self) -> bool:
        """What the event says is a special category: its summary and details are sealed."""
        return self.category in SPECIAL_CATEGORIES

    @property
    def summary_text(self) -> str:
        """Reads ``case.child``: select_related it (or read events through ``case.events``).
        Only a special category's text is sealed; anything else is the column as it is."""
        if not self.is_special:
            return self.summary
        return reveal(self.case.child, sealed_field(Event, "summary"), self.summary)

    @property
    def details_text(self) -> str:
        if not self.is_special:
            return self.details
        return reveal(self.case.child, sealed_field(Event, "details"), self.details)


class CarePlan(models.Model):
    """What the child needs, what we aim for, who does what, and when we look again."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="care_plan")
    needs = models.TextField(_("needs"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    services = models.TextField(_("services"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    FIELD_CATEGORIES = {
        "needs": C.CASE_NOTES,
        "objectives": C.CASE_NOTES,
        "services": C.CASE_NOTES,
        "responsible": C.CASE_NOTES,
        "review_date": C.CASE_NOTES,
    }

    class Meta:
        indexes = [models.Index(fields=["review_date"])]

    def __str__(self) -> str:
        return f"Care plan of {self.case_id}"

    @property
    def needs_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlan, "needs"), self.needs)

    @property
    def objectives_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlan, "objectives"), self.objectives)

    @property
    def services_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlan, "services"), self.services)

    @property
    def review_clock(self) -> Clock | None:
        """The review date as a clock, set when the plan was last saved: overdue once the day
        has ended in the current time zone (the dashboard's ``review_date < today``)."""
        if self.review_date is None:
            return None
        due = day_deadline(self.review_date, timezone.get_current_timezone())
        return CARE_PLAN_REVIEW.until(due, started_at=self.updated_at)


class CarePlanVersion(models.Model):
    """One saved state of a care plan, kept when it is replaced: the plan's history. Case notes,
    sealed like the plan; read only through the case's access (``access_case``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_plan_versions")
    needs = models.TextField(_("needs"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    services = models.TextField(_("services"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    FIELD_CATEGORIES = CarePlan.FIELD_CATEGORIES

    class Meta:
        ordering = ["-saved_at", "-id"]
        indexes = [models.Index(fields=["case", "-saved_at"])]

    def __str__(self) -> str:
        return f"Care plan of {self.case_id} as saved at {self.saved_at:%Y-%m-%d %H:%M}"

    @property
    def needs_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlanVersion, "needs"), self.needs)

    @property
    def objectives_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlanVersion, "objectives"), self.objectives)

    @property
    def services_text(self) -> str:
        return reveal(self.case.child, sealed_field(CarePlanVersion, "services"), self.services)


class Consent(models.Model):
    """The child's consent to share: per recipient, purpose and categories, for a period."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    # A recipient may sit on another node: it is named by its federation identifier.
    recipient_org = models.CharField(_("recipient organisation (identifier)"), max_length=64)
    recipient_name = models.CharField(_("recipient organisation"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    categories = models.JSONField(_("data categories"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    childs_views = models.TextField(_("the child's views"), blank=True)
    given_by = models.CharField(_("given by"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    FIELD_CATEGORIES = {"childs_views": C.CASE_NOTES}

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Consent to {self.recipient_org} for {self.purpose}"

    @property
    def childs_views_text(self) -> str:
        return reveal(self.case.child, sealed_field(Consent, "childs_views"), self.childs_views)


class ChildAccount(models.Model):
    """The child's own account from an interview (category disclosure), recorded once so that the
    next professionals — here or in the next country — read it instead of interviewing the child
    again. Recorded here (resting on one of the case's consents, for a purpose), or received from
    a partner under an agreement with its provenance. Never edited: a correction is a new version
    (``supersedes``) and the earlier one is kept. Written only by ``cases/accounts.py``; the
    account and the interpreter's notes are sealed under the child's key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accounts")
    # One account across its versions and the nodes it travelled to.
    lineage = models.UUIDField(_("account"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="corrected_by"
    )
    correction_note = models.TextField(_("why it was corrected"), blank=True)  # sealed
    origin = models.CharField(_("origin"), max_length=16, choices=AccountOrigin.choices)
    # Who heard it: the interviewer, their organisation and its country, and when.
    interviewed_at = models.DateTimeField(_("interviewed"))
    interviewer_name = models.CharField(_("interviewer"), max_length=200)
    told_to_org = models.CharField(_("told to (organisation identifier)"), max_length=64)
    told_to_org_name = models.CharField(_("told to"), max_length=200)
    told_to_country = models.CharField(_("country"), max_length=2)
    language = models.CharField(_("language of the interview"), max_length=20)
    interpreter = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(_("interpreter's language"), max_length=20, blank=True)
    words = models.TextField(_("the account, in the child's own words"))  # sealed
    summary = models.TextField(_("summary"))  # sealed
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    # The consent recorded here that it rests on; a received account names the sender's in words.
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts"
    )
    consent_basis = models.CharField(_("consent"), max_length=400, blank=True)
    # The version as first recorded, wherever that was: its id and date travel with every copy.
    original_id = models.UUIDField(_("original account"))
    original_recorded_at = models.DateTimeField(_("originally recorded"))
    # Provenance of a received copy: from which organisation, on which node, in which conversation.
    received_from_org = models.CharField(max_length=64, blank=True)
    received_from_org_name = models.CharField(_("received from"), max_length=200, blank=True)
    received_from_node = models.CharField(max_length=64, blank=True)
    received_via = models.CharField(max_length=32, blank=True)  # the thread kind: referral, transfer, …
    received_thread = models.UUIDField(null=True, blank=True)
    received_conversation = models.CharField(max_length=128, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    CATEGORY = C.DISCLOSURE
    # Every field says something about what the child disclosed, and to whom.
    FIELD_CATEGORIES = dict.fromkeys(
        (
            "interviewed_at",
            "interviewer_name",
            "told_to_org_name",
            "language",
            "interpreter",
            "interpreter_language",
            "words",
            "summary",
            "correction_note",
        ),
        C.DISCLOSURE,
    )

    class Meta:
        ordering = ["-interviewed_at", "-version", "-id"]
        indexes = [models.Index(fields=["case", "lineage"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "original_id"], name="child_account_once_per_case")
        ]

    def __str__(self) -> str:
        # Never the sealed text in a repr or a log line.
        return f"Child's account {self.public_id} (version {self.version})"

    @property
    def is_current(self) -> bool:
        """No later version corrects it (read ``corrected_by`` through select_related)."""
        try:
            return self.corrected_by is None
        except ChildAccount.DoesNotExist:
            return True

    @property
    def words_text(self) -> str:
        return reveal(self.case.child, sealed_field(ChildAccount, "words"), self.words)

    @property
    def summary_text(self) -> str:
        return reveal(self.case.child, sealed_field(ChildAccount, "summary"), self.summary)

    @property
    def correction_note_text(self) -> str:
        return reveal(self.case.child, sealed_field(ChildAccount, "correction_note"), self.correction_note)
