"""A model attribute sealed at rest (``waymark.vault.sealed``): opens under the row's key and label,
reads ``[erased]`` (or empty) once the key is shredded, and keeps nothing new after that."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from waymark.cases.models import CarePlan, Event
from waymark.vault import service
from waymark.vault.sealed import ERASED, reveal, sealed_field, sealed_json, sealed_text


class _Meta:
    label_lower = "exchange.referral"


class Thread:
    """A row as the descriptors see it: ``<name>_sealed`` columns and a sealing key."""

    _meta = _Meta()
    reason = sealed_text("reason")
    offer = sealed_json("offer", dict)

    def __init__(self, key: uuid.UUID, **columns: Any) -> None:
        self.key = key
        self.reason_sealed = columns.get("reason_sealed", "")
        self.offer_sealed = columns.get("offer_sealed", "")

    def sealing_key(self) -> uuid.UUID:
        return self.key


class MovedThread(Thread):
    """A row moved to another model that keeps its old rows' label."""

    _meta = type("_Meta", (), {"label_lower": "exchange.thread"})()

    def __init__(self, key: uuid.UUID, kind: str, **columns: Any) -> None:
        super().__init__(key, **columns)
        self.kind = kind

    @property
    def seal_label(self) -> str:
        return f"exchange.{self.kind}"


def test_a_column_is_named_by_its_model_and_field():
    assert sealed_field(CarePlan, "needs") == "cases.careplan.needs"
    assert sealed_field(Event(), "summary") == "cases.event.summary"
    assert sealed_field(Thread(uuid.uuid4()), "reason") == "exchange.referral.reason"


def test_a_row_may_name_its_own_label_and_the_model_then_cannot():
    assert sealed_field(MovedThread(uuid.uuid4(), "notice"), "text") == "exchange.notice.text"
    with pytest.raises(TypeError):
        sealed_field(MovedThread, "text")


def test_text_and_json_are_sealed_and_open_again(db):
    row = Thread(uuid.uuid4())
    row.reason = "She is afraid of the driver."
    row.offer = {"child": {"given_names": "Amina"}}
    assert service.is_sealed(row.reason_sealed) and "afraid" not in row.reason_sealed
    assert service.is_sealed(row.offer_sealed) and "Amina" not in row.offer_sealed
    assert row.reason == "She is afraid of the driver."
    assert row.offer == {"child": {"given_names": "Amina"}}


def test_the_label_is_bound_into_the_ciphertext_so_a_moved_row_keeps_opening(db):
    key = uuid.uuid4()
    old = Thread(key)
    old.reason = "why"
    moved = MovedThread(key, "referral", reason_sealed=old.reason_sealed)
    assert moved.reason == "why"
    with pytest.raises(service.SealError):
        _ = MovedThread(key, "notice", reason_sealed=old.reason_sealed).reason


def test_blanks_read_through_and_plain_text_is_refused(db):
    row = Thread(uuid.uuid4(), reason_sealed="", offer_sealed="")
    assert row.reason == ""
    assert row.offer == {}
    with pytest.raises(service.SealError):
        _ = Thread(uuid.uuid4(), reason_sealed="written around the application").reason
    with pytest.raises(service.SealError):
        reveal(uuid.uuid4(), "cases.event.details", "plain")


def test_after_shredding_text_reads_erased_json_empty_and_nothing_new_is_kept(db):
    row = Thread(uuid.uuid4())
    row.reason = "why"
    row.offer = {"a": 1}
    service.shred(row.key, actor=None)
    assert row.reason == ERASED
    assert row.offer == {}
    assert reveal(row.key, sealed_field(row, "reason"), row.reason_sealed) == ERASED
    row.reason = "a late answer"
    assert row.reason_sealed == ""
