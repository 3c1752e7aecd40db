"""Fuzzer finding: the tracing withdrawal's input was named ``WithdrawIn`` like the missing-child
alert's; the OpenAPI document keeps one component per name, so ``POST …/alerts/withdraw`` was
documented with the tracing reasons ("no_longer_needed") and refused them (400). Each operation's
body must be documented with its own reasons."""

from __future__ import annotations

from django.test import Client

from waymark.core.protocol.messages import TracingWithdrawReason, WithdrawReason


def _reasons(document, path):
    ref = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    reason = schema["properties"]["reason_code"]
    reason = reason["allOf"][0] if "allOf" in reason else reason
    if "$ref" in reason:
        reason = document["components"]["schemas"][reason["$ref"].rsplit("/", 1)[1]]
    return set(reason["enum"])


def test_fuzz_finding_each_withdrawal_is_documented_with_its_own_reasons():
    document = Client().get("/api/openapi.json").json()
    assert _reasons(document, "/api/cases/{public_id}/alerts/withdraw") == {r.value for r in WithdrawReason}
    assert _reasons(document, "/api/tracing-requests/{thread_id}/withdraw") == {
        r.value for r in TracingWithdrawReason
    }
