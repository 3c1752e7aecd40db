"""docs/protocol.md is what another implementation is written from: every message type, body
field and reason code the code speaks must be documented there."""

from __future__ import annotations

from pathlib import Path

import pytest

from waymark.core.protocol.messages import BODY_SCHEMAS, MessageType
from waymark.core.protocol.reasons import ReasonCode

DOC = (Path(__file__).resolve().parents[3] / "docs" / "protocol.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", list(MessageType))
def test_every_message_type_is_documented(kind):
    assert f"`{kind.value}`" in DOC


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_code_is_documented(code):
    assert f"`{code.value}`" in DOC


@pytest.mark.parametrize("kind", list(BODY_SCHEMAS))
def test_every_body_field_is_documented(kind):
    section = DOC.split(f"#### `{kind.value}`", 1)[1].split("####", 1)[0]
    for field in BODY_SCHEMAS[kind].model_fields:
        assert f"`{field}`" in section, f"{kind.value}.{field}"
