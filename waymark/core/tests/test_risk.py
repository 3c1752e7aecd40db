"""The risk assessment: golden cases from the fictional scenarios, every reason listed."""

from __future__ import annotations

import pytest

from waymark.core.risk import Level, RiskFacts, assess


def codes(facts: RiskFacts) -> tuple[str, list[str]]:
    result = assess(facts)
    return result.level, [r.code for r in result.reasons]


GOLDEN = [
    ("nothing known", RiskFacts(), ("low", [])),
    ("a 17-year-old runaway, nothing else", RiskFacts(age=17, missing_category="runaway"), ("low", [])),
    ("a 13-year-old is high by age alone", RiskFacts(age=13), ("high", ["very_young"])),
    ("14 and 15 are medium", RiskFacts(age=15), ("medium", ["young"])),
    (
        '"A." (fictional): 16, unaccompanied, a new friend before leaving',
        RiskFacts(age=16, unaccompanied=True, triggers=frozenset({"new_friend"})),
        ("medium", ["grooming", "unaccompanied"]),
    ),
    (
        '"Q." (fictional): 15, unaccompanied, owes smugglers',
        RiskFacts(age=15, unaccompanied=True, debt=True),
        ("high", ["debt", "young", "unaccompanied"]),
    ),
    (
        "three medium factors together are high, and say so",
        RiskFacts(age=15, unaccompanied=True, previous_disappearances=1),
        ("high", ["several_factors", "young", "previous_disappearance", "unaccompanied"]),
    ),
    (
        "urgent health needs replace plain health needs",
        RiskFacts(age=17, health_needs=True, urgent_health_needs=True),
        ("high", ["urgent_health"]),
    ),
    ("plain health needs are medium", RiskFacts(age=17, health_needs=True), ("medium", ["health"])),
    (
        "trafficking indicators, in checklist order",
        RiskFacts(contact_with_suspected_traffickers=True, exploitation_indicators=True),
        ("high", ["trafficker_contact", "exploitation"]),
    ),
    (
        "an international abduction is high",
        RiskFacts(age=17, missing_category="parental_abduction_international"),
        ("high", ["abduction"]),
    ),
    (
        "repeat disappearances and a Dublin delay",
        RiskFacts(age=17, previous_disappearances=3, triggers=frozenset({"dublin_delay"})),
        ("medium", ["repeat_disappearances", "procedure"]),
    ),
]


@pytest.mark.parametrize(("facts", "expected"), [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_it_gives_the_level_with_every_reason(facts, expected):
    assert codes(facts) == expected


def test_every_reason_says_why_in_words_and_points_to_a_level():
    result = assess(RiskFacts(age=12, debt=True, unaccompanied=True, health_needs=True))
    assert result.level == Level.HIGH
    assert all(r.text and r.level in Level for r in result.reasons)
    # Highest level first: the reasons that decided the level are read first.
    levels = [r.level for r in result.reasons]
    assert levels == sorted(levels, key=["high", "medium", "low"].index)


def test_the_level_is_never_above_its_highest_reason_unless_several_combine():
    result = assess(RiskFacts(age=15, unaccompanied=True))
    assert result.level == Level.MEDIUM
    assert [r.code for r in result.reasons] == ["young", "unaccompanied"]
