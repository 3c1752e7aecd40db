"""Issue 9, finding 6: the interactive API docs are for logged-in users; the OpenAPI document
itself stays public (it holds no data; clients and tools read it)."""

from __future__ import annotations

from django.urls import reverse

from waymark.test import login


def test_finding_6_the_api_docs_page_sends_anonymous_visitors_to_log_in(client, people):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/api/docs" in response["Location"]


def test_finding_6_the_api_docs_page_opens_for_a_logged_in_user(client, people):
    login(client, people.giulia, purpose=None)
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "swagger" in response.content.decode().lower()


def test_finding_6_the_openapi_document_stays_public(client, people):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Waymark API"
