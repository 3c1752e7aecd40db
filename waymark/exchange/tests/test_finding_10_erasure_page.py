"""Finding 10 (erasure): the DPO's erasure page. Only the DPO of the organisation that holds the
child erases them: from the case page or the DPO's menu, with a reason, a legal basis and the
case reference typed again; one transaction, audited; a refusal names the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case, login
from waymark.vault import service as vault
from waymark.vocab import AuditKind, ErasureBasis, Purpose

from .erasing import REASON, erase_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay")


@pytest.fixture
def node(monkeypatch, federation):
    """The web process is node-it (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


def page(case):
    return reverse("exchange:erasure_case", args=[case.public_id])


def form(case, **changes):
    data = {
        "reason": REASON,
        "legal_basis": ErasureBasis.NO_LONGER_NECESSARY.value,
        "confirm_reference": case.reference,
    }
    data.update(changes)
    return data


def test_finding_10_erasure_the_dpo_sees_whom_they_are_about_to_erase(client, people, dpos, amina, node):
    login(client, dpos.it, Purpose.AUDIT)
    response = client.get(page(amina))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amina Tesfay" in body and amina.reference in body
    assert 'name="confirm_reference"' in body and 'name="legal_basis"' in body
    # Looking at the child's identity is a decision of the policy, audited under the purpose audit.
    assert AuditEntry.objects.filter(
        kind=AuditKind.ACCESS_DECISION, actor="dora", purpose="audit", decision="allow"
    ).exists()


def test_finding_10_erasure_the_dpo_erases_from_the_page(client, people, dpos, amina, node):
    login(client, dpos.it, Purpose.AUDIT)
    response = client.post(page(amina), form(amina))

    assert response.status_code == 302 and response["Location"] == reverse("exchange:erasure")
    assert not Case.objects.filter(pk=amina.pk).exists()
    assert vault.is_shredded(amina.child.public_id)
    entry = AuditEntry.objects.get(kind=AuditKind.ERASURE)
    assert entry.actor == "dora"
    assert entry.details["legal_basis"] == "no_longer_necessary" and entry.details["reason"] == REASON
    assert entry.details["cases"] == [str(amina.public_id)]
    followed = client.get(response["Location"]).content.decode()
    assert amina.reference in followed  # the erasure is listed, by reference


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("reason", {"reason": ""}),
        ("reason", {"reason": "gone"}),
        ("legal_basis", {"legal_basis": ""}),
        ("legal_basis", {"legal_basis": "because"}),
        ("confirm_reference", {"confirm_reference": ""}),
        ("confirm_reference", {"confirm_reference": "IT-0000-0000"}),
    ],
)
def test_finding_10_erasure_a_missing_or_wrong_field_is_refused_by_name(
    client, people, dpos, amina, node, field, changes
):
    login(client, dpos.it, Purpose.AUDIT)
    response = client.post(page(amina), form(amina, **changes))

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.content.decode()
    assert Case.objects.filter(pk=amina.pk).exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.ERASURE).exists()


@pytest.mark.parametrize("who", ["giulia", "sara", "marco", "claire", "ivan", "french_dpo"])
def test_finding_10_erasure_nobody_else_erases_or_even_sees_the_page(client, people, dpos, amina, node, who):
    user = dpos.fr if who == "french_dpo" else getattr(people, who)
    login(client, user, Purpose.AUDIT if who == "french_dpo" else Purpose.CHILD_PROTECTION)

    assert client.get(page(amina)).status_code == 404
    assert client.post(page(amina), form(amina)).status_code == 404
    assert Case.objects.filter(pk=amina.pk).exists()


def test_finding_10_erasure_the_menu_finds_a_case_by_reference_and_only_the_dpos_own(
    client, people, dpos, amina, node
):
    calais = create_case(people.claire, given_names="Abdi", family_name="Warsame")
    login(client, dpos.it, Purpose.AUDIT)
    home = client.get(reverse("exchange:erasure"))
    assert home.status_code == 200
    assert reverse("exchange:erasure") in client.get(reverse("dashboard")).content.decode()  # the menu

    found = client.get(reverse("exchange:erasure"), {"reference": amina.reference})
    assert found.status_code == 302 and found["Location"] == page(amina)
    for reference in (calais.reference, "IT-9999-9999"):
        missing = client.get(reverse("exchange:erasure"), {"reference": reference})
        assert (
            missing.status_code == 422
            and "no case of your organisation has this reference" in missing.content.decode()
        )


def test_finding_10_erasure_the_case_page_leads_its_dpo_there_and_nobody_else(
    client, people, dpos, amina, node
):
    login(client, dpos.it, Purpose.AUDIT)
    assert page(amina) in client.get(reverse("case_detail", args=[amina.public_id])).content.decode()
    login(client, people.giulia)
    assert page(amina) not in client.get(reverse("case_detail", args=[amina.public_id])).content.decode()


def test_finding_10_erasure_the_page_lists_recipients_who_have_not_confirmed(
    client, people, takes_erasure, wire, dpos, node
):
    from waymark.exchange import erasure

    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION),
        node=takes_erasure.it,
    )
    dispatch_pending(takes_erasure.it, wire)
    received = Thread.objects.get(kind="transfer", direction=Direction.INCOMING)
    owned = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=takes_erasure.fr
    ).case
    dispatch_pending(takes_erasure.fr, wire)
    assert owned is not None
    case.refresh_from_db()
    erasure.do_erase_child(dpos.it, case, erase_form(case), node=takes_erasure.it)
    dispatch_pending(takes_erasure.it, wire)

    login(client, dpos.it, Purpose.AUDIT)
    milan = client.get(reverse("exchange:erasure")).content.decode()
    assert "Association Refuge Calais" in milan and "Not confirmed yet" in milan and case.reference in milan
    assert "Amina" not in milan

    # Calais's DPO has the owned case to decide, and a form to keep it.
    node["node"] = takes_erasure.fr
    login(client, dpos.fr, Purpose.AUDIT)
    calais = client.get(reverse("exchange:erasure")).content.decode()
    assert owned.reference in calais and "Servizio Tutela Minori Milano" in calais
    assert page(owned) in calais and 'name="kept_basis"' in calais
    notice = Thread.objects.get(kind="erasure_notice", direction=Direction.INCOMING)
    keep = reverse("exchange:erasure_keep", args=[notice.public_id, owned.public_id])
    refused = client.post(keep, {"reason": "", "kept_basis": "legal_obligation"})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.content.decode()
    kept = client.post(
        keep, {"reason": "A court order in force for this child.", "kept_basis": "legal_obligation"}
    )
    assert kept.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "kept"
