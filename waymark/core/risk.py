"""The risk assessment of a missing child: a checklist of facts in, a level and its reasons out.

Explainable by construction, never a score: every fact that raises the level is one ``Reason``
(a stable code, the level it points to, a sentence), and the level is the highest a reason
points to — or ``high`` when ``SEVERAL_MEDIUM`` medium reasons come together. No reason at all
is ``low``. A person may override the result with a recorded reason (the app keeps both).
The rules follow the risk factors the 116 000 hotlines and Missing Children Europe name for
migrant children: young age, health, trafficking and exploitation indicators, debt, earlier
disappearances, and the triggers seen before a child leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_ORDER = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}

# Below this age a missing child is high risk whatever else is known; up to YOUNG_AGE medium.
VERY_YOUNG_AGE = 14
YOUNG_AGE = 16
# Medium reasons that, together, make the risk high.
SEVERAL_MEDIUM = 3
# The 116 000 categories that are high risk by themselves (a third party took the child).
HIGH_RISK_CATEGORIES = frozenset({"criminal_abduction", "parental_abduction_international"})
# Triggers that point to grooming or recruitment (a new "friend", an unknown caller).
GROOMING_TRIGGERS = frozenset({"new_friend", "unknown_call"})
# Triggers that point to a child leaving a procedure (refused transfer, Dublin delay).
PROCEDURE_TRIGGERS = frozenset({"refused_transfer", "dublin_delay"})


@dataclass(frozen=True)
class RiskFacts:
    """What the checklist records. ``age`` is the youngest the child may be (an assessed range
    counts from its lower end); ``None`` when nobody knows."""

    age: int | None = None
    unaccompanied: bool = False
    health_needs: bool = False
    urgent_health_needs: bool = False
    exploitation_indicators: bool = False
    contact_with_suspected_traffickers: bool = False
    debt: bool = False
    previous_disappearances: int = 0
    missing_category: str = ""
    triggers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reason:
    code: str
    level: Level
    text: str


@dataclass(frozen=True)
class RiskResult:
    level: Level
    reasons: tuple[Reason, ...]


def assess(facts: RiskFacts) -> RiskResult:
    """The level the facts point to and every reason, highest level first, in checklist order."""
    reasons: list[Reason] = []

    def add(code: str, level: Level, text: str) -> None:
        reasons.append(Reason(code, level, text))

    if facts.age is not None and facts.age < VERY_YOUNG_AGE:
        add("very_young", Level.HIGH, f"the child may be under {VERY_YOUNG_AGE}")
    elif facts.age is not None and facts.age < YOUNG_AGE:
        add("young", Level.MEDIUM, f"the child may be under {YOUNG_AGE}")
    if facts.contact_with_suspected_traffickers:
        add("trafficker_contact", Level.HIGH, "in contact with suspected traffickers")
    if facts.exploitation_indicators:
        add("exploitation", Level.HIGH, "known indicators of exploitation")
    if facts.debt:
        add("debt", Level.HIGH, "owes a debt (to smugglers or others): a risk of debt bondage")
    if facts.urgent_health_needs:
        add("urgent_health", Level.HIGH, "health needs that cannot wait (medication, treatment)")
    elif facts.health_needs:
        add("health", Level.MEDIUM, "health needs")
    if facts.missing_category in HIGH_RISK_CATEGORIES:
        add("abduction", Level.HIGH, "taken by a third party or abroad (the 116 000 category)")
    if facts.previous_disappearances >= 2:
        add("repeat_disappearances", Level.MEDIUM, "has gone missing more than once before")
    elif facts.previous_disappearances == 1:
        add("previous_disappearance", Level.MEDIUM, "has gone missing before")
    if facts.triggers & GROOMING_TRIGGERS:
        add("grooming", Level.MEDIUM, 'a new "friend" or an unknown caller before leaving')
    if facts.triggers & PROCEDURE_TRIGGERS:
        add("procedure", Level.MEDIUM, "left after a refused transfer or a Dublin delay")
    if facts.unaccompanied:
        add("unaccompanied", Level.MEDIUM, "unaccompanied: no parent or carer looking for them")

    level = max((r.level for r in reasons), key=_ORDER.__getitem__, default=Level.LOW)
    medium = sum(1 for r in reasons if r.level == Level.MEDIUM)
    if level == Level.MEDIUM and medium >= SEVERAL_MEDIUM:
        level = Level.HIGH
        reasons.append(
            Reason("several_factors", Level.HIGH, f"{medium} risk factors together (from {SEVERAL_MEDIUM})")
        )
    ordered = sorted(reasons, key=lambda r: -_ORDER[r.level])
    return RiskResult(level, tuple(ordered))
