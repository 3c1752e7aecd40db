"""Organisations hosted on this node and the people who work in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.vocab import Role, Sector

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
