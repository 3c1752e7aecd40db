"""Issue 9, finding 2: break-glass opened any case on the node to anyone with an opener role —
no link to the child, special categories at once, confirmed by the opener's own organisation,
not bound to its purpose, re-opened without limit, and "no case has this reference" told which
references exist. Each is now closed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.access import access_case
from waymark.errors import ActionError, NotFound
from waymark.policy import breakglass
from waymark.policy.models import BreakGlass
from waymark.test import create_case, create_user, login, share
from waymark.vocab import DataCategory, Purpose, Role

LOCATE, CP = Purpose.LOCATE_MISSING_CHILD, Purpose.CHILD_PROTECTION
REASON = "Seen getting into a van with two adults an hour ago (fictional)"


@pytest.fixture
def milan_hotline(people):
    """A 116 000 operator of Milan's own service: reads what locating needs, not case notes."""
    return create_user("elena", people.it_cps, Role.HOTLINE_OPERATOR)


@pytest.fixture
def missing(people):
    return create_case(
        people.giulia,
        given_names="Saba",
        case={"risk_level": "high", "risk_reasons": "Fled a forced marriage"},
    )


def lapse(glass: BreakGlass) -> None:
    BreakGlass.objects.filter(pk=glass.pk).update(confirm_by=timezone.now() - dt.timedelta(seconds=1))


def test_finding_2_break_glass_needs_a_link_to_the_child(people, missing):
    """Claire's organisation shares nothing about this child: the same not-found as no case."""
    with pytest.raises(NotFound):
        breakglass.do_open_break_glass(people.claire, missing, LOCATE, REASON)
    assert not BreakGlass.objects.exists()


def test_finding_2_a_reference_without_a_link_reads_like_one_that_does_not_exist(client, people, missing):
    login(client, people.claire, purpose=LOCATE)
    url = reverse("break_glass_open")
    unlinked = client.post(url, {"reference": missing.reference, "reason": REASON})
    unknown = client.post(url, {"reference": "IT-2026-999999", "reason": REASON})
    assert unlinked.status_code == unknown.status_code == 422
    assert "no case of your organisation" in unlinked.content.decode()

    def page(response, reference):
        text = response.content.decode().replace(reference, "REF")
        return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", text)

    assert page(unlinked, missing.reference) == page(unknown, "IT-2026-999999")
    assert not BreakGlass.objects.exists()


def test_finding_2_special_categories_open_only_once_confirmed(people, missing, milan_hotline):
    glass = breakglass.do_open_break_glass(milan_hotline, missing, LOCATE, REASON)
    before = access_case(milan_hotline, missing.public_id, LOCATE)
    assert before.break_glass and before.can(DataCategory.LEGAL_STATUS)  # ordinary: at once
    assert not before.can(DataCategory.CASE_NOTES) and not before.can(DataCategory.HEALTH)
    breakglass.do_confirm_break_glass(people.sara, glass.pk)
    after = access_case(milan_hotline, missing.public_id, LOCATE)
    assert after.can(DataCategory.CASE_NOTES) and after.can(DataCategory.HEALTH)


def test_finding_2_break_glass_is_bound_to_its_purpose(people, missing, milan_hotline):
    glass = breakglass.do_open_break_glass(milan_hotline, missing, LOCATE, REASON)
    breakglass.do_confirm_break_glass(people.sara, glass.pk)
    assert access_case(milan_hotline, missing.public_id, LOCATE).can(DataCategory.CASE_NOTES)
    with pytest.raises(NotFound):  # nothing of it holds for child protection
        access_case(milan_hotline, missing.public_id, CP)


def test_finding_2_another_organisations_child_opens_nothing_until_its_supervisor_confirms(people, missing):
    share(missing, people.fr_ngo, LOCATE, missing=True)  # Milan alerted Calais: a link, no grant
    fr_supervisor = create_user("louise", people.fr_ngo, Role.SUPERVISOR)
    glass = breakglass.do_open_break_glass(people.claire, missing, LOCATE, REASON)
    with pytest.raises(NotFound):
        access_case(people.claire, missing.public_id, LOCATE)
    with pytest.raises(NotFound):  # the opener's own supervisor cannot confirm it
        breakglass.do_confirm_break_glass(fr_supervisor, glass.pk)
    breakglass.do_confirm_break_glass(people.sara, glass.pk)  # the owner's supervisor can
    assert access_case(people.claire, missing.public_id, LOCATE).can(DataCategory.CASE_NOTES)


def test_finding_2_the_owners_dpo_confirms_after_the_delay_and_is_alerted(people, missing, settings):
    share(missing, people.fr_ngo, LOCATE, missing=True)
    milan_dpo = create_user("anna", people.it_cps, Role.DPO)
    glass = breakglass.do_open_break_glass(people.claire, missing, LOCATE, REASON)
    assert list(breakglass.dpo_alerts(milan_dpo)) == [glass]
    with pytest.raises(NotFound):  # not before the delay
        breakglass.do_confirm_break_glass(milan_dpo, glass.pk)
    BreakGlass.objects.filter(pk=glass.pk).update(
        opened_at=timezone.now() - dt.timedelta(minutes=settings.WAYMARK_BREAK_GLASS_ESCALATE_MINUTES + 1)
    )
    breakglass.do_confirm_break_glass(milan_dpo, glass.pk)


def test_finding_2_reopening_after_a_lapse_needs_a_new_confirmation(people, missing, milan_hotline):
    first = breakglass.do_open_break_glass(milan_hotline, missing, LOCATE, REASON)
    lapse(first)
    assert not access_case(milan_hotline, missing.public_id, LOCATE).break_glass
    second = breakglass.do_open_break_glass(milan_hotline, missing, LOCATE, REASON)
    assert not second.opens_at_once
    assert not access_case(milan_hotline, missing.public_id, LOCATE).break_glass
    breakglass.do_confirm_break_glass(people.sara, second.pk)
    assert access_case(milan_hotline, missing.public_id, LOCATE).break_glass


def test_finding_2_openings_are_rate_limited_per_user(people, milan_hotline, settings):
    settings.WAYMARK_BREAK_GLASS_PER_DAY = 2
    cases = [create_case(people.giulia, given_names=f"Child {n}") for n in range(3)]
    for case in cases[:2]:
        breakglass.do_open_break_glass(milan_hotline, case, LOCATE, REASON)
    with pytest.raises(ActionError, match="2 times in 24 hours"):
        breakglass.do_open_break_glass(milan_hotline, cases[2], LOCATE, REASON)
