"""Web forms of the missing-child response: they parse what a phone's browser sends into the
schemas (``schemas.py``), which hold the rules. Short on purpose: the report needs two answers
(when last seen, the category); everything else can follow."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.cases.forms import SchemaForm
from waymark.vocab import MissingCategory, MissingTrigger, RiskLevel

from .schemas import DisappearanceIn, RiskIn

_SPLIT = re.compile(r"[\s,;]+")
_CONTACT = re.compile(r"^(?P<name>.*?)\s*(?P<phone>\+?[\d][\d ()./-]{4,})?\s*$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_contacts(text: str) -> list[dict[str, str]]:
    """One contact per line: a name, then a phone number ("Yonas +33 6 12 34 56 78")."""
    out = []
    for line in _lines(text):
        match = _CONTACT.match(line)
        name, phone = (match.group("name"), match.group("phone") or "") if match else (line, "")
        out.append({"name": name.strip(" ,;:-"), "phone": phone.strip(), "relationship": ""})
    return out


class DisappearanceForm(SchemaForm[DisappearanceIn]):
    schema_class = DisappearanceIn

    last_seen_at = forms.DateTimeField(
        label=_("Last seen (date and time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    missing_category = forms.ChoiceField(
        label=_("116 000 category"),
        choices=MissingCategory.choices,
        initial=MissingCategory.UNACCOMPANIED_MIGRANT,
    )
    last_seen_place = forms.CharField(label=_("Last seen where"), required=False, max_length=300)
    circumstances = forms.CharField(
        label=_("Circumstances"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    belongings = forms.CharField(
        label=_("What the child took (clothes, bag, phone, documents, money)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contacts = forms.CharField(
        label=_("Known contacts and phone numbers (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    destination_country = forms.CharField(
        label=_("Intended destination: country (code, e.g. SE)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "countries", "autocomplete": "off"}),
    )
    destination = forms.CharField(
        label=_("Intended destination: town or address"), required=False, max_length=300
    )
    route_countries = forms.CharField(
        label=_("Route countries (codes, e.g. FR BE)"),
        required=False,
        max_length=100,
    )
    family_abroad = forms.CharField(
        label=_("Family abroad"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    triggers = forms.MultipleChoiceField(
        label=_("Recent triggers"),
        choices=MissingTrigger.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trigger_notes = forms.CharField(label=_("About the triggers"), required=False, max_length=2000)

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "last_seen_at": d.get("last_seen_at"),
            "missing_category": d.get("missing_category"),
            "contacts": parse_contacts(d.get("contacts", "")),
            "route_countries": [c for c in _SPLIT.split(d.get("route_countries", "")) if c],
            "triggers": d.get("triggers") or [],
        } | {
            k: d.get(k, "")
            for k in (
                "last_seen_place",
                "circumstances",
                "belongings",
                "destination_country",
                "destination",
                "family_abroad",
                "trigger_notes",
            )
        }


class RiskForm(SchemaForm[RiskIn]):
    schema_class = RiskIn

    health_needs = forms.BooleanField(label=_("Health needs"), required=False)
    urgent_health_needs = forms.BooleanField(
        label=_("Health needs that cannot wait (medication, treatment)"), required=False
    )
    exploitation_indicators = forms.BooleanField(label=_("Known indicators of exploitation"), required=False)
    contact_with_suspected_traffickers = forms.BooleanField(
        label=_("In contact with suspected traffickers"), required=False
    )
    debt = forms.BooleanField(label=_("Owes a debt (to smugglers or others)"), required=False)
    previous_disappearances = forms.IntegerField(
        label=_("Earlier disappearances"), min_value=0, max_value=50, initial=0, required=False
    )
    override = forms.ChoiceField(
        label=_("Override the level (optional)"),
        choices=[("", _("Keep the checklist's level")), *RiskLevel.choices],
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Why you override it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            k: bool(d.get(k))
            for k in (
                "health_needs",
                "urgent_health_needs",
                "exploitation_indicators",
                "contact_with_suspected_traffickers",
                "debt",
            )
        } | {
            "previous_disappearances": d.get("previous_disappearances") or 0,
            "override": d.get("override") or None,
            "override_reason": d.get("override_reason", ""),
        }
