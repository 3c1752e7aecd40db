"""``manage.py policy_explain`` prints the verdict, the deciding policies and the agreement."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, share
from waymark.vocab import DataCategory, Purpose, Role


def explain(**options) -> str:
    out = io.StringIO()
    call_command("policy_explain", stdout=out, **options)
    return out.getvalue()


def test_it_explains_an_allow_under_an_agreement(people):
    case = create_case(people.giulia)
    share(case, people.fr_ngo, Purpose.LOCATE_MISSING_CHILD, missing=True)
    create_agreement(
        "it-fr-locate",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, Purpose.LOCATE_MISSING_CHILD)],
    )
    out = explain(user="claire", case=case.reference, purpose="locate_missing_child", category="photo")
    assert out.startswith(f"ALLOW: claire (caseworker, fr-ngo-calais) read photo of case {case.reference}")
    assert "permitted by policy 'agreement-grant-read'" in out
    assert "policies: agreement-grant-read" in out
    assert "agreement: it-fr-locate" in out


def test_it_explains_a_deny_and_why_no_agreement_opened_it(people):
    case = create_case(people.giulia)
    create_agreement(
        "it-fr-locate",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, Purpose.LOCATE_MISSING_CHILD)],
    )
    out = explain(user="claire", case=str(case.public_id), purpose="locate_missing_child", category="health")
    assert out.startswith("DENY: claire")
    assert (
        "agreement 'it-fr-locate' has no grant 'fr-ngo-calais caseworker may read health for locate_missing_child'"
        in out
    )
    assert "policies: default-deny" in out
    assert "agreement: -" in out


def test_it_names_the_firewall_rule_that_refuses(people):
    case = create_case(people.giulia)
    out = explain(user="giulia", case=case.reference, purpose="immigration_enforcement", category="identity")
    assert out.startswith("DENY: giulia")
    assert "refused by policy 'firewall-purpose' (firewall.cedar)" in out


def test_unknown_user_or_case_is_an_error(people):
    case = create_case(people.giulia)
    with pytest.raises(CommandError, match="no user"):
        explain(user="nobody", case=case.reference, purpose="child_protection", category="identity")
    with pytest.raises(CommandError, match="no case"):
        explain(user="giulia", case="IT-1900-000000", purpose="child_protection", category="identity")
