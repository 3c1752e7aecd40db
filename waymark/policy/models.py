"""Cooperation agreements as data: parties, validity, lawful basis, commitments, and grants.

An ``Agreement`` opens nothing by itself. A ``Grant`` names one organisation (a party), one
role, one data category, one purpose and one action; the Cedar policy ``agreement-grant-*``
permits exactly that, across organisations, while the agreement is active and in date.

Validity is a half-open interval of aware datetimes, ``valid_from <= now < valid_until``,
kept to whole seconds (the service hands them to Cedar's ``datetime`` at millisecond
precision; whole seconds make both sides agree to the instant).

Every write to these tables replaces the ``RegistryRevision`` token in the same transaction, so
each process's cached copy of the registry (service.py) is rebuilt on its next decision. That is
why ``Agreement.objects.update()`` and friends are overridden below and why the parties
relation has a ``m2m_changed`` receiver (signals.py): a suspended agreement must stop opening
doors at once, on every process.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.vocab import AgreementStatus, ContextSource, DataCategory, PolicyAction, Purpose, Role

from .validation import GrantLine, grant_problems, validity_problems

# Attribute the admin sets on an unsaved agreement: the parties its form is about to save.
PENDING_PARTIES = "_pending_parties"


class RegistryRevision(models.Model):
    """One row; its ``token`` changes whenever an agreement, a party or a grant changes.

    A random token, not a counter: a rolled-back transaction may have shown its counter value
    to a cache, and a later commit would reuse that value for different data.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        db_table = "policy_registryrevision"  # tables named in _REVISION_SQL below

    def __str__(self) -> str:
        return f"registry revision {self.token}"


def bump_revision() -> None:
    """Mark the registry as changed (call inside the writer's transaction)."""
    token = secrets.randbits(62)
    if not RegistryRevision.objects.filter(pk=1).update(token=token):
        RegistryRevision.objects.update_or_create(pk=1, defaults={"token": token})


# A constant statement, no input: asked before every cross-organisation decision, it costs
# tens of µs this way against ~300 µs through the ORM's query compiler (bench/policy_bench.py).
# The row counts also catch writes that call no model method (``loaddata``, raw deletes).
_REVISION_SQL = (
    "SELECT (SELECT token FROM policy_registryrevision WHERE id = 1),"
    " (SELECT COUNT(*) FROM policy_agreement),"
    " (SELECT COUNT(*) FROM policy_agreement_parties),"
    " (SELECT COUNT(*) FROM policy_grant)"
)


def current_revision() -> tuple[int, ...]:
    """Changes whenever the registry's agreements, parties or grants change."""
    with connection.cursor() as cursor:
        cursor.execute(_REVISION_SQL)
        row = cursor.fetchone()
    return tuple(int(v or 0) for v in row)


class _RevisionQuerySet(models.QuerySet[Any]):
    """Bulk writes bump the revision too, so no code path leaves a stale cache behind."""

    def update(self, **kwargs: Any) -> int:
        n = super().update(**kwargs)
        bump_revision()
        return n

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        bump_revision()
        return result

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        bump_revision()
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        n = super().bulk_update(objs, fields, *args, **kwargs)
        bump_revision()
        return n


