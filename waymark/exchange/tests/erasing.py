"""Fixtures for the erasure tests (finding 10): nodes that take erasure notices, a DPO on each
side, and the DPO's erasure form filled in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.exchange import threads
from waymark.exchange.erasure import EraseChildIn
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import Federation, dated_registry
from waymark.test import Personas, create_user
from waymark.vocab import ErasureBasis, Role

REASON = "The young person asked us to erase their record (request of 2 May)."


@dataclass
class Dpos:
    it: User  # Dora, DPO of the Milan service
    fr: User  # Fanny, DPO of the Calais NGO
    be: User  # Bruno, DPO of the Belgian police unit


@pytest.fixture
def dpos(people: Personas) -> Dpos:
    return Dpos(
        it=create_user("dora", people.it_cps, Role.DPO),
        fr=create_user("fanny", people.fr_ngo, Role.DPO),
        be=create_user("bruno", people.be_police, Role.DPO),
    )


@pytest.fixture
def takes_erasure(federation: Federation) -> Federation:
    """Every node lists the types this code implements (as ``node_init`` makes them do)."""
    taken = tuple(sorted(threads.implemented_types()))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in current_registry().nodes)
    federation.publish(dated_registry(version=2, nodes=nodes))
    return federation


def erase_form(case: Case, **changes: object) -> EraseChildIn:
    fields: dict[str, object] = {
        "reason": REASON,
        "legal_basis": ErasureBasis.CONSENT_WITHDRAWN,
        "confirm_reference": case.reference,
    }
    fields.update(changes)
    return EraseChildIn.model_validate(fields)
