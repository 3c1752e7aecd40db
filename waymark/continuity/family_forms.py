"""The family-tracing forms: a relative, and a reunification plan (its steps one per line). They
parse what the browser sends into the schemas, which (with the actions) hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.cases.forms import SchemaForm

from .models import ContactStatus, Relationship
from .schemas import RelativeIn, ReunificationPlanIn


class RelativeForm(SchemaForm[RelativeIn]):
    schema_class = RelativeIn

    full_name = forms.CharField(
        label=_("Name, as written (any script)"),
        max_length=400,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    name_latin = forms.CharField(label=_("Name in Latin letters (if known)"), required=False, max_length=200)
    relationship = forms.ChoiceField(label=_("Relationship to the child"), choices=Relationship.choices)
    country = forms.CharField(label=_("Country (code, e.g. BE)"), required=False, max_length=20)
    last_known_place = forms.CharField(
        label=_("Last known place"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    contact = forms.CharField(
        label=_("Contact details"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    contact_status = forms.ChoiceField(label=_("Status of contact"), choices=ContactStatus.choices)
    contact_consent = forms.BooleanField(
        label=_("The relative agreed to their contact details being shared"), required=False
    )
    contact_consent_on = forms.DateField(
        label=_("The relative agreed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def schema_input(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["country"] = (data.get("country") or "").strip().upper()
        if data.get("contact_consent_on") is None:
            data.pop("contact_consent_on", None)
        return data


class ReunificationPlanForm(SchemaForm[ReunificationPlanIn]):
    schema_class = ReunificationPlanIn

    relative = forms.ChoiceField(label=_("With (a confirmed relative)"), choices=())
    country = forms.CharField(label=_("Country (code, e.g. BE)"), max_length=20)
    place = forms.CharField(
        label=_("Where"), required=False, max_length=300, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    steps = forms.CharField(
        label=_("Steps, one per line, in order"), widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"})
    )
    best_interests = forms.ChoiceField(
        label=_("The best-interests assessment it rests on"), required=False, choices=()
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, relatives: list[tuple[str, str]], assessments: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        relative = self.fields["relative"]
        assessment = self.fields["best_interests"]
        assert isinstance(relative, forms.ChoiceField) and isinstance(assessment, forms.ChoiceField)
        relative.choices = relatives
        assessment.choices = [("", _("the latest recommending family reunification, if any")), *assessments]

    def schema_input(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["country"] = (data.get("country") or "").strip().upper()
        data["steps"] = [line.strip() for line in (data.get("steps") or "").splitlines() if line.strip()]
        for name in ("best_interests", "target_date"):
            if not data.get(name):
                data.pop(name, None)
        return data
