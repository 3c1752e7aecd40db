"""The child's access report as a printable PDF, in the child's language; producing it is an export."""

from __future__ import annotations

import re

from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.test import create_case, login


def test_the_guardian_prints_the_report_in_the_childs_language(client, people):
    case = create_case(people.giulia, given_names="Saba", languages=["ar", "ti"], case={"guardian": "marco"})
    login(client, people.giulia)
    client.get(reverse("case_detail", args=[case.public_id]))  # a read to report
    login(client, people.marco)
    response = client.get(reverse("access_report_pdf", args=[case.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"access-report-{case.reference}-ar.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    export = AuditEntry.objects.filter(kind="export", actor="marco").get()
    assert export.details == {"viewed": "access_report", "format": "pdf"}


def test_the_pdf_is_refused_to_someone_who_cannot_see_the_case(client, people):
    case = create_case(people.giulia)
    login(client, people.claire)
    assert client.get(reverse("access_report_pdf", args=[case.public_id])).status_code == 404


def test_the_pdf_is_tagged_and_embeds_the_fonts_of_its_language(client, people):
    """A screen reader can read it (a structure tree, marked content, the document's language),
    and Tigrinya prints with the bundled Ethiopic font, not as empty boxes."""
    case = create_case(people.giulia, given_names="Saba", languages=["ti"], case={"guardian": "marco"})
    login(client, people.giulia)
    client.get(reverse("case_detail", args=[case.public_id]))
    login(client, people.marco)
    body = client.get(reverse("access_report_pdf", args=[case.public_id])).content
    assert b"/Type /StructTreeRoot" in body
    assert b"/MarkInfo <</Marked true>>" in body
    assert b"/Lang (ti)" in body
    assert body.count(b"/S /H1") == 1
    paragraphs = body.count(b"/S /P")
    assert paragraphs >= 4  # subtitle, draft note, introduction, at least one entry
    # Each structure element points at marked content on its page.
    assert len(re.findall(rb"/K \[\d+\]", body)) == paragraphs + body.count(b"/S /H1") + body.count(b"/S /H2")
    fonts = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z-]+)", body))
    assert b"NotoSansEthiopic" in fonts
    assert b"/FontFile2" in body  # embedded, not referenced


def test_the_draft_note_and_the_arabic_font_in_a_pashto_pdf(people):
    from waymark.audit import pdf

    body = pdf.render_access_report(
        reference="IT-2026-0001",
        lang="ps",
        printed="2026-12-07",
        sentences=[(True, "په 6 ډسمبر 2026، یو ټولنیز کارکوونکی ستا هویت ولیدل.")],
    )
    assert b"/Lang (ps)" in body
    assert b"NotoSansArabic" in body
    english = pdf.render_access_report(
        reference="IT-2026-0001",
        lang="en",
        printed="2026-12-07",
        sentences=[(True, "On 6 December 2026 ...")],
    )
    # The draft note is one more paragraph than the same report in a reviewed language.
    assert body.count(b"/S /P") == english.count(b"/S /P") + 1
