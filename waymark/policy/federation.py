"""Load a federation file: organisations, users and agreements, all or nothing, idempotently.

``load_federation(data)`` validates the file (schemas.py), then creates or updates every entry
in ONE transaction; any problem anywhere refuses the whole file and names the entry. Running
the same file twice changes nothing the second time. An agreement in the file is stated in
full: its parties and grants become exactly those listed. Entries absent from the file are
left alone (the loader never deletes organisations, users or agreements).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from waymark.accounts.models import Organisation, User
from waymark.vocab import Sector

from .models import Agreement, Grant
from .schemas import AgreementIn, FederationIn, OrganisationIn, UserIn
from .validation import GrantLine, agreement_problems


class FederationError(Exception):
    """The file was refused; nothing was written. ``problems`` name each entry at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def note(self, what: str, outcome: str, fields: Iterable[str] = ()) -> None:
        fields = list(fields)
        if outcome == "created":
            self.created += 1
        elif fields:
            self.updated += 1
            outcome = f"updated ({', '.join(fields)})"
        else:
            self.unchanged += 1
            outcome = "unchanged"
        self.lines.append(f"{what}: {outcome}")

    def summary(self) -> str:
        if not self.changed:
            return f"no changes ({self.unchanged} entries unchanged)"
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _entry_name(data: Any, section: str, index: int, key: str) -> str:
    try:
        name = data[section][index][key]
    except (KeyError, IndexError, TypeError):
        name = None
    return f"{section}[{index}]" + (f" '{name}'" if isinstance(name, str) else "")


def _schema_problems(data: Any, exc: ValidationError) -> list[str]:
    keys = {"organisations": "slug", "users": "username", "agreements": "identifier"}
    out = []
    for err in exc.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] in keys and isinstance(loc[1], int):
            where = _entry_name(data, str(loc[0]), loc[1], keys[str(loc[0])])
            rest = ".".join(str(p) for p in loc[2:])
        else:
            where, rest = "file", ".".join(str(p) for p in loc)
        out.append(f"{where}: {rest + ': ' if rest else ''}{err['msg']}")
    return out


def _duplicates(values: list[str], what: str) -> list[str]:
    counts = Counter(values)
    return [f"{what} '{v}' appears more than once in the file" for v, n in counts.items() if n > 1]


def load_federation(data: Any, *, dry_run: bool = False) -> Report:
    """Apply a parsed federation file (a dict from YAML); raise ``FederationError`` on any problem."""
    try:
        fed = FederationIn.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise FederationError(_schema_problems(data, exc)) from exc
    problems = (
        _duplicates([o.slug for o in fed.organisations], "organisation")
        + _duplicates([u.username for u in fed.users], "user")
        + _duplicates([a.identifier for a in fed.agreements], "agreement")
    )
    if problems:
        raise FederationError(problems)

    report = Report()
    with transaction.atomic():
        orgs = {o.slug: _apply_organisation(o, report) for o in fed.organisations}
        for user in fed.users:
            problems += _apply_user(user, orgs, report)
        for agreement in fed.agreements:
            problems += _apply_agreement(agreement, orgs, report)
        problems += _no_immigration_party(orgs.values())
        if problems:
            raise FederationError(problems)  # rolls back everything above
        if dry_run:
            transaction.set_rollback(True)
    return report


def _org(slug: str, orgs: dict[str, Organisation]) -> Organisation | None:
    if slug not in orgs:
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            return None
        orgs[slug] = found
    return orgs[slug]


def _apply_organisation(entry: OrganisationIn, report: Report) -> Organisation:
    what = f"organisation '{entry.slug}'"
    values = {
        "name": entry.name,
        "country": entry.country,
        "sector": str(entry.sector),
        "is_fictional": entry.fictional,
    }
    org = Organisation.objects.filter(slug=entry.slug).first()
    if org is None:
        org = Organisation.objects.create(slug=entry.slug, **values)
        report.note(what, "created")
        return org
    changed = [k for k, v in values.items() if getattr(org, k) != v]
    for k in changed:
        setattr(org, k, values[k])
    if changed:
        org.save(update_fields=changed)
    report.note(what, "updated", changed)
    return org


