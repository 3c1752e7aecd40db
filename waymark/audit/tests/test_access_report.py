"""The child's access report: who read or received what, when, why, under what — in plain words."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.accounts.models import organisation_names
from waymark.audit import service
from waymark.audit.report import PHRASEBOOKS, ReportAction, ReportRow, access_report, plain_language
from waymark.audit.tests.conftest import read
from waymark.test import create_case
from waymark.vocab import AuditDecision, AuditKind, DataCategory, Purpose


def test_the_report_lists_every_access_to_this_child_oldest_first(people, case, log):
    rows = access_report(case.child.public_id, org_names=organisation_names)
    assert [r.seq for r in rows] == [e.seq for e in log]
    assert [(r.actor, r.actor_org, r.allowed) for r in rows[5:]] == [
        ("sara", "it-cps-milano", True),
        ("ivan", "xx-immigration", False),
        ("giulia", "it-cps-milano", True),
    ]
    sent = rows[-1]
    assert sent.action == ReportAction.SENT
    assert (sent.peer_org_name, sent.agreement) == ("Association Refuge Calais (fictional)", "IT-FR-2026")
    assert sent.categories == ("identity", "photo")


def test_the_report_leaves_out_other_children_and_security_events(people, case, log, client):
    other = create_case(people.claire, given_names="Omar", family_name="Haddad")
    read(people.claire, other)
    client.login(username="giulia", password="wrong")
    assert {r.seq for r in access_report(case.child.public_id, org_names=organisation_names)} == {
        e.seq for e in log
    }
    assert len(access_report(other.child.public_id, org_names=organisation_names)) == 1


def test_a_read_in_plain_english(people, case):
    read(
        people.claire,
        case,
        [DataCategory.IDENTITY, DataCategory.PHOTO],
        purpose=Purpose.LOCATE_MISSING_CHILD,
        agreement="IT-FR-2026",
    )
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    row = ReportRow(**{**row.__dict__, "at": dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)})
    assert plain_language(row, "en") == (
        "On 3 March 2026, a caseworker at Association Refuge Calais (fictional) read your identity and "
        "your photo at 10:00 to help find you, under the agreement IT-FR-2026."
    )


def test_a_refusal_says_it_was_refused(people, case):
    read(people.ivan, case, purpose=Purpose.IMMIGRATION_ENFORCEMENT, decision=AuditDecision.DENY)
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    sentence = plain_language(row, "en")
    assert "asked to read your identity at " in sentence
    assert "for immigration enforcement" in sentence
    assert sentence.endswith("This was not allowed, so they saw nothing.")


def test_a_read_in_arabic(people, case):
    read(people.claire, case, [DataCategory.IDENTITY, DataCategory.PHOTO], agreement="IT-FR-2026")
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    sentence = plain_language(row, "ar")
    assert sentence.startswith("في ")
    assert "هويتك وصورتك" in sentence
    assert "لحمايتك" in sentence
    assert "IT-FR-2026" in sentence


def test_an_exchange_in_arabic_and_french(people, case, log):
    sent = access_report(case.child.public_id, org_names=organisation_names)[-1]
    assert "أرسلت منظمة" in plain_language(sent, "ar")
    assert plain_language(sent, "fr").endswith(
        "a envoyé ton identité et ta photo à Association Refuge Calais (fictional) à "
        f"{timezone.localtime(sent.at):%H:%M} pour aider à te retrouver, dans le cadre de l'accord IT-FR-2026."
    )


def test_an_unknown_language_falls_back_to_english(people, case, log):
    row = access_report(case.child.public_id, org_names=organisation_names)[0]
    assert plain_language(row, "xx") == plain_language(row, "en")


def test_no_sentence_names_the_child_or_the_staff_member(people, case, log):
    for row in access_report(case.child.public_id, org_names=organisation_names):
        for lang in PHRASEBOOKS:
            sentence = plain_language(row, lang)
            assert "Amina" not in sentence and "Yusuf" not in sentence
            assert row.actor not in sentence


def test_a_receipt_from_another_node_names_the_sender(people, case):
    service.record(
        AuditKind.ENVELOPE_RECEIVED,
        actor_name="system",
        actor_org="it-cps-milano",
        purpose=Purpose.FAMILY_TRACING,
        decision=AuditDecision.ALLOW,
        peer_org="be-police-mpu",
        agreement="BE-IT-2026",
        subject=case.audit_subject,
        categories=[DataCategory.FAMILY],
    )
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    assert plain_language(row, "en").endswith(
        "Servizio Tutela Minori Milano (fictional) received information about your family from "
        f"Cellule Personnes Disparues (fictional) at {timezone.localtime(row.at):%H:%M} to look for your "
        "family, under the agreement BE-IT-2026."
    )
