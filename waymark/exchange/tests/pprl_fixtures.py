"""Fixtures for the privacy-preserving match tests: a shared fictional key, nodes that list the
match types, and the children on each side."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from waymark.cases.models import Case
from waymark.core import pprl
from waymark.core.protocol import messages as m
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.registry import BASELINE_MESSAGE_TYPES
from waymark.core.protocol.vocab import Purpose as WirePurpose
from waymark.exchange import encodings
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_registry
from waymark.test import Personas, create_case
from waymark.vocab import CaseStatus, DatePrecision, Purpose, Sex

KEY_ID = "it-fr-be-2025-k1"
SECRET = os.urandom(32)  # fictional, per test run


def write_keys(path: Path, *keys: tuple[str, bytes]) -> None:
    listed = [{"key_id": k, "secret": base64.b64encode(s).decode()} for k, s in keys]
    path.write_text(json.dumps({proto.AGREEMENT_ID: listed}))


@pytest.fixture
def pprl_keys(settings, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pprl-keys.json"
    write_keys(path, (KEY_ID, SECRET))
    settings.WAYMARK_PPRL_KEY_FILE = path
    settings.WAYMARK_PPRL_DAILY_BUDGET = 50
    settings.WAYMARK_PPRL_PER_MINUTE = 5
    encodings.forget_cache()
    yield path
    encodings.forget_cache()


@pytest.fixture
def matching_federation(federation, pprl_keys):
    """The federation, each node listing the match types it now implements."""
    taken = tuple(sorted({*BASELINE_MESSAGE_TYPES, m.MessageType.MATCH_QUERY, m.MessageType.MATCH_RESULT}))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in current_registry().nodes)
    federation.publish(dated_registry(version=2, nodes=nodes))
    return federation


@dataclass
class Children:
    missing: Case  # Giulia's, in Italy: reported missing
    same: Case  # Claire's, in France: the same child, in Arabic script and another spelling
    other: Case  # Claire's: another child


def create_children(people: Personas) -> Children:
    missing = create_case(
        people.giulia,
        given_names="Mohamed",
        family_name="Hossein",
        sex=Sex.MALE,
        birth_date=dt.date(2008, 1, 1),
        birth_date_precision=DatePrecision.YEAR,
        nationality="SY",
    )
    missing.status = CaseStatus.MISSING
    missing.save(update_fields=["status"])
    same = create_case(
        people.claire,
        given_names="محمد",
        family_name="حسين",
        name_latin="Muhammad Hussain",
        sex=Sex.MALE,
        birth_date=dt.date(2008, 1, 1),
        birth_date_precision=DatePrecision.YEAR,
        nationality="SY",
    )
    other = create_case(
        people.claire,
        given_names="Fatima",
        family_name="Al-Ubaidi",
        sex=Sex.FEMALE,
        birth_date=dt.date(2011, 6, 2),
        nationality="IQ",
    )
    return Children(missing, same, other)


def sealed_query(
    *,
    key_id: str = KEY_ID,
    secret: bytes = SECRET,
    purpose: Purpose = Purpose.LOCATE_MISSING_CHILD,
    records: int = 1,
    names: tuple[str, ...] = ("Mohamed Hossein",),
) -> bytes:
    """A match query from the Italian service to the French NGO, sealed as node-it would."""
    encoded = pprl.encode(
        pprl.Identity(names, 2008, None, None, True, "M", "SY"), pprl.PprlKey(key_id, secret)
    )
    body = m.MatchQuery(
        encoding_version=pprl.ENCODING_VERSION,
        key_id=key_id,
        records=tuple(
            m.EncodedRecord(ref=f"q{i}", bloom_base64=base64.b64encode(encoded).decode())
            for i in range(records)
        ),
    )
    header = m.make_header(
        type=m.MessageType.MATCH_QUERY,
        body=body,
        conversation_id=str(uuid.uuid4()),
        from_node="node-it",
        from_org="it-cps-milano",
        to_node="node-fr",
        to_org="fr-ngo-calais",
        agreement_id=proto.AGREEMENT_ID,
        purpose=WirePurpose(purpose.value),
        now=timezone.now(),
    )
    return seal(header, body, proto.node_keys("node-it"), public_jwk(proto.node_keys("node-fr").encryption))
