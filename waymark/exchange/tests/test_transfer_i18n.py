"""The case-transfer pages in Arabic (right to left) and French: the new strings are translated,
on the receiving side (the offer, the dashboard) and on the sending side (the read-only copy)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case, login
from waymark.vocab import Purpose

pytestmark = pytest.mark.django_db

RTL_ARABIC = '<html lang="ar" dir="rtl">'


@pytest.fixture
def web_node(monkeypatch, federation):
    """Which node the web process is (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


@pytest.fixture
def offered(people, federation, wire, web_node):
    """Giulia (node-it) offers Yonas's case to the NGO in Calais; the offer reaches node-fr."""
    case = create_case(people.giulia, given_names="Yonas", family_name="Haile", nationality="ER")
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            confirmed=True,
            to_org="fr-ngo-calais",
            purpose=Purpose.CHILD_PROTECTION,
            reason="Moved to Calais.",
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    web_node["node"] = federation.fr
    return case, Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)


def switch_to(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("dashboard")})
    assert response.status_code == 302


def test_the_offered_transfer_reads_right_to_left_in_arabic(client, people, offered):
    _, received = offered
    login(client, people.claire)
    switch_to(client, "ar")

    page = client.get(reverse("exchange:thread", args=["transfer", received.public_id])).content.decode()
    assert RTL_ARABIC in page
    assert "نقل الحالة من Servizio Tutela Minori" in page  # "Case transfer from {org}"
    assert "تسلُّم الحالة" in page  # "Take the case over"
    assert "قبول النقل" in page and "رفض النقل" in page  # accept / reject buttons
    assert "ملاحظة إلى المنظمة المُرسِلة" in page  # "Note to the sending organisation"
    assert "ينتقل مع الحالة" in page  # the plural "timeline entries travel with it"
    assert "Yonas" in page  # the data itself is not translated
    for english in (
        "Case transfer from",
        "Take the case over",
        "Accept the transfer",
        "Reject the transfer",
        "Note to the sending organisation",
        "travel with it",
        "travels with it",
    ):
        assert english not in page, english

    dashboard = client.get(reverse("exchange:dashboard")).content.decode()
    assert RTL_ARABIC in dashboard
    assert "نقل الحالات" in dashboard  # the "Case transfers" panel
    assert "نقل حالة معروض من Servizio Tutela Minori" in dashboard  # "Transfer offered by {org}"


def test_the_sender_sees_the_transferred_copy_in_arabic(client, people, federation, wire, web_node, offered):
    case, received = offered
    transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(note="Ok"), node=federation.fr
    )
    dispatch_pending(federation.fr, wire)

    web_node["node"] = federation.it
    login(client, people.giulia)
    switch_to(client, "ar")
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert RTL_ARABIC in page
    assert "نُقلت هذه الحالة إلى منظمة أخرى" in page  # the read-only banner
    assert "عرض النقل" in page  # "See the transfer"
    assert "read-only copy" not in page

    threads = client.get(reverse("exchange:case", args=[case.public_id])).content.decode()
    assert "نقل الحالة إلى Association Refuge Calais" in threads  # "Case transfer to {org}"


def test_the_offered_transfer_in_french(client, people, offered):
    _, received = offered
    login(client, people.claire)
    switch_to(client, "fr")
    page = client.get(reverse("exchange:thread", args=["transfer", received.public_id])).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Transfert du dossier de Servizio Tutela Minori" in page
    assert "Accepter le transfert" in page and "Reprendre le dossier" in page
    assert "Accept the transfer" not in page
