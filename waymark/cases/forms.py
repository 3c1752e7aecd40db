"""Web forms for the case record.

Forms only parse what a browser sends (text lines, checkboxes, dates) into the shape of the
pydantic schemas in ``schemas.py``; the schemas hold the rules. ``SchemaForm.clean`` builds the
schema and puts each schema error on the field it names, so a rule written once produces the
same message on the web and in the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.errors import field_errors
from waymark.vocab import (
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    IdentifierScheme,
    MissingCategory,
    RiskLevel,
    Role,
    Sex,
)

from .schemas import AliasIn, CarePlanIn, CaseIn, ChildIn, EventIn, RegisterChildIn

S = TypeVar("S", bound=BaseModel)

_LIST_SPLIT = re.compile(r"[\s,;]+")


def add_errors(form: forms.Form, errors: Mapping[str, Iterable[str]]) -> None:
    """Put schema or action errors on the form fields they name.

    Keys are dotted paths ("child.aliases.2.full_name", "case.caseworker", "" for the whole
    input): the first segment that is a field of the form receives the message; a list index
    right after it becomes "Line n" because lists are typed one item per line.
    """
    for key, messages in errors.items():
        parts = [p for p in key.split(".") if p]
        target: str | None = None
        line: int | None = None
        for i, part in enumerate(parts):
            if part in form.fields:
                target = part
                if i + 1 < len(parts) and parts[i + 1].isdigit():
                    line = int(parts[i + 1]) + 1
                break
        for message in messages:
            text = str(message)
            if line is not None:
                text = gettext("Line %(line)s: %(message)s") % {"line": line, "message": text}
            elif target is None and key:
                text = f"{key}: {text}"
            form.add_error(target, text)


class WaymarkForm(forms.Form):
    """Labels without a trailing colon: it reads badly next to checkboxes and in Arabic. What a
    person types takes its own direction (``dir="auto"``): a Latin name typed on an Arabic page
    keeps its full stop at its end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) in (forms.TextInput, forms.Textarea):
                field.widget.attrs.setdefault("dir", "auto")


class SchemaForm(WaymarkForm, Generic[S]):
    """A form whose cleaned data must also pass a pydantic schema; ``schema`` holds the result."""

    schema_class: ClassVar[type[BaseModel]]
    schema: S | None = None

    def schema_input(self) -> dict[str, Any]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A field that failed its own parsing already names itself; building the schema from
        # what is left would add a second, misleading message.
        if not self.errors:
            try:
                self.schema = self.schema_class.model_validate(self.schema_input())  # type: ignore[assignment]
            except ValidationError as exc:
                add_errors(self, field_errors(exc))
        return cleaned


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: str) -> list[tuple[str, Any]]:
    return [("", label)]


