"""The call form: what a phone's browser sends, parsed into ``schemas.CallIn`` (the rules live
there). Only the relationship is required: the operator types while the caller talks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.cases.forms import SchemaForm
from waymark.vocab import CallerRelationship, MissingCategory

from .schemas import CallIn

_WHEN = {"type": "datetime-local"}
_FORMAT = "%Y-%m-%dT%H:%M"


class CallForm(SchemaForm[CallIn]):
    schema_class = CallIn

    child_name = forms.CharField(
        label=_("The child's name, as the caller says it"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label=_("Who is calling (relationship to the child)"),
        choices=[("", _("Choose…")), *CallerRelationship.choices],
    )
    caller_name = forms.CharField(
        label=_("Caller's name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    caller_phone = forms.CharField(
        label=_("Caller's phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    known = forms.CharField(
        label=_("What the caller knows"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    seen_place = forms.CharField(
        label=_("Where the caller saw the child (if they did)"), required=False, max_length=300
    )
    seen_at = forms.DateTimeField(
        label=_("When they saw the child"),
        required=False,
        widget=forms.DateTimeInput(attrs=_WHEN, format=_FORMAT),
    )
    received_at = forms.DateTimeField(
        label=_("Call received (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs=_WHEN, format=_FORMAT),
    )
    missing_category = forms.ChoiceField(
        label=_("116 000 category (for a new case)"),
        choices=MissingCategory.choices,
        initial=MissingCategory.UNACCOMPANIED_MIGRANT,
        required=False,
    )

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            k: d.get(k) or ("" if k not in ("seen_at", "received_at") else None)
            for k in (
                "relationship",
                "caller_name",
                "caller_phone",
                "child_name",
                "known",
                "seen_place",
                "seen_at",
                "received_at",
            )
        }


class HandOverForm(forms.Form):
    to_org = forms.ChoiceField(label=_("Hotline of another country"))
    note = forms.CharField(
        label=_("What they need to know (else what the caller knew goes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, hotlines: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = list(hotlines)  # type: ignore[attr-defined]
