"""Web forms for the case record.

Forms only parse what a browser sends (text lines, checkboxes, dates) into the shape of the
pydantic schemas in ``schemas.py``; the schemas hold the rules. ``SchemaForm.clean`` builds the
schema and puts each schema error on the field it names, so a rule written once produces the
same message on the web and in the API.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.errors import field_errors
from waymark.vocab import (
    CASEWORK_ROLES,
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

from . import event_kinds, pickers
from .schemas import AccountIn, AliasIn, CarePlanIn, CaseIn, ChildIn, EventIn, RegisterChildIn

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


class CountryInput(forms.TextInput):
    """Shows a stored code as the country's name, as the datalist offers it."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str) and value.upper() in pickers.country_names("en"):
            return dict(pickers.country_options(get_language() or "en")).get(value.upper(), value)
        return super().format_value(value)


class CountryField(forms.CharField):
    """A country typed or picked by name (either script); cleaned to its ISO code."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return pickers.resolve_country(text, get_language() or "en") if text else ""


class LanguageInputs(forms.Widget):
    """Several one-language inputs sharing the ``languages`` datalist; blanks to add more."""

    blanks = 2

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        if not value:
            return []
        if isinstance(value, str):
            return [c for c in _LIST_SPLIT.split(value) if c]
        return [str(v) for v in value]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        lang = get_language() or "en"
        labels = dict(pickers.language_options(lang))
        shown = [labels.get(code, code) for code in self.format_value(value)]
        attrs = self.build_attrs(self.attrs, attrs)
        inputs = []
        for i, text in enumerate([*shown, *([""] * self.blanks)]):
            extra = (
                format_html(' id="{}"', attrs["id"]) + _described(attrs)
                if i == 0 and attrs.get("id")
                else format_html(' aria-label="{}"', gettext("Another language"))
            )
            inputs.append(
                format_html(
                    '<input type="text" name="{}" value="{}" list="languages" autocomplete="off" dir="auto"{}>',
                    name,
                    text,
                    extra,
                )
            )
        return format_html('<div class="language-inputs">{}</div>', mark_safe("".join(inputs)))  # noqa: S308

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return [v for v in data.getlist(name) if v.strip()] if hasattr(data, "getlist") else []

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


def _described(attrs: dict[str, Any]) -> SafeString:
    described = attrs.get("aria-describedby")
    return format_html(' aria-describedby="{}"', described) if described else mark_safe("")


class LanguagesField(forms.Field):
    """Languages typed or picked by name (either script); cleaned to a list of ISO 639 codes."""

    widget = LanguageInputs

    def to_python(self, value: Any) -> list[str]:
        lang = get_language() or "en"
        if isinstance(value, str):
            value = [value]
        codes: list[str] = []
        # One language per input; codes typed in one input may still be separated by commas.
        for text in (piece for v in value or [] for piece in re.split(r"[,;،]", str(v))):
            code = pickers.resolve_language(text, lang) if text.strip() else ""
            if code and code not in codes:
                codes.append(code)
        return codes


class Rows(forms.Widget):
    """Rows of a few inputs each (an alias: name and where it was given), posted as one list per
    column (``aliases-full_name``, ``aliases-note``); blank rows are ignored, two are offered."""

    blanks = 2

    def __init__(
        self, columns: Sequence[tuple[str, Any, Sequence[tuple[str, Any]] | None]], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        # (key, label, choices or None for text)
        self.columns = list(columns)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        rows = [*(value or []), *([{}] * self.blanks)]
        head = format_html_join("", "<span>{}</span>", ((label,) for _key, label, _c in self.columns))
        lines = []
        for i, row in enumerate(rows):
            cells = []
            for j, (key, label, choices) in enumerate(self.columns):
                extra = (
                    format_html(' id="{}"', attrs["id"])
                    if i == 0 and j == 0 and attrs.get("id")
                    else mark_safe("")
                )
                aria = gettext("%(column)s, row %(row)s") % {"column": label, "row": i + 1}
                current = str(row.get(key, "") or "")
                if choices is None:
                    cells.append(
                        format_html(
                            '<input type="text" name="{}-{}" value="{}" aria-label="{}" dir="auto"{}>',
                            name,
                            key,
                            current,
                            aria,
                            extra,
                        )
                    )
                else:
                    options = format_html_join(
                        "",
                        '<option value="{}"{}>{}</option>',
                        ((v, mark_safe(" selected") if v == current else "", lbl) for v, lbl in choices),
                    )
                    cells.append(
                        format_html(
                            '<select name="{}-{}" aria-label="{}"{}>{}</select>',
                            name,
                            key,
                            aria,
                            extra,
                            options,
                        )
                    )
            lines.append(format_html('<div class="row-inputs">{}</div>', mark_safe("".join(cells))))  # noqa: S308
        return format_html(
            '<div class="rows"><div class="row-head" aria-hidden="true">{}</div>{}</div>',
            head,
            mark_safe("".join(lines)),  # noqa: S308
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        if not hasattr(data, "getlist"):
            return []
        columns = [[v.strip() for v in data.getlist(f"{name}-{key}")] for key, _l, _c in self.columns]
        rows = []
        for cells in itertools.zip_longest(*columns, fillvalue=""):
            row = {key: cell for (key, _l, choices), cell in zip(self.columns, cells, strict=True)}
            # A row is blank when every text cell is (a select always has a value).
            if any(row[key] for key, _l, choices in self.columns if choices is None):
                rows.append(row)
        return rows

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class RowsField(forms.Field):
    """The rows of a ``Rows`` widget as a list of dicts (the schema checks each one)."""

    def to_python(self, value: Any) -> list[dict[str, str]]:
        return list(value or [])


def _alias_rows() -> Rows:
    return Rows([("full_name", _("Name"), None), ("note", _("Where or to whom it was given"), None)])


def _identifier_rows() -> Rows:
    return Rows(
        [
            ("scheme", _("Kind"), IdentifierScheme.choices),
            ("value", _("Reference"), None),
            ("issued_by", _("Issued by"), None),
        ]
    )


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
    aliases = RowsField(
        label=_("Aliases"),
        required=False,
        widget=_alias_rows(),
        help_text=_("Other names the child has used or been given, and where or to whom."),
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
    nationality = CountryField(
        label=_("Nationality claimed"),
        required=False,
        max_length=120,
        widget=CountryInput(attrs={"list": "countries", "autocomplete": "off", "dir": "auto"}),
        help_text=_("Type the country's name in your language or in English and pick it from the list."),
    )
    languages = LanguagesField(
        label=_("Languages"),
        required=False,
        help_text=_("Type a language's name in your language or in English and pick it from the list."),
    )
    identifiers = RowsField(
        label=_("Identifiers"),
        required=False,
        widget=_identifier_rows(),
        help_text=_("Registration numbers and references issued to the child."),
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
            "aliases": [*extra_aliases, *d.get("aliases", [])],
            "sex": d.get("sex") or Sex.UNKNOWN,
            "birth_date": d.get("birth_date"),
            "birth_date_precision": d.get("birth_date_precision") or DatePrecision.EXACT,
            "assessed_age_min": d.get("assessed_age_min"),
            "assessed_age_max": d.get("assessed_age_max"),
            "assessed_on": d.get("assessed_on"),
            "nationality": d.get("nationality", ""),
            "languages": d.get("languages") or [],
            "identifiers": d.get("identifiers", []),
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
    """An event for the timeline. Its data category follows from its type unless the person
    chooses another one among ``writable`` (the categories the policy lets them write on this
    case); an event that implies a status change (``event_kinds.IMPLIED_STATUS``) offers it when
    ``may_change_status``."""

    schema_class = EventIn

    type = forms.ChoiceField(label=_("Type"), choices=EventType.choices, initial=EventType.NOTE)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=EventSource.choices, initial=EventSource.STAFF)
    summary = forms.CharField(
        label=_("Summary"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    location = forms.CharField(
        label=_("Place"), required=False, max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    category = forms.ChoiceField(
        label=_("Who may read it"),
        required=False,
        help_text=_("Set from the type of event; change it only if the event is about something else."),
    )
    change_status = forms.BooleanField(required=False)
    missing_category = forms.ChoiceField(
        label=_("Missing-child category"),
        required=False,
        choices=[("", _("— choose —")), *MissingCategory.choices],
    )

    def __init__(
        self,
        *args: Any,
        writable: Iterable[str] = tuple(DataCategory.values),
        current_status: str = CaseStatus.OPEN,
        may_change_status: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.writable = event_kinds.writable_categories(writable)
        self.current_status = current_status
        self.may_change_status = may_change_status
        chosen_type = self.chosen_type()
        derived = event_kinds.category_of(chosen_type)
        automatic = format_lazy(_("As the type says ({category})"), category=derived.label)
        _set_choices(self, "category", [("", automatic), *((c.value, c.label) for c in self.writable)])
        change = self.status_change()
        if change is None:
            del self.fields["change_status"]
            del self.fields["missing_category"]
        else:
            self.fields["change_status"].label = format_lazy(
                _("Also mark the child {status}"), status=change.to.label.lower()
            )
            self.fields["change_status"].initial = True
            if change.to != CaseStatus.MISSING:
                del self.fields["missing_category"]

    def chosen_type(self) -> str:
        """The type typed in (bound) or given as initial; the form's default otherwise."""
        value = self.data.get("type") if self.is_bound else self.initial.get("type")
        return str(value or EventType.NOTE)

    def status_change(self) -> event_kinds.StatusChange | None:
        if not self.may_change_status:
            return None
        return event_kinds.status_change_for(self.chosen_type(), self.current_status)

    def chosen_category(self) -> str:
        d = getattr(self, "cleaned_data", {})
        return str(d.get("category") or event_kinds.category_of(str(d.get("type") or EventType.NOTE)))

    def wanted_status(self) -> tuple[CaseStatus, str] | None:
        """(new status, missing-child category) when the person asked for the implied change."""
        change = self.status_change()
        d = getattr(self, "cleaned_data", {})
        if change is None or not d.get("change_status"):
            return None
        return change.to, str(d.get("missing_category") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        wanted = self.wanted_status()
        if wanted is not None and wanted[0] == CaseStatus.MISSING and not wanted[1]:
            self.add_error(
                "missing_category", gettext("A missing child's case needs a missing-child category.")
            )
        return cleaned

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return (
            {k: d.get(k) for k in ("type", "occurred_at", "source")}
            | {"category": self.chosen_category()}
            | {k: d.get(k, "") for k in ("summary", "details", "location")}
        )


class CarePlanForm(SchemaForm[CarePlanIn]):
    schema_class = CarePlanIn

    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    services = forms.CharField(label=_("Services"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.ChoiceField(label=_("Responsible person"), required=False)
    review_date = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=_date_widget(),
        help_text=_("When the plan is looked at again: today or later."),
    )

    def __init__(self, *args: Any, user: User, responsible: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people who do casework (not the DPO or the node administrator); one already named stays.
        caseworkers = colleagues(user).filter(role__in=CASEWORK_ROLES)
        _set_choices(self, "responsible", _user_choices(caseworkers, responsible))

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


class LanguageField(forms.CharField):
    """One language typed or picked by name (either script), or its code; cleaned to ISO 639."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "languages", "autocomplete": "off", "dir": "auto"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip()
        return (pickers.resolve_language(text, get_language() or "en") or text) if text else ""


class AccountForm(SchemaForm[AccountIn]):
    """The child's account from an interview (tell it once): phone-sized, every text ``dir=auto``
    so an account in Arabic or Dari reads right to left. ``consents`` are the case's consents
    that can carry it (``accounts.consents_covering``)."""

    schema_class = AccountIn

    interviewed_at = forms.DateTimeField(
        label=_("When the child was interviewed"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    interviewer_name = forms.CharField(
        label=_("Who interviewed"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("Leave empty if it was you."),
    )
    language = LanguageField(label=_("Language of the interview"), max_length=100)
    interpreter = forms.BooleanField(label=_("An interpreter was used"), required=False)
    interpreter_language = LanguageField(
        label=_("Language the interpreter used"), required=False, max_length=100
    )
    words = forms.CharField(
        label=_("The account, in the child's own words"),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        help_text=_("As the child said it (or as the interpreter rendered it). Sealed; never edited."),
    )
    summary = forms.CharField(
        label=_("Summary for the next professional"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    consent = forms.TypedChoiceField(label=_("The child's consent it rests on"), coerce=int)
    corrects = forms.CharField(widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        label=_("What this version corrects, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, consents: Sequence[Any], correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "consent",
            [
                (
                    c.pk,
                    format_lazy(
                        "{} — {} ({})",
                        c.recipient_name or c.recipient_org,
                        c.get_purpose_display(),
                        c.valid_from,
                    ),
                )
                for c in consents
            ],
        )
        if not correcting:
            del self.fields["correction_note"]

    def schema_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "interviewed_at": d.get("interviewed_at"),
            "interviewer_name": d.get("interviewer_name", ""),
            "language": d.get("language", ""),
            "interpreter": bool(d.get("interpreter")),
            "interpreter_language": d.get("interpreter_language", ""),
            "words": d.get("words", ""),
            "summary": d.get("summary", ""),
            "consent": d.get("consent"),
            "corrects": d.get("corrects") or None,
            "correction_note": d.get("correction_note", ""),
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
