"""/healthz: 200 when the database answers, 503 when it does not; no token needed."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError, connection
from django.test import Client


def test_it_is_ok_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_it_is_503_when_the_database_is_unreachable(db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"
