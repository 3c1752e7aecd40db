"""Issue 9, finding 9: the DPO's pages — "why was this allowed or refused?" and the audit log —
checked the role but not the sector, and the explanation answered about any user and any case on
the node. A DPO (or node administrator) of a sector the firewall refuses gets nothing; the others
get answers about their own organisation only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEntry
from waymark.test import create_case, create_user, login
from waymark.vocab import AuditKind, Purpose, Role


def explain(client, **params):
    return client.get(reverse("policy_explain"), params)


def explanations(actor):
    """The audit entries of explanations given to ``actor``."""
    entries = AuditEntry.objects.filter(actor=actor, kind=AuditKind.OTHER)
    return [e for e in entries if "explained_for" in e.details]


def asked(user, case, category="health"):
    return {"user": user, "case": case.reference, "purpose": "locate_missing_child", "category": category}


@pytest.mark.parametrize("role", [Role.DPO, Role.NODE_ADMIN])
def test_finding_9_the_explain_page_is_refused_to_a_forbidden_sector(client, people, role):
    case = create_case(people.giulia)
    officer = create_user("enforcer", people.immigration, role)
    login(client, officer, purpose=None)
    assert explain(client).status_code == 404
    assert explain(client, **asked("luc", case)).status_code == 404
    assert not explanations("enforcer")


@pytest.mark.parametrize("role", [Role.DPO, Role.NODE_ADMIN])
def test_finding_9_the_audit_log_is_refused_to_a_forbidden_sector(client, people, role):
    create_case(people.giulia)  # entries in the log
    officer = create_user("enforcer", people.immigration, role)
    login(client, officer, purpose=None)
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.post(reverse("audit_log")).status_code == 404


def test_finding_9_the_explain_page_answers_only_about_the_dpos_own_organisation(client, people):
    ours = create_case(people.giulia)
    theirs = create_case(people.claire, given_names="Nadia", family_name="Fictional")
    dora = create_user("dora", people.it_cps, Role.DPO)
    login(client, dora, purpose=None)

    # Our child, another organisation's user: why could (or could not) they read it?
    answered = explain(client, **asked("luc", ours))
    assert answered.status_code == 200 and "DENY" in answered.content.decode()

    # Another organisation's child: the same answer as a reference that does not exist.
    for who in ("claire", "giulia"):
        refused = explain(client, **asked(who, theirs))
        assert refused.status_code == 422, who
        assert "no case has this reference" in refused.content.decode()
        assert "DENY" not in refused.content.decode() and "ALLOW" not in refused.content.decode()
    missing = explain(client, **{**asked("giulia", theirs), "case": "XX-0000-99999"})
    assert missing.content.decode().count("no case has this reference") == 1
    assert len(explanations("dora")) == 1

    # One of our users who did touch that child (it is in our own log): we may ask why.
    login(client, people.giulia, Purpose.CHILD_PROTECTION)
    client.get(reverse("case_detail", args=[theirs.public_id]))  # refused, and logged as ours
    login(client, dora, purpose=None)
    assert explain(client, **asked("giulia", theirs)).status_code == 200


def test_the_audit_log_shows_only_the_dpos_own_organisation(client, people):
    create_case(people.claire, given_names="Nadia", family_name="Fictional")
    dora = create_user("dora", people.it_cps, Role.DPO)
    login(client, dora, purpose=None)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert all("fr-ngo-calais" not in (e.actor_org, e.peer_org) for e in response.context["entries"])