class Agreement(models.Model):
    """A cooperation agreement between organisations (DOMAIN.md, key step 8)."""

    identifier = models.SlugField(_("identifier"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    parties = models.ManyToManyField(
        Organisation,
        related_name="agreements",
        verbose_name=_("parties"),
        db_table="policy_agreement_parties",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    valid_from = models.DateTimeField(_("valid from"))
    # Exclusive: the agreement stops opening anything at this instant.
    valid_until = models.DateTimeField(_("valid until"))
    lawful_basis = models.TextField(
        _("lawful basis"),
        blank=True,
        help_text=_("e.g. GDPR Art. 6(1)(e) and the national child-protection act"),
    )
    acknowledge_within_hours = models.PositiveIntegerField(
        _("acknowledge a request within (hours)"), null=True, blank=True
    )
    reply_within_hours = models.PositiveIntegerField(
        _("reply to a request within (hours)"), null=True, blank=True
    )
    requires_consent = models.BooleanField(
        _("sharing rests on the child's consent"),
        default=False,
        help_text=_(
            "Every grant opens a child's data only while the child's consent to this organisation, "
            "for this purpose and category, is recorded, in date and not withdrawn."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = _RevisionQuerySet.as_manager()

    class Meta:
        db_table = "policy_agreement"
        ordering = ["identifier"]

    def __str__(self) -> str:
        return f"{self.title} ({self.identifier})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whole seconds: see the module docstring.
        if self.valid_from is not None:
            self.valid_from = self.valid_from.replace(microsecond=0)
        if self.valid_until is not None:
            self.valid_until = self.valid_until.replace(microsecond=0)
        super().save(*args, **kwargs)
        bump_revision()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        bump_revision()
        return result

    def clean(self) -> None:
        """The registry validator on the agreement's own fields.

        Parties and grants are related rows: the admin form, the grant's ``clean`` and the
        loader validate them (validation.py) before they are written.
        """
        problems = validity_problems(self.valid_from, self.valid_until)
        if problems:
            raise ValidationError(problems)

    def party_list(self) -> list[Organisation]:
        """The parties, including those an admin form is about to save (see admin.py)."""
        pending: list[Organisation] | None = getattr(self, PENDING_PARTIES, None)
        if pending is not None:
            return pending
        return list(self.parties.all()) if self.pk else []


class Grant(models.Model):
    """One permission of an agreement: organisation × role × category × purpose × action."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grants", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    category = models.CharField(_("data category"), max_length=32, choices=DataCategory.choices)
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    action = models.CharField(
        _("action"), max_length=16, choices=PolicyAction.choices, default=PolicyAction.READ
    )

    objects = _RevisionQuerySet.as_manager()

    class Meta:
        db_table = "policy_grant"
        ordering = ["agreement", "organisation", "role", "purpose", "category", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation", "role", "category", "purpose", "action"],
                name="policy_grant_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug} {self.role} {self.action} {self.category} for {self.purpose}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        bump_revision()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        bump_revision()
        return result

    def clean(self) -> None:
        """This grant against its agreement's parties and the firewall's fixed limits."""
        if self.organisation_id is None:
            return
        try:
            # May be an agreement the admin has not saved yet (its pk is still None).
            agreement = self.agreement
        except Agreement.DoesNotExist:
            return
        line = GrantLine(self.organisation, self.role, self.category, self.purpose, self.action)
        problems = grant_problems(line, parties=agreement.party_list())
        if problems:
            raise ValidationError(problems)


class BreakGlass(models.Model):
    """Emergency access by one user to one case beyond the agreements (breakglass.py: who may
    open and confirm it, and what it opens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField()
    confirm_by = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Opens (the ordinary categories) before it is confirmed: only on a child of the opener's own
    # organisation or ward, and not right after an unconfirmed opening on the same child lapsed.
    opens_at_once = models.BooleanField(default=True)

    class Meta:
        app_label = "policy"
        indexes = [models.Index(fields=["user", "case", "expires_at"])]

    def __str__(self) -> str:
        return f"break-glass {self.pk} by {self.user_id} on case {self.case_id}"

    def state(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.closed_at is not None:
            return "closed"
        if self.expires_at <= now:
            return "expired"
        if self.confirmed_at is not None:
            return "confirmed"
        if self.confirm_by <= now:
            return "lapsed"
        return "awaiting_confirmation" if self.opens_at_once else "closed_until_confirmed"


class SharedContext(models.Model):
    """Need to know: organisation ``partner`` shares a context about this child with the case's
    owner, for ``purpose`` — a conversation between them about the child (a referral, transfer,
    information request, missing-child alert) or an accepted match (``source``, ``source_id``).

    Another organisation's agreement opens a case only while such a context is open (the Cedar
    attribute ``Case.sharedWith``, agreements.cedar). Contexts are opened and closed by the code
    that owns the conversation (exchange/contexts.py), never by a request.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    # The partner's federation slug: it may be hosted on another node (no local row).
    partner = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    source = models.CharField(max_length=20, choices=ContextSource.choices)
    source_id = models.UUIDField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "policy"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "case", "partner"], name="one_context_per_source"
            )
        ]
        # Deciding: the open contexts of these cases with this partner. Listing: this partner's.
        indexes = [models.Index(fields=["case", "partner"]), models.Index(fields=["partner", "purpose"])]

    def __str__(self) -> str:
        return f"{self.partner} shares {self.source} {self.source_id} ({self.purpose}) on case {self.case_id}"
