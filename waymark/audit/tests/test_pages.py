"""The DPO's audit log page and the child's access report page, and who is refused them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.audit import service
from waymark.audit.models import AuditEntry
from waymark.audit.testing import audit_unavailable
from waymark.test import create_user, login
from waymark.vocab import AuditKind, Role


@pytest.fixture
def dpo(people):
    return create_user("dora", people.it_cps, Role.DPO)


def test_the_dpo_sees_the_log_state_and_their_organisations_entries(client, dpo, log):
    login(client, dpo)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert service.current_root()[1] in body
    assert "firewall-purpose" not in body  # ivan's refusal is another organisation's entry
    assert "permit-own-org" in body
    assert "Amina" not in body


def test_the_dpo_can_verify_the_log(client, dpo, log):
    login(client, dpo)
    response = client.post(reverse("audit_log"))
    assert response.status_code == 200
    assert "OK" in response.content.decode()


@pytest.mark.parametrize("who", ["giulia", "sara", "marco", "claire", "luc", "ivan"])
def test_the_log_page_is_refused_to_everyone_else(client, people, log, who):
    login(client, getattr(people, who))
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.post(reverse("audit_log")).status_code == 404


def test_the_log_page_needs_a_login(client, log):
    assert client.get(reverse("audit_log")).status_code == 302


def test_the_childs_guardian_reads_the_access_report_in_arabic(client, people, case, log):
    case.guardian = people.marco
    case.save(update_fields=["guardian"])
    login(client, people.marco)
    response = client.get(reverse("access_report", args=[case.public_id]) + "?lang=ar")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'dir="rtl"' in body and "هويتك" in body
    assert "Amina" not in body.split("<main", 1)[1]
    viewed = AuditEntry.objects.filter(kind=AuditKind.OTHER, actor="marco").get()
    assert viewed.details == {"viewed": "access_report", "format": "html"}


@pytest.mark.parametrize("who", ["claire", "luc", "ivan"])
def test_the_access_report_is_refused_to_people_who_may_not_see_the_case(client, people, case, log, who):
    login(client, getattr(people, who))
    assert client.get(reverse("access_report", args=[case.public_id])).status_code == 404


def test_the_access_report_is_refused_when_it_cannot_be_audited(client, people, case, log):
    login(client, people.giulia)
    with audit_unavailable():
        response = client.get(reverse("access_report", args=[case.public_id]))
    assert response.status_code == 503
    assert "Amina" not in response.content.decode()
