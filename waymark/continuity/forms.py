"""The best-interests form: it parses what the browser sends into ``BestInterestsIn``, which
(with the action) holds the rules. The panel is one member per line, "name — discipline"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.cases.forms import SchemaForm

from .models import BestInterestsKind, DurableSolution
from .schemas import BestInterestsIn


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
