"""The firewall's invariants, over hundreds of random requests (Hypothesis, pure facts, no DB).

Random organisations (random sectors), users (random roles), cases (sometimes with the user as
guardian), purposes, categories, actions, instants and agreements (random status, validity,
parties and grants, often including exactly the grant asked for). Whatever comes out:

- Cedar reports no evaluation error;
- the purpose immigration_enforcement, or a user of an immigration-enforcement organisation,
  is always refused;
- any allow across organisations (other than the child's guardian) names an agreement that is
  active, in date, binds both organisations and holds exactly this grant, about a child the two
  organisations share a context about for this purpose, while the purpose fits (need to know);
- and conversely such an agreement does open the door, unless a fixed limit forbids it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import cedarpy
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from waymark.policy import engine
from waymark.policy.facts import AgreementFacts, GrantFacts, Resource, Subject
from waymark.policy.service import evaluate
from waymark.vocab import (
    SPECIAL_CATEGORIES,
    AgreementStatus,
    DataCategory,
    PolicyAction,
    Purpose,
    Role,
    Sector,
)

ORGS = ["org-a", "org-b", "org-c"]
BASE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
IMMIGRATION = Sector.IMMIGRATION_ENFORCEMENT.value

# Half the time an ordinary request (no fixed limit applies), so allows are common enough that
# every clause of the agreement policy gets exercised; otherwise anything at all.
ORDINARY_ROLES = [r for r in Role.values if r not in {Role.NODE_ADMIN, Role.DPO}]
ORDINARY_PURPOSES = [
    p for p in Purpose.values if p not in {Purpose.IMMIGRATION_ENFORCEMENT, Purpose.STATISTICS, Purpose.AUDIT}
]
ORDINARY_SECTORS = [s for s in Sector.values if s != Sector.IMMIGRATION_ENFORCEMENT]
roles = st.one_of(st.sampled_from(ORDINARY_ROLES), st.sampled_from(Role.values))
purposes = st.one_of(st.sampled_from(ORDINARY_PURPOSES), st.sampled_from(Purpose.values))
sectors = st.one_of(st.sampled_from(ORDINARY_SECTORS), st.sampled_from(Sector.values))
category_values = st.sampled_from(DataCategory.values)
actions = st.sampled_from(PolicyAction.values)
seconds = st.integers(min_value=-400 * 86400, max_value=400 * 86400)


DEFECTS = [
    None,
    "status",
    "not-yet",
    "expired",
    "inverted",
    "party",
    "org",
    "role",
    "category",
    "purpose",
    "action",
]


@st.composite
def near_misses(draw, subject, resource, purpose, categories, action, now):
    """An agreement that opens exactly the requested grants, with at most one thing wrong."""
    defect = draw(st.one_of(st.none(), st.sampled_from(DEFECTS)))
    before = dt.timedelta(seconds=draw(st.integers(0, 86400)))
    after = dt.timedelta(seconds=draw(st.integers(1, 86400)))
    start, end = now - before, now + after
    if defect == "not-yet":
        start, end = now + after, now + after + before + after
    elif defect == "expired":
        start, end = now - before - after, now - before
    elif defect == "inverted":
        start, end = now + after, now - before
    parties = {subject.org, resource.org, *draw(st.lists(st.sampled_from(ORGS)))}
    if defect == "no-user-party":
        parties.discard(subject.org)
    elif defect == "no-case-party":
        parties.discard(resource.org)
    grants = set()
    for category in categories:
        fields = {
            "org": subject.org,
            "role": subject.role,
            "category": category,
            "purpose": purpose,
            "action": action,
        }
        if defect in {"org", "role", "category", "purpose", "action"}:
            pool = {
                "org": ORGS,
                "role": Role.values,
                "category": DataCategory.values,
                "purpose": Purpose.values,
                "action": PolicyAction.values,
            }[defect]
            fields[defect] = draw(st.sampled_from([v for v in pool if v != fields[defect]]))
        grants.add(GrantFacts(**fields))
    status = AgreementStatus.ACTIVE.value
    if defect == "status":
        status = draw(st.sampled_from([s for s in AgreementStatus.values if s != status]))
    return AgreementFacts(
        "agreement-near",
        status,
        start,
        end,
        frozenset(parties),
        frozenset(grants),
        requires_consent=draw(st.booleans()),
    )


@st.composite
def worlds(draw):
    sector_of = {org: draw(sectors) for org in ORGS}
    subject_org = draw(st.sampled_from(ORGS))
    subject = Subject("user-1", subject_org, sector_of[subject_org], "IT", draw(roles))
    case_org = draw(st.sampled_from(ORGS))
    guardian = draw(st.sampled_from([None, "user-1", "user-2"]))
    purpose = draw(purposes)
    # Need to know: usually the context asked about is shared (so agreements get exercised),
    # sometimes another organisation's or another purpose's, sometimes none.
    contexts = st.tuples(st.sampled_from(ORGS), purposes)
    shared = set(draw(st.lists(contexts, max_size=3)))
    if draw(st.booleans()):
        shared.add((subject_org, purpose))
    resource = Resource(
        "case-1",
        case_org,
        sector_of[case_org],
        "FR",
        guardian,
        missing=draw(st.booleans()),
        shared=frozenset(shared),
        consents=frozenset(
            draw(st.lists(st.tuples(st.sampled_from(ORGS), purposes, category_values), max_size=4))
            + [(subject_org, purpose, c) for c in draw(st.lists(category_values, max_size=3))]
        ),
    )
    categories = draw(st.lists(category_values, min_size=1, max_size=4, unique=True))
    action = draw(actions)
    now = BASE + dt.timedelta(seconds=draw(seconds), microseconds=draw(st.integers(0, 999_999)))

    agreements = [draw(near_misses(subject, resource, purpose, categories, action, now))]
    for n in range(draw(st.integers(0, 2))):
        start = BASE + dt.timedelta(seconds=draw(seconds))
        # Includes empty and inverted validity (the validator refuses those; Cedar must too).
        end = start + dt.timedelta(seconds=draw(st.integers(-86400, 800 * 86400)))
        parties = frozenset(draw(st.lists(st.sampled_from(ORGS), max_size=3, unique=True)))
        grants = set(
            draw(
                st.lists(
                    st.builds(GrantFacts, st.sampled_from(ORGS), roles, category_values, purposes, actions),
                    max_size=6,
                )
            )
        )
        # Often the exact grant asked for, in an agreement that may be off in another way.
        for category in categories:
            if draw(st.booleans()):
                grants.add(GrantFacts(subject.org, subject.role, category, purpose, action))
        agreements.append(
            AgreementFacts(
                identifier=f"agreement-{n}",
                status=draw(st.sampled_from(AgreementStatus.values)),
                valid_from=start,
                valid_until=end,
                parties=parties,
                grants=frozenset(grants),
            )
        )
    return subject, resource, agreements, purpose, categories, action, now


def opens(a: AgreementFacts, s: Subject, r: Resource, grant: GrantFacts, now: dt.datetime) -> bool:
    return (
        a.status == AgreementStatus.ACTIVE
        and a.valid_from <= now < a.valid_until
        and s.org != r.org
        and {s.org, r.org} <= a.parties
        and grant in a.grants
        # need to know: a context about this child for this purpose, and the purpose fits
        and (s.org, grant.purpose) in r.shared
        and (grant.purpose != Purpose.LOCATE_MISSING_CHILD or r.missing)
        # consent, where the agreement rests on it
        and (not a.requires_consent or (s.org, grant.purpose, grant.category) in r.consents)
    )


def limited(s: Subject, purpose: str, category: str, action: str) -> bool:
    """A fixed forbid rule applies (firewall.cedar, limits.cedar)."""
    if s.org_sector == IMMIGRATION or purpose in {Purpose.IMMIGRATION_ENFORCEMENT, Purpose.STATISTICS}:
        return True
    if s.role == Role.NODE_ADMIN:
        return True
    if (purpose == Purpose.AUDIT) != (s.role == Role.DPO):
        return True
    if s.role == Role.DUBLIN_OFFICER and category in {"health", "disclosure", "case_notes"}:
        return True  # limit-dublin-officer-no-special-categories
    return s.role == Role.DPO and (action == PolicyAction.UPDATE or category in SPECIAL_CATEGORIES)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_firewall_holds_for_any_request(world):
    subject, resource, agreements, purpose, categories, action, now = world
    [decisions] = evaluate(
        subject, [resource], agreements, purpose=purpose, categories=categories, action=action, now=now
    )
    assert set(decisions) == set(categories)
    where = "own organisation" if subject.org == resource.org else "across organisations"
    event(f"{'some allowed' if any(d.allowed for d in decisions.values()) else 'all refused'} {where}")
    for category, d in decisions.items():
        assert d.errors == []
        assert d.reasons, "every decision names what decided it"
        wanted = GrantFacts(subject.org, subject.role, category, purpose, action)

        if purpose == Purpose.IMMIGRATION_ENFORCEMENT or subject.org_sector == IMMIGRATION:
            assert not d.allowed
            assert {"firewall-purpose", "firewall-sector"} & set(d.reasons)

        if d.allowed and subject.org != resource.org:
            if d.agreement_id is None:
                # The only way across organisations without an agreement: the child's guardian
                # (to protect them, or to locate them when missing).
                assert d.reasons in (["guardian-of-the-child"], ["guardian-locate-missing-ward"])
                assert resource.guardian == subject.uid and subject.role == Role.GUARDIAN
            else:
                agreement = next(a for a in agreements if a.identifier == d.agreement_id)
                assert opens(agreement, subject, resource, wanted, now)

        if d.allowed and subject.org == resource.org:
            assert d.agreement_id is None

        if any(opens(a, subject, resource, wanted, now) for a in agreements):
            assert d.allowed == (not limited(subject, purpose, category, action))
        if limited(subject, purpose, category, action):
            assert not d.allowed

    # The Cedar policies on their own, without the service's choice of candidate agreements:
    # offered ANY agreement, Cedar still opens the door only under one that binds both sides.
    for agreement in agreements:
        for category, result in zip(categories, ask_cedar(world, agreement), strict=True):
            assert result.diagnostics.errors == []
            via = [r for r in result.diagnostics.reasons if r.startswith("agreement-")]
            if result.allowed and via:
                wanted = GrantFacts(subject.org, subject.role, category, purpose, action)
                assert opens(agreement, subject, resource, wanted, now), (agreement, wanted)


def ask_cedar(world, agreement):
    subject, resource, _, purpose, categories, action, now = world
    eng = engine.get_engine()
    ents = engine.entities(subject, (resource,), (agreement,))
    requests = [
        engine.request(
            subject,
            resource,
            action=action,
            purpose=purpose,
            category=c,
            now=engine.cedar_datetime(now),
            agreement=agreement.identifier,
        )
        for c in categories
    ]
    return cedarpy.is_authorized_batch(requests, eng.policies, ents, eng.schema)


@settings(max_examples=300, deadline=None)
@given(
    sector=st.sampled_from(Sector.values),
    role=roles,
    category=category_values,
    action=actions,
    guardian=st.booleans(),
)
def test_immigration_enforcement_purpose_is_refused_even_with_every_grant(
    sector, role, category, action, guardian
):
    subject = Subject("user-1", "org-a", sector, "IT", role)
    for case_org in ("org-a", "org-b"):
        resource = Resource("case-1", case_org, Sector.CHILD_PROTECTION, "IT", "user-1" if guardian else None)
        everything = AgreementFacts(
            "everything",
            AgreementStatus.ACTIVE,
            BASE - dt.timedelta(days=1),
            BASE + dt.timedelta(days=1),
            frozenset({"org-a", "org-b"}),
            frozenset({GrantFacts("org-a", role, category, Purpose.IMMIGRATION_ENFORCEMENT, action)}),
        )
        [d] = evaluate(
            subject,
            [resource],
            [everything],
            purpose=Purpose.IMMIGRATION_ENFORCEMENT,
            categories=[category],
            action=action,
            now=BASE,
        )
        assert not d[category].allowed
        assert "firewall-purpose" in d[category].reasons
        assert d[category].errors == []


FLAWS: dict[str, dict[str, Any]] = {
    "status": {"status": AgreementStatus.SUSPENDED},
    "draft": {"status": AgreementStatus.DRAFT},
    "terminated": {"status": AgreementStatus.TERMINATED},
    "not-yet": {"valid_from": BASE + dt.timedelta(seconds=1)},
    "expired": {"valid_until": BASE},
    "no-user-party": {"parties": frozenset({"org-b", "org-c"})},
    "no-case-party": {"parties": frozenset({"org-a", "org-c"})},
    "org": {"grant": {"org": "org-c"}},
    "role": {"grant": {"role": Role.SUPERVISOR}},
    "category": {"grant": {"category": DataCategory.PHOTO}},
    "purpose": {"grant": {"purpose": Purpose.FAMILY_TRACING}},
    "action": {"grant": {"action": PolicyAction.UPDATE}},
}


def flawed_agreement(flaw: str | None) -> AgreementFacts:
    change = dict(FLAWS.get(flaw or "", {}))
    grant = {
        "org": "org-a",
        "role": Role.CASEWORKER.value,
        "category": DataCategory.IDENTITY.value,
        "purpose": Purpose.LOCATE_MISSING_CHILD.value,
        "action": PolicyAction.READ.value,
        **change.pop("grant", {}),
    }
    fields = {
        "identifier": "agreement-table",
        "status": AgreementStatus.ACTIVE.value,
        "valid_from": BASE - dt.timedelta(days=1),
        "valid_until": BASE + dt.timedelta(seconds=1),
        "parties": frozenset({"org-a", "org-b"}),
        "grants": frozenset({GrantFacts(**grant)}),
        **change,
    }
    return AgreementFacts(**fields)


@pytest.mark.parametrize("flaw", [None, *FLAWS])
def test_each_flaw_of_an_agreement_alone_keeps_the_door_closed(flaw):
    subject = Subject("user-1", "org-a", Sector.NGO, "FR", Role.CASEWORKER)
    resource = Resource(
        "case-1",
        "org-b",
        Sector.CHILD_PROTECTION,
        "IT",
        missing=True,
        shared=frozenset({("org-a", Purpose.LOCATE_MISSING_CHILD)}),
    )
    world: tuple[Any, ...] = (
        subject,
        resource,
        [],
        Purpose.LOCATE_MISSING_CHILD,
        [DataCategory.IDENTITY],
        PolicyAction.READ,
        BASE,
    )
    [result] = ask_cedar(world, flawed_agreement(flaw))
    assert result.diagnostics.errors == []
    assert result.allowed == (flaw is None)


@pytest.mark.parametrize(
    "missing, shared",
    [
        (True, frozenset()),  # no context about the child
        (True, frozenset({("org-c", Purpose.LOCATE_MISSING_CHILD)})),  # another organisation's
        (True, frozenset({("org-a", Purpose.CARE_CONTINUITY)})),  # another purpose's
        (False, frozenset({("org-a", Purpose.LOCATE_MISSING_CHILD)})),  # the child is not missing
    ],
)
def test_need_to_know_a_flawless_agreement_opens_nothing_without_a_fitting_context(missing, shared):
    subject = Subject("user-1", "org-a", Sector.NGO, "FR", Role.CASEWORKER)
    resource = Resource("case-1", "org-b", Sector.CHILD_PROTECTION, "IT", missing=missing, shared=shared)
    world: tuple[Any, ...] = (
        subject,
        resource,
        [],
        Purpose.LOCATE_MISSING_CHILD,
        [DataCategory.IDENTITY],
        PolicyAction.READ,
        BASE,
    )
    [result] = ask_cedar(world, flawed_agreement(None))
    assert result.diagnostics.errors == []
    assert not result.allowed


def test_an_agreement_never_opens_a_case_of_the_users_own_organisation():
    # Own-organisation access is the domestic matrix's business; a hotline operator may not
    # read health through an agreement that happens to name their own organisation twice.
    subject = Subject("user-1", "org-a", Sector.HOTLINE, "FR", Role.HOTLINE_OPERATOR)
    resource = Resource("case-1", "org-a", Sector.HOTLINE, "FR")
    agreement = AgreementFacts(
        "self",
        AgreementStatus.ACTIVE,
        BASE - dt.timedelta(days=1),
        BASE + dt.timedelta(days=1),
        frozenset({"org-a", "org-b"}),
        frozenset(
            {
                GrantFacts(
                    "org-a", Role.HOTLINE_OPERATOR, DataCategory.HEALTH, Purpose.CHILD_PROTECTION, "read"
                )
            }
        ),
    )
    world: tuple = (
        subject,
        resource,
        [],
        Purpose.CHILD_PROTECTION,
        [DataCategory.HEALTH],
        PolicyAction.READ,
        BASE,
    )
    [result] = ask_cedar(world, agreement)
    assert not result.allowed
