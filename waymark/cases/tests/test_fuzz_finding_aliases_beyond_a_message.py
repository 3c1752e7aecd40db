"""Fuzzer finding (the stateful phase, seed 2): the stateful phase added aliases to a case one by
one (``addAlias``) until the child had 54, then ``sendReferral`` about it answered 400 "aliases:
at most 50 items" — a schema-valid request called invalid, because the message between nodes
carries at most 50 other names while a case could hold any number. A child holds at most
``MAX_ALIASES`` other names, the most a message carries: the 51st is refused (422, naming the
field, nothing stored), on the page as through the API, and a referral is never refused for it."""

from __future__ import annotations

from waymark.cases import actions
from waymark.cases.models import ChildName, NameKind
from waymark.cases.schemas import MAX_ALIASES, AliasIn
from waymark.cases.tests.api_client import api_as
from waymark.core.protocol import messages as m
from waymark.test import create_case, login


def _fill(case, user) -> None:
    for n in range(MAX_ALIASES):
        actions.do_add_alias(user, case, AliasIn(full_name=f"Alias {n} (fictional)"))


def test_fuzz_finding_aliases_beyond_a_message_are_refused_through_the_api(people):
    assert m.ChildSummary.model_fields["aliases"].metadata[-1].max_length == MAX_ALIASES
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay (fictional)")
    _fill(case, people.giulia)
    answer = api_as(people.giulia).post(
        f"/api/cases/{case.public_id}/aliases", {"full_name": "One more (fictional)"}
    )
    assert answer.status_code == 422, answer.json()
    assert "full_name" in answer.json()["errors"], answer.json()
    assert str(MAX_ALIASES) in answer.json()["errors"]["full_name"][0]
    assert ChildName.objects.filter(child=case.child, kind=NameKind.ALIAS).count() == MAX_ALIASES


def test_fuzz_finding_aliases_beyond_a_message_are_refused_on_the_page(people, client):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay (fictional)")
    _fill(case, people.giulia)
    login(client, people.giulia)
    page = client.post(f"/cases/{case.public_id}/aliases/new", {"full_name": "One more (fictional)"})
    assert page.status_code == 422  # the form again, with the reason
    assert str(MAX_ALIASES) in page.content.decode()
    assert ChildName.objects.filter(child=case.child, kind=NameKind.ALIAS).count() == MAX_ALIASES