def _set_choices(form: forms.Form, name: str, choices: Iterable[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def _groups(form: forms.Form, *groups: tuple[Any, tuple[str, ...]]) -> list[tuple[str, list[BoundField]]]:
    """(legend, bound fields) pairs, for templates that render a form in fieldsets."""
    return [(str(legend), [form[name] for name in names]) for legend, names in groups]


def _user_choices(users: QuerySet[User], current: User | None) -> list[tuple[str, str]]:
    choices = [("", gettext("— nobody —"))]
    seen: set[str] = set()
    for u in users:
        choices.append((u.username, f"{u} ({u.username})"))
        seen.add(u.username)
    # Keep the person already assigned selectable even if the list would not offer them.
    if current is not None and current.username not in seen:
        choices.append((current.username, f"{current} ({current.username})"))
    return choices


def colleagues(user: User) -> QuerySet[User]:
    """Active users of the user's organisation: whom actions accept as caseworker/responsible."""
    if user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id, is_active=True).order_by(
        "display_name", "username"
    )


def guardians() -> QuerySet[User]:
    return User.objects.filter(role=Role.GUARDIAN, is_active=True).order_by("display_name", "username")


# ---------------------------------------------------------------------------------------------
# The child


def parse_aliases(text: str) -> list[dict[str, str]]:
    """One alias per line: "name | where or to whom it was given"."""
    out = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        name, _sep, note = raw.partition("|")
        out.append({"full_name": name.strip(), "note": note.strip()})
    return out


def parse_identifiers(text: str) -> list[dict[str, str]]:
    """One identifier per line: "scheme | reference | issued by"."""
    out = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        parts += [""] * (3 - len(parts))
        out.append({"scheme": parts[0].lower(), "value": parts[1], "issued_by": parts[2]})
    return out


class ChildFields(WaymarkForm):
    """The child's identity, as typed by a caseworker."""

    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=200)
    name_latin = forms.CharField(
        label=_("Name in Latin script"),
        required=False,
        max_length=400,
        help_text=_("Leave empty if the name is already in Latin script: it is transliterated for you."),
    )
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("One per line: name | where or to whom it was given."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=_date_widget())
    birth_date_precision = forms.ChoiceField(
        label=_("Date of birth precision"), choices=DatePrecision.choices, initial=DatePrecision.EXACT
    )
    assessed_age_min = forms.IntegerField(
        label=_("Assessed age from"), required=False, min_value=0, max_value=25
    )
    assessed_age_max = forms.IntegerField(
        label=_("Assessed age to"), required=False, min_value=0, max_value=25
    )
    assessed_on = forms.DateField(label=_("Age assessed on"), required=False, widget=_date_widget())
    nationality = forms.CharField(
        label=_("Nationality claimed"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "countries", "autocomplete": "off", "size": 6}),
        help_text=_("Two-letter country code (ISO 3166), e.g. ER, AF, IT."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=300,
        help_text=_("Language codes (ISO 639), separated by commas, e.g. ar, ti, prs."),
    )
    identifiers = forms.CharField(
        label=_("Identifiers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_lazy(
            _("One per line: scheme | reference | issued by. Schemes: {schemes}."),
            schemes=", ".join(IdentifierScheme.values),
        ),
    )

    def child_fieldsets(self) -> list[tuple[str, list[BoundField]]]:
        return _groups(
            self,
            (_("Names"), ("given_names", "family_name", "name_latin", "aliases")),
            (
                _("Sex and date of birth"),
                (
                    "sex",
                    "birth_date",
                    "birth_date_precision",
                    "assessed_age_min",
                    "assessed_age_max",
                    "assessed_on",
                ),
            ),
            (_("Nationality and languages"), ("nationality", "languages")),
            (_("Identifiers"), ("identifiers",)),
        )

    def child_input(self, extra_aliases: Iterable[dict[str, str]] = ()) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "given_names": d.get("given_names", ""),
            "family_name": d.get("family_name", ""),
            "name_latin": d.get("name_latin", ""),
            "aliases": [*extra_aliases, *parse_aliases(d.get("aliases", ""))],
            "sex": d.get("sex") or Sex.UNKNOWN,
            "birth_date": d.get("birth_date"),
            "birth_date_precision": d.get("birth_date_precision") or DatePrecision.EXACT,
            "assessed_age_min": d.get("assessed_age_min"),
            "assessed_age_max": d.get("assessed_age_max"),
            "assessed_on": d.get("assessed_on"),
            "nationality": d.get("nationality", ""),
            "languages": [c for c in _LIST_SPLIT.split(d.get("languages", "")) if c],
            "identifiers": parse_identifiers(d.get("identifiers", "")),
        }


