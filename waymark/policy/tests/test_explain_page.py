"""The DPO's explain page gives the same answer as manage.py policy_explain."""

from __future__ import annotations

from django.urls import reverse

from waymark.test import create_case, create_user, login
from waymark.vocab import Role


def test_the_dpo_sees_why_a_police_officer_may_not_read_health(client, people):
    case = create_case(people.giulia)
    dpo = create_user("elena", people.it_cps, Role.DPO)
    login(client, dpo)
    params = {"user": "luc", "case": case.reference, "purpose": "locate_missing_child", "category": "health"}
    html = client.get(reverse("policy_explain"), params).content.decode()
    assert "DENY" in html


def test_the_page_is_not_for_caseworkers(client, people):
    login(client, people.giulia)
    assert client.get(reverse("policy_explain")).status_code == 404
