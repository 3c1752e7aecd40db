"""Migration continuity 0007: a take-charge request's bare ``tracing_result_id`` becomes the link
``relative`` when it names a relative of the same case; any other reference is dropped; every row
stays readable."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from waymark.continuity.models import TakeChargeRequest
from waymark.test import create_case, create_personas

BEFORE = [("continuity", "0006_merge_family_tracing_take_charge_bia")]


@pytest.mark.django_db(transaction=True)
def test_existing_references_become_links_and_every_row_stays_readable():
    people = create_personas()
    case, other = create_case(people.giulia), create_case(people.giulia)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Relative = old.get_model("continuity", "Relative")
    Request = old.get_model("continuity", "TakeChargeRequest")
    now = timezone.now()

    def relative(on):
        return Relative.objects.create(
            case_id=on.pk,
            full_name="Yonas (fictional)",
            relationship="sibling",
            recorded_at=now,
            updated_at=now,
        )

    def request(reference):
        return Request.objects.create(
            case_id=case.pk,
            requested_country="BE",
            registered_at=now,
            created_at=now,
            tracing_result_id=reference,
        ).public_id

    ours, theirs = relative(case), relative(other)
    linked = request(ours.public_id)
    elsewhere = request(theirs.public_id)  # another case's relative: not a link
    dangling = request(uuid.uuid4())
    none = request(None)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    found = {r.public_id: r for r in TakeChargeRequest.objects.select_related("relative")}
    link = found[linked].relative
    assert link is not None and link.public_id == ours.public_id
    for public_id in (elsewhere, dangling, none):
        assert found[public_id].relative is None
        assert found[public_id].schedule().regime is not None  # readable, its deadlines computed
