"""Finding 10 (erasure): ``manage.py erase_child`` — the same action as the DPO's page, for a
DPO at the command line: the reference, who erases, a reason, a legal basis and the reference
again; a missing or wrong one is refused by name and nothing is erased."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.exchange import plumbing
from waymark.test import create_case
from waymark.vocab import AuditKind

from .erasing import REASON

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(people, federation, monkeypatch):
    monkeypatch.setattr(plumbing, "local_node", lambda: federation.it)
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay")


def args(case, **changes):
    values = {"--by": "dora", "--reason": REASON, "--basis": "consent_withdrawn", "--confirm": case.reference}
    values.update(changes)
    out = [case.reference]
    for key, value in values.items():
        if value is not None:
            out += [key, value]
    return out


def test_finding_10_erasure_the_command_erases_and_says_what_it_did(people, dpos, amina):
    out = StringIO()
    call_command("erase_child", *args(amina), stdout=out)

    assert not Case.objects.filter(pk=amina.pk).exists()
    entry = AuditEntry.objects.get(kind=AuditKind.ERASURE)
    assert entry.actor == "dora" and entry.details["legal_basis"] == "consent_withdrawn"
    assert f"erased {amina.reference}" in out.getvalue()
    assert "no recipient to notify" in out.getvalue()


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("reason", {"--reason": None}),
        ("legal_basis", {"--basis": None}),
        ("legal_basis", {"--basis": "because"}),
        ("confirm_reference", {"--confirm": None}),
        ("confirm_reference", {"--confirm": "IT-0000-0000"}),
        ("by", {"--by": "giulia"}),
        ("by", {"--by": "nobody"}),
    ],
)
def test_finding_10_erasure_the_command_refuses_by_name(people, dpos, amina, field, changes):
    with pytest.raises(CommandError, match=field):
        call_command("erase_child", *args(amina, **changes), stdout=StringIO())
    assert Case.objects.filter(pk=amina.pk).exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.ERASURE).exists()


def test_finding_10_erasure_the_command_finds_only_the_dpos_own_cases(people, dpos, amina):
    calais = create_case(people.claire, given_names="Abdi", family_name="Warsame")
    with pytest.raises(CommandError, match="reference"):
        call_command("erase_child", *args(calais), stdout=StringIO())
    assert Case.objects.filter(pk=calais.pk).exists()
