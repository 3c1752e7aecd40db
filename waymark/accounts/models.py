"""Organisations hosted on this node and the people who work in them."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.vocab import Purpose, Role, Sector, TokenScope

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 alpha-2 code, e.g. IT."))


class Organisation(models.Model):
    """A member organisation. Its sector decides what the firewall lets it do."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[country_code])
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    # Stable identifier used across the federation (registry, agreements), e.g. "it-cps-milano".
    slug = models.SlugField(_("identifier"), max_length=64, unique=True)
    is_fictional = models.BooleanField(_("fictional (demo)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


def organisation_names(slugs: Collection[str]) -> dict[str, str]:
    """``{slug: name}`` of the organisations hosted here among ``slugs`` (the others are left out)."""
    return dict(Organisation.objects.filter(slug__in=set(slugs) - {""}).values_list("slug", "name"))


class User(AbstractUser):
    """A professional: one organisation, one role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def role_enum(self) -> Role | None:
        return Role(self.role) if self.role else None


class ApiToken(models.Model):
    """A bearer token for an API client acting as one user.

    The secret is shown once when issued (``tokens.issue_api_token``) and only its SHA-256 is
    kept, so a copy of the database does not let anyone call the API. ``prefix`` (the first
    characters of the secret) lets a person recognise a token in the admin without the secret.

    Scoped: ``scope`` says whether it may write, ``purposes`` which purposes a request may
    declare with it; the policies still decide every access within that. It always expires.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What this token is for."))
    prefix = models.CharField(_("prefix"), max_length=8)
    token_hash = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    purposes = models.JSONField(
        _("purposes"), default=list, blank=True, help_text=_("The purposes a request may declare with it.")
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def allows_purpose(self, purpose: str) -> bool:
        return purpose != Purpose.IMMIGRATION_ENFORCEMENT and purpose in self.purposes
