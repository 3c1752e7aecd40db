"""Agreements in the Django admin, validated by the registry validator (validation.py).

Node administrators only (``waymark.accounts.admin_access.NodeAdminOnly``): a staff account
without a role, or with another role, can neither see nor change an agreement, even as superuser.

The agreement form checks the parties; each grant row is checked by ``Grant.clean`` against
the parties the form is about to save (the admin hands them over before the inlines are
validated, see ``save_form``); the grants formset refuses duplicates. Nothing is written
unless all of it passes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from waymark.accounts.admin_access import NodeAdminOnly

from .models import PENDING_PARTIES, Agreement, Grant
from .validation import GrantLine, duplicate_problems, party_problems


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "identifier",
            "title",
            "parties",
            "status",
            "valid_from",
            "valid_until",
            "lawful_basis",
            "acknowledge_within_hours",
            "reply_within_hours",
            "requires_consent",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "parties" in data:
            problems = party_problems(list(data["parties"]))
            if problems:
                raise ValidationError(problems)
        return data


class GrantFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        keys = ("organisation", "role", "category", "purpose", "action")
        lines = [
            GrantLine(*(f.cleaned_data[k] for k in keys))
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and all(f.cleaned_data.get(k) for k in keys)
        ]
        problems = duplicate_problems(lines)
        if problems:
            raise ValidationError(problems)


class GrantInline(NodeAdminOnly, admin.TabularInline):
    model = Grant
    formset = GrantFormSet
    extra = 1


@admin.register(Agreement)
class AgreementAdmin(NodeAdminOnly, admin.ModelAdmin):
    form = AgreementForm
    inlines = [GrantInline]
    list_display = ["identifier", "title", "status", "valid_from", "valid_until"]
    list_filter = ["status"]
    search_fields = ["identifier", "title"]
    filter_horizontal = ["parties"]

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Agreement:
        obj: Agreement = super().save_form(request, form, change)
        # The M2M parties are written after the inlines are validated; hand them over now.
        setattr(obj, PENDING_PARTIES, list(form.cleaned_data.get("parties", [])))
        return obj
