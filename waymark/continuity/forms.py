"""The continuity app's forms: each parses what the browser sends into its schema
(``BestInterestsIn``, ``AgeAssessmentIn``, ``ChallengeIn``, ``ChallengeOutcomeIn``,
``TakeChargeIn``), which (with the action) holds the rules. The panel is one member per line,
"name — discipline"; a ``datetime-local`` value is a time in the node's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.cases.forms import SchemaForm

from .models import (
    AgeAssessmentMethod,
    BestInterests,
    BestInterestsKind,
    ChallengeOutcome,
    DurableSolution,
    Relative,
    TakeChargeRequest,
    TransferExtension,
)
from .schemas import AgeAssessmentIn, BestInterestsIn, ChallengeIn, ChallengeOutcomeIn, TakeChargeIn


def _text(label: Any, rows: int = 3, **extra: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}), **extra
    )


def parse_panel(text: str) -> list[dict[str, str]]:
    """One member per line: "Name — discipline" (a dash, an en or em dash, or a comma)."""
    members = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (" — ", " – ", " - ", ","):
            if sep in line:
                name, _, discipline = line.partition(sep)
                break
        else:
            name, discipline = line, ""
        members.append({"name": name.strip(), "discipline": discipline.strip()})
    return members


class BestInterestsForm(SchemaForm[BestInterestsIn]):
    schema_class = BestInterestsIn

    kind = forms.ChoiceField(label=_("Kind"), choices=BestInterestsKind.choices)
    child_views = _text(_("The child's views, in their own words"), rows=5)
    child_views_language = forms.CharField(
        label=_("Language the child spoke (ISO 639, e.g. ti)"), required=False, max_length=20
    )
    safety = _text(_("Safety and risks"))
    family = _text(_("Family and relationships"))
    health = _text(_("Health"))
    education = _text(_("Education"))
    identity_culture = _text(_("Identity and culture"))
    legal_status = _text(_("Legal status"))
    options = _text(_("Options considered"))
    recommendation = forms.ChoiceField(
        label=_("Durable solution recommended"), choices=DurableSolution.choices
    )
    recommendation_country = forms.CharField(
        label=_("Country of the solution (code, e.g. BE)"), required=False, max_length=20
    )
    recommendation_reason = _text(_("Why this solution"))
    guardian_consulted = forms.BooleanField(label=_("The guardian was consulted"), required=False)
    guardian_views = _text(_("What the guardian said"), rows=2)
    panel = _text(_("Panel (a determination): one member per line, name — discipline"), rows=3)
    review_on = forms.DateField(
        label=_("Review on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def schema_input(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["panel"] = parse_panel(data.get("panel", ""))
        if data.get("review_on") is None:
            data.pop("review_on", None)
        return data


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _when(label: Any, required: bool = False) -> forms.DateTimeField:
    # Django makes a datetime-local value aware in the current (the node's) time zone.
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _years(label: Any, maximum: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=maximum,
        decimal_places=1,
        widget=forms.NumberInput({"step": "0.1"}),
    )


class AgeAssessmentForm(SchemaForm[AgeAssessmentIn]):
    """One age assessment: a new record beside any earlier one, never in its place."""

    schema_class = AgeAssessmentIn

    methods = forms.MultipleChoiceField(
        label=_("Methods"), choices=AgeAssessmentMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    medical_consent = forms.BooleanField(
        label=_("The child (and guardian) gave informed consent to a medical examination"), required=False
    )
    assessors = forms.CharField(label=_("Assessors (names and professions)"), max_length=300)
    assessed_on = _date(_("Assessed on"))
    country = forms.CharField(
        label=_("Country where it was done (code, e.g. IT; empty: your organisation's)"),
        required=False,
        max_length=20,
    )
    age_min = _years(_("Age, lower bound (years)"), 40)
    age_max = _years(_("Age, upper bound (years)"), 40)
    margin = _years(_("Margin of error (years)"), 10)
    child_informed = forms.BooleanField(
        label=_("The child was informed of the result, in a language they understand"), required=False
    )
    informed_language = forms.CharField(
        label=_("Language the child was informed in (ISO 639, e.g. ti)"), required=False, max_length=20
    )

    def schema_input(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ChallengeForm(SchemaForm[ChallengeIn]):
    schema_class = ChallengeIn

    lodged_on = _date(_("Lodged on"))
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))

    def schema_input(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ChallengeOutcomeForm(SchemaForm[ChallengeOutcomeIn]):
    schema_class = ChallengeOutcomeIn

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in ChallengeOutcome.choices if c[0] != ChallengeOutcome.PENDING]
    )
    decided_on = _date(_("Decided on"))

    def schema_input(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


_ACCEPTED = [("", _("no reply yet")), ("yes", _("accepted")), ("no", _("refused"))]


class TakeChargeForm(SchemaForm[TakeChargeIn]):
    """A take-charge request's dates so far. The best-interests record it rests on is chosen
    among the child's (the latest that stands when left empty)."""

    schema_class = TakeChargeIn

    requested_country = forms.CharField(label=_("Requested Member State (code, e.g. BE)"), max_length=20)
    basis = forms.CharField(label=_("Legal basis"), max_length=40, initial="Art. 8")
    best_interests = forms.ChoiceField(label=_("Best-interests assessment it rests on"), required=False)
    relative = forms.ChoiceField(
        label=_("Family-tracing result it rests on (a relative whose family link is confirmed)"),
        required=False,
    )
    registered_at = _when(_("Application registered (lodged)"), required=True)
    hit_at = _when(_("Eurodac/VIS hit received"))
    request_sent_at = _when(_("Request sent"))
    request_received_at = _when(_("Request received"))
    urgent_reply_days = forms.IntegerField(
        label=_("Urgent reply asked within (days)"), required=False, min_value=1, max_value=62
    )
    replied_at = _when(_("Reply received"))
    accepted = forms.ChoiceField(label=_("Reply"), choices=_ACCEPTED, required=False)
    appeal_decided_at = _when(_("Final decision on a suspensive appeal"))
    transfer_decision_at = _when(_("Transfer decision"))
    transferred_at = _when(_("Transferred"))
    extension = forms.ChoiceField(
        label=_("Transfer period extended for"),
        choices=[("", _("not extended")), *TransferExtension.choices],
        required=False,
    )

    def __init__(
        self, *args: Any, records: list[BestInterests], relatives: list[Relative] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        family = self.fields["relative"]
        assert isinstance(family, forms.ChoiceField)
        family.choices = [
            ("", _("none")),
            *(
                (str(r.public_id), f"{r.get_relationship_display()} · {r.full_name} · {r.country}")
                for r in relatives or []
            ),
        ]
        field = self.fields["best_interests"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("the latest that stands")),
            *(
                (
                    str(r.public_id),
                    f"{r.get_kind_display()} · {r.recorded_at:%Y-%m-%d} · {r.get_status_display()}",
                )
                for r in records
            ),
        ]

    @classmethod
    def initial_from(cls, request: TakeChargeRequest) -> dict[str, Any]:
        """The form's values for an existing request (an update replaces every date)."""
        initial: dict[str, Any] = {
            name: getattr(request, name)
            for name in TakeChargeIn.model_fields
            if name not in ("best_interests", "relative")
        }
        initial["relative"] = str(request.relative.public_id) if request.relative else ""
        initial["best_interests"] = str(request.best_interests.public_id) if request.best_interests else ""
        initial["accepted"] = {True: "yes", False: "no", None: ""}[request.accepted]
        for name, value in initial.items():
            if isinstance(value, dt.datetime):
                initial[name] = timezone.localtime(value).replace(tzinfo=None)
        return initial

    def schema_input(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "accepted" in data:
            data["accepted"] = data["accepted"] == "yes"
        return data