class CaseFields(WaymarkForm):
    """The case: status, category, flags, risk and people."""

    # "Transferred" is what an accepted transfer makes the copy kept here, never a choice.
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in CaseStatus.choices if c[0] != CaseStatus.TRANSFERRED],
        initial=CaseStatus.OPEN,
    )
    missing_category = forms.ChoiceField(
        label=_("Missing-child category"),
        required=False,
        choices=[("", _("— not missing —")), *MissingCategory.choices],
        help_text=_("Required when the status is “missing”."),
    )
    unaccompanied = forms.BooleanField(label=_("Unaccompanied"), required=False, initial=True)
    separated = forms.BooleanField(label=_("Separated"), required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    risk_reasons = forms.CharField(
        label=_("Risk reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    caseworker = forms.ChoiceField(label=_("Caseworker"), required=False)
    guardian = forms.ChoiceField(label=_("Guardian"), required=False)

    def case_fieldsets(self) -> list[tuple[str, list[BoundField]]]:
        return _groups(
            self,
            (_("Case"), ("status", "missing_category", "unaccompanied", "separated")),
            (_("Risk"), ("risk_level", "risk_reasons")),
            (_("People"), ("caseworker", "guardian")),
        )

    def set_people(self, user: User, caseworker: User | None = None, guardian: User | None = None) -> None:
        _set_choices(self, "caseworker", _user_choices(colleagues(user), caseworker))
        _set_choices(self, "guardian", _user_choices(guardians(), guardian))

    def case_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "status": d.get("status") or CaseStatus.OPEN,
            "missing_category": d.get("missing_category") or None,
            "unaccompanied": bool(d.get("unaccompanied")),
            "separated": bool(d.get("separated")),
            "risk_level": d.get("risk_level") or RiskLevel.MEDIUM,
            "risk_reasons": d.get("risk_reasons", ""),
            "caseworker": d.get("caseworker") or None,
            "guardian": d.get("guardian") or None,
        }


class RegisterChildForm(ChildFields, CaseFields, SchemaForm[RegisterChildIn]):
    """Register a child and open their case, on one page."""

    schema_class = RegisterChildIn

    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is a different child. Register anyway."), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_people(user)

    def schema_input(self) -> dict[str, Any]:
        return {
            "child": self.child_input(),
            "case": self.case_input(),
            "confirm_not_duplicate": bool(self.cleaned_data.get("confirm_not_duplicate")),
        }


class ChildForm(ChildFields, SchemaForm[ChildIn]):
    """Edit the child's identity. Aliases and identifiers typed here are added, never replaced."""

    schema_class = ChildIn

    def __init__(self, *args: Any, existing_aliases: Iterable[dict[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Known aliases go into the schema too, so a child known only by aliases stays valid;
        # the action skips the ones it already has.
        self.existing_aliases = list(existing_aliases)
        self.fields["aliases"].label = _("Add aliases")
        self.fields["identifiers"].label = _("Add identifiers")

    def schema_input(self) -> dict[str, Any]:
        return self.child_input(extra_aliases=self.existing_aliases)


class CaseForm(CaseFields, SchemaForm[CaseIn]):
    schema_class = CaseIn

    def __init__(
        self,
        *args: Any,
        user: User,
        caseworker: User | None = None,
        guardian: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_people(user, caseworker, guardian)

    def schema_input(self) -> dict[str, Any]:
        return self.case_input()


# ---------------------------------------------------------------------------------------------
# Timeline, care plan, aliases, photo


class EventForm(SchemaForm[EventIn]):
    schema_class = EventIn

    type = forms.ChoiceField(label=_("Type"), choices=EventType.choices, initial=EventType.NOTE)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=EventSource.choices, initial=EventSource.STAFF)
    category = forms.ChoiceField(
        label=_("Data category"),
        choices=DataCategory.choices,
        initial=DataCategory.CASE_NOTES,
        help_text=_("What the summary and details are about: it decides who may read them."),
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(label=_("Place"), required=False, max_length=200)

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("type", "occurred_at", "source", "category")} | {
            k: d.get(k, "") for k in ("summary", "details", "location")
        }


class CarePlanForm(SchemaForm[CarePlanIn]):
    schema_class = CarePlanIn

    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    services = forms.CharField(label=_("Services"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.ChoiceField(label=_("Responsible person"), required=False)
    review_date = forms.DateField(label=_("Review date"), required=False, widget=_date_widget())

    def __init__(self, *args: Any, user: User, responsible: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "responsible", _user_choices(colleagues(user), responsible))

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "needs": d.get("needs", ""),
            "objectives": d.get("objectives", ""),
            "services": d.get("services", ""),
            "responsible": d.get("responsible") or None,
            "review_date": d.get("review_date"),
        }


class AliasForm(SchemaForm[AliasIn]):
    schema_class = AliasIn

    full_name = forms.CharField(
        label=_("Name"), max_length=400, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    note = forms.CharField(label=_("Where or to whom this name was given"), required=False, max_length=300)

    def schema_input(self) -> dict[str, Any]:
        return {
            "full_name": self.cleaned_data.get("full_name", ""),
            "note": self.cleaned_data.get("note", ""),
        }


class PhotoForm(WaymarkForm):
    # A plain FileField: actions.check_photo decides what an acceptable image is.
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP."),
    )


# ---------------------------------------------------------------------------------------------
# Case list


def _filter_select() -> forms.Select:
    return forms.Select(attrs={"class": "filter-select"})


class CaseFilterForm(WaymarkForm):
    q = forms.CharField(
        label=_("Name (any spelling or script)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "autocomplete": "off"}),
    )
    # The class lets htmx search again as soon as a filter changes.
    status = forms.ChoiceField(label=_("Status"), required=False, widget=_filter_select())
    risk_level = forms.ChoiceField(label=_("Risk level"), required=False, widget=_filter_select())
    missing_category = forms.ChoiceField(
        label=_("Missing-child category"), required=False, widget=_filter_select()
    )
    organisation = forms.ChoiceField(label=_("Organisation"), required=False, widget=_filter_select())

    def __init__(self, *args: Any, organisations: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = gettext("Any")
        _set_choices(self, "status", [*_blank(anything), *CaseStatus.choices])
        _set_choices(self, "risk_level", [*_blank(anything), *RiskLevel.choices])
        _set_choices(self, "missing_category", [*_blank(anything), *MissingCategory.choices])
        _set_choices(self, "organisation", [*_blank(anything), *organisations])

    def filter_value(self, name: str) -> str:
        """The cleaned value, or "" when absent or invalid (an invalid filter filters nothing)."""
        data = getattr(self, "cleaned_data", {})
        return str(data.get(name) or "")
