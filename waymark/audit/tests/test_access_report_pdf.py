"""The child's access report as a printable PDF, in the child's language; producing it is an export."""

from __future__ import annotations

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