def _apply_user(entry: UserIn, orgs: dict[str, Organisation], report: Report) -> list[str]:
    what = f"user '{entry.username}'"
    org = _org(entry.organisation, orgs)
    if org is None:
        return [f"{what}: organisation '{entry.organisation}' is neither in the file nor on this node"]
    if org.sector == Sector.IMMIGRATION_ENFORCEMENT:
        return [f"{what}: immigration enforcement is not a user of Waymark (organisation '{org.slug}')"]
    values = {"organisation": org, "role": str(entry.role), "display_name": entry.display_name}
    user = User.objects.filter(username=entry.username).first()
    if user is None:
        user = User(username=entry.username, **values)
        if entry.password:
            user.set_password(entry.password)
        else:
            user.set_unusable_password()
        user.save()
        report.note(what, "created")
        return []
    changed = [k for k, v in values.items() if getattr(user, k) != v]
    for k in changed:
        setattr(user, k, values[k])
    # Without a password in the file an existing password is kept, never reset.
    if entry.password and not user.check_password(entry.password):
        user.set_password(entry.password)
        changed.append("password")
    if changed:
        user.save()
    report.note(what, "updated", changed)
    return []


def _apply_agreement(entry: AgreementIn, orgs: dict[str, Organisation], report: Report) -> list[str]:
    what = f"agreement '{entry.identifier}'"
    problems: list[str] = []
    parties: list[Organisation] = []
    for slug in dict.fromkeys(entry.parties):
        org = _org(slug, orgs)
        if org is None:
            problems.append(f"{what}: party '{slug}' is neither in the file nor on this node")
        else:
            parties.append(org)
    lines: list[GrantLine] = []
    for i, g in enumerate(entry.grants):
        org = _org(g.organisation, orgs)
        if org is None:
            problems.append(
                f"{what}: grants[{i}]: organisation '{g.organisation}' is neither in the file nor on this node"
            )
            continue
        lines += [GrantLine(org, str(g.role), str(c), str(g.purpose), str(g.action)) for c in g.categories]
    if problems:
        return problems
    problems = [
        f"{what}: {p}"
        for p in agreement_problems(
            parties=parties,
            grants=lines,
            valid_from=entry.valid_from,
            valid_until=entry.valid_until,
        )
    ]
    if problems:
        return problems

    values: dict[str, Any] = {
        "title": entry.title,
        "status": str(entry.status),
        "valid_from": entry.valid_from,
        "valid_until": entry.valid_until,
        "lawful_basis": entry.lawful_basis,
        "acknowledge_within_hours": entry.acknowledge_within_hours,
        "reply_within_hours": entry.reply_within_hours,
        "requires_consent": entry.requires_consent,
    }
    agreement = Agreement.objects.filter(identifier=entry.identifier).first()
    created = agreement is None
    if agreement is None:
        agreement = Agreement.objects.create(identifier=entry.identifier, **values)
        changed = []
    else:
        changed = [k for k, v in values.items() if getattr(agreement, k) != v]
        for k in changed:
            setattr(agreement, k, values[k])
        if changed:
            agreement.save()
    if {p.pk for p in agreement.parties.all()} != {p.pk for p in parties}:
        agreement.parties.set(parties)
        changed.append("parties")
    if _sync_grants(agreement, lines):
        changed.append("grants")
    report.note(what, "created" if created else "updated", changed)
    return []


def _sync_grants(agreement: Agreement, lines: list[GrantLine]) -> bool:
    """Make the agreement's grants exactly ``lines``; True if anything changed."""
    wanted = {line.key(): line for line in lines}
    existing = {
        (g.organisation.slug, g.role, g.category, g.purpose, g.action): g
        for g in agreement.grants.select_related("organisation")
    }
    stale = [g.pk for key, g in existing.items() if key not in wanted]
    new = [
        Grant(
            agreement=agreement,
            organisation=line.organisation,
            role=line.role,
            category=line.category,
            purpose=line.purpose,
            action=line.action,
        )
        for key, line in wanted.items()
        if key not in existing
    ]
    if stale:
        Grant.objects.filter(pk__in=stale).delete()
    if new:
        Grant.objects.bulk_create(new)
    return bool(stale or new)


def _no_immigration_party(orgs: Iterable[Organisation]) -> list[str]:
    """An organisation the file turns into immigration enforcement must not stay a party anywhere."""
    return [
        f"organisation '{org.slug}': an immigration-enforcement organisation cannot stay a party to "
        f"agreement '{identifier}' (firewall, layer 2)"
        for org in orgs
        if org.sector == Sector.IMMIGRATION_ENFORCEMENT
        for identifier in Agreement.objects.filter(parties=org).values_list("identifier", flat=True)
    ]
