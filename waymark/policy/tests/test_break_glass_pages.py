"""Break-glass through the pages: open with a reason, a supervisor confirms, refusals."""

from __future__ import annotations

from django.urls import reverse

from waymark.policy.breakglass import BreakGlass
from waymark.test import create_case, login, share
from waymark.vocab import Purpose


def test_a_caseworker_opens_emergency_access_and_the_owners_supervisor_confirms(client, people):
    case = create_case(people.giulia)
    share(case, people.fr_ngo, Purpose.LOCATE_MISSING_CHILD, missing=True)  # a link; no agreement
    login(client, people.claire, purpose=Purpose.LOCATE_MISSING_CHILD)
    assert client.get(reverse("case_detail", args=[case.public_id])).status_code == 404
    short = client.post(reverse("break_glass_open"), {"reference": case.reference, "reason": "urgent"})
    assert short.status_code == 422
    assert not BreakGlass.objects.exists()
    opened = client.post(
        reverse("break_glass_open"),
        {"reference": case.reference, "reason": "Seen getting into a van with two adults an hour ago"},
    )
    assert opened["Location"] == reverse("case_detail", args=[case.public_id])
    # Another organisation's child: nothing opens until Milan confirms.
    assert client.get(opened["Location"]).status_code == 404
    glass = BreakGlass.objects.get()
    login(client, people.sara)
    assert case.reference in client.get(reverse("break_glass_list")).content.decode()
    client.post(reverse("break_glass_confirm", args=[glass.pk]))
    glass.refresh_from_db()
    assert glass.confirmed_by == people.sara
    login(client, people.claire, purpose=Purpose.LOCATE_MISSING_CHILD)
    assert client.get(reverse("case_detail", args=[case.public_id])).status_code == 200


def test_an_unknown_reference_is_named(client, people):
    login(client, people.claire, purpose=Purpose.LOCATE_MISSING_CHILD)
    response = client.post(reverse("break_glass_open"), {"reference": "XX-0", "reason": "x" * 30})
    assert response.status_code == 422
    assert "no case of your organisation" in response.content.decode()


def test_not_for_statistics_or_audit(client, people):
    case = create_case(people.giulia)
    login(client, people.claire, purpose=Purpose.STATISTICS)
    response = client.post(reverse("break_glass_open"), {"reference": case.reference, "reason": "x" * 30})
    assert response.status_code == 422
    assert not BreakGlass.objects.exists()
