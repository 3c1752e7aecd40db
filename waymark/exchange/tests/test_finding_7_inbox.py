"""Issue 9, finding 7: the inbox was reachable on the ordinary listener without authentication,
and each junk POST cost a signature check, a refusal row and an audit append under the single
audit head lock that every case read also needs.

Now: in production the inbox is served only on the mutual-TLS listener; junk is refused before
any decryption or signature check (content type, size, shape, a registered sender node and key
id, addressed to us); traffic without a valid signature of a registered node is counted and
sampled into the audit log (the first of each window in full, then one entry with the count),
while every signed envelope, accepted or refused, stays an audit entry of its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os

import pytest
from django.test import override_settings
from django.urls import clear_url_caches
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.core.protocol import testing as proto
from waymark.core.protocol.keys import NodeKeys
from waymark.core.protocol.messages import body_json
from waymark.core.protocol.reasons import ReasonCode
from waymark.exchange import inbound, unsigned
from waymark.exchange.inbound import receive
from waymark.exchange.models import InboundRefusal, InboxMessage
from waymark.exchange.node import LocalNode
from waymark.vocab import AuditKind

from .test_inbox_refusals import forged, notice_header, sealed_notice

INBOX = "/exchange/inbox"


@pytest.fixture
def as_node_fr(federation, monkeypatch):
    monkeypatch.setattr(
        "waymark.exchange.views_inbox.local_node", lambda: LocalNode("node-fr", federation.fr.keys)
    )
    return federation.fr


def post(client, raw: bytes, content_type: str = "application/jose", path: str = INBOX):
    return client.post(path, data=raw, content_type=content_type)


def received_entries() -> int:
    return AuditEntry.objects.filter(kind=AuditKind.ENVELOPE_RECEIVED).count()


def junk_from_unknown_node() -> bytes:
    header, body = notice_header()
    data = header.model_dump(mode="json")
    return proto.forge(data, body_json(body), signer=NodeKeys.generate())


def bad_signature() -> bytes:
    """Routing and key id are node-it's registered ones; only the signature check can tell."""
    header, body = notice_header()
    inner = proto.sign_message(
        {"header": header.model_dump(mode="json"), "body": body_json(body)}, proto.node_keys("node-it")
    )
    head, payload, sig = inner.split(".")
    sig = ("A" if sig[0] != "A" else "B") + sig[1:]
    return proto.encrypt_for(
        f"{head}.{payload}.{sig}", proto.node_keys("node-fr"), wm_message_id=str(header.message_id)
    )


# --- the listener -------------------------------------------------------------------------------


def test_finding_7_the_ordinary_listener_answers_404_for_the_inbox_in_production(
    client, as_node_fr, settings
):
    settings.WAYMARK_EXCHANGE_INBOX_ON_WEB = False
    before = AuditEntry.objects.count()
    response = post(client, sealed_notice())
    assert response.status_code == 404
    assert not InboxMessage.objects.exists() and not InboundRefusal.objects.exists()
    assert AuditEntry.objects.count() == before


def test_finding_7_the_mtls_listener_serves_the_inbox_and_nothing_else(client, as_node_fr, settings):
    settings.WAYMARK_EXCHANGE_INBOX_ON_WEB = False
    settings.WAYMARK_EXCHANGE_LISTENER = True
    with override_settings(ROOT_URLCONF="waymark.exchange.urls_listener"):
        clear_url_caches()
        try:
            response = post(client, sealed_notice())
            assert response.status_code == 200 and response["X-Waymark-Receipt"] == "accepted"
            for page in ("/", "/accounts/login/", "/exchange/", "/admin/", "/api/cases"):
                assert client.get(page).status_code == 404, page
        finally:
            clear_url_caches()


def test_finding_7_the_tls_server_configuration_marks_its_process_as_the_exchange_listener(monkeypatch):
    # setenv first, so that the teardown puts the test process's environment back as it was.
    monkeypatch.setenv("WAYMARK_EXCHANGE_LISTENER", "false")
    import waymark.exchange.gunicorn_tls as config

    importlib.reload(config)
    assert os.environ["WAYMARK_EXCHANGE_LISTENER"] == "true"


# --- junk refused before expensive work --------------------------------------------------------


def test_finding_7_a_wrong_content_type_is_refused_before_any_work(client, as_node_fr):
    before = AuditEntry.objects.count()
    response = post(client, sealed_notice(), content_type="text/plain")
    assert response.status_code == 415
    assert not InboundRefusal.objects.exists() and AuditEntry.objects.count() == before


@pytest.fixture
def no_opening(monkeypatch):
    """Fails the test if the envelope is decrypted or its signature checked."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the envelope was opened (decryption and signature check)")

    monkeypatch.setattr(inbound, "open_envelope", refuse)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: b"not an envelope", ReasonCode.MALFORMED),
        (junk_from_unknown_node, ReasonCode.UNKNOWN_SENDER),
        (lambda: forged(from_node="node-xx"), ReasonCode.UNKNOWN_SENDER),
        (
            lambda: proto.forge(
                notice_header()[0].model_dump(mode="json"), {}, recipient=proto.node_keys("node-be")
            ),
            ReasonCode.WRONG_RECIPIENT,
        ),
    ],
)
def test_finding_7_junk_is_refused_before_decryption_and_the_signature_check(
    people, federation, no_opening, make, reason
):
    result = receive(federation.fr, make())
    assert (result.outcome, result.reason) == ("rejected", reason.value)


def test_finding_7_a_registered_sender_id_with_a_bad_signature_is_still_refused(people, federation):
    result = receive(federation.fr, bad_signature())
    assert (result.outcome, result.reason) == ("rejected", ReasonCode.BAD_SIGNATURE.value)
    assert not InboxMessage.objects.exists()


# --- counted and sampled, not appended each time -----------------------------------------------


def test_finding_7_unsigned_junk_is_counted_and_sampled_not_appended_each_time(people, federation):
    now = timezone.now()
    before = received_entries()
    makers = [lambda: b"junk", junk_from_unknown_node, bad_signature]
    for i in range(30):
        assert (
            receive(federation.fr, makers[i % 3](), now=now + dt.timedelta(seconds=i)).outcome == "rejected"
        )

    # The first of the window in full (the sample), the others only counted.
    assert received_entries() == before + 1
    assert InboundRefusal.objects.count() == 1

    # The next envelope after the window closes the window: one entry with the count.
    later = now + dt.timedelta(seconds=unsigned.window_seconds() + 31)
    receive(federation.fr, b"more junk", now=later)
    summary = AuditEntry.objects.filter(kind=AuditKind.ENVELOPE_RECEIVED).order_by("-seq")[1]
    assert summary.details["unsigned_refused"] == 29
    assert summary.details["reasons"] == {"malformed": 9, "unknown_sender": 10, "bad_signature": 10}
    assert summary.decision == "deny" and summary.details["authenticated"] is False
    # …and the first junk of the new window is its sample.
    assert received_entries() == before + 3


def test_finding_7_a_quiet_window_is_summarised_by_the_next_envelope_of_any_kind(people, federation):
    now = timezone.now()
    for i in range(5):
        receive(federation.fr, b"junk", now=now + dt.timedelta(seconds=i))
    later = now + dt.timedelta(seconds=unsigned.window_seconds() + 5)
    assert receive(federation.fr, sealed_notice(now=later), now=later).outcome == "accepted"
    summaries = [
        e
        for e in AuditEntry.objects.filter(kind=AuditKind.ENVELOPE_RECEIVED)
        if "unsigned_refused" in e.details
    ]
    assert [s.details["unsigned_refused"] for s in summaries] == [4]


def test_finding_7_a_rewrapped_replay_of_a_known_message_id_is_counted_not_appended(people, federation):
    header, body = notice_header()
    inner = proto.sign_message(
        {"header": header.model_dump(mode="json"), "body": body_json(body)}, proto.node_keys("node-it")
    )
    fr = proto.node_keys("node-fr")
    assert (
        receive(federation.fr, proto.encrypt_for(inner, fr, wm_message_id=str(header.message_id))).outcome
        == "accepted"
    )
    before = received_entries()
    for _ in range(10):
        again = receive(federation.fr, proto.encrypt_for(inner, fr, wm_message_id=str(header.message_id)))
        assert (again.outcome, again.reason) == ("duplicate", "replay")
    assert received_entries() == before + 1
    assert InboxMessage.objects.get().times_received == 1


def test_finding_7_every_signed_envelope_accepted_or_refused_is_an_audit_entry(people, federation):
    before = received_entries()
    signed = [
        forged(purpose="immigration_enforcement"),
        forged(purpose="immigration_enforcement"),
        forged(data_categories=["identity"]),
        forged(agreement_id="no-such-agreement"),
        forged(agreement_id="no-such-agreement"),
        sealed_notice(),
        sealed_notice(),
    ]
    outcomes = [receive(federation.fr, raw).outcome for raw in signed]
    assert outcomes == ["rejected"] * 5 + ["accepted"] * 2
    entries = list(AuditEntry.objects.filter(kind=AuditKind.ENVELOPE_RECEIVED).order_by("seq"))[before:]
    assert len(entries) == len(signed)
    assert all(e.details["authenticated"] for e in entries)
    assert all(e.actor == "node:node-it" for e in entries)
    # The firewall refusal is on record as what it is, from whom.
    assert entries[0].reasons == ["forbidden_purpose"]
    assert InboundRefusal.objects.filter(reason="forbidden_purpose", authenticated=True).count() == 2


def test_finding_7_the_inbox_view_refuses_oversized_bodies_without_reading_them(client, as_node_fr, settings):
    settings.WAYMARK_EXCHANGE_MAX_ENVELOPE_BYTES = 100
    assert post(client, b"x" * 101).status_code == 413
    assert not InboundRefusal.objects.exists()


def test_finding_7_junk_through_the_view_gets_a_signed_negative_receipt(client, as_node_fr):
    response = post(client, b"not an envelope")
    assert response.status_code == 200 and response["X-Waymark-Receipt"] == "rejected"


def test_finding_7_production_settings_keep_the_inbox_off_the_web_listener():
    from waymark.tests.test_settings_production import GOOD, run_manage

    shown = run_manage(
        GOOD,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.WAYMARK_EXCHANGE_INBOX_ON_WEB, s.WAYMARK_EXCHANGE_LISTENER, s.ROOT_URLCONF)",
    )
    assert shown.stdout.split() == ["False", "False", "waymark.urls"], shown.stderr
    listener = run_manage(
        {**GOOD, "WAYMARK_EXCHANGE_LISTENER": "true"},
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.ROOT_URLCONF)",
    )
    assert listener.stdout.split() == ["waymark.exchange.urls_listener"], listener.stderr
    refused = run_manage({**GOOD, "WAYMARK_EXCHANGE_INBOX_ON_WEB": "true"}, "check")
    assert refused.returncode != 0 and "WAYMARK_EXCHANGE_INBOX_ON_WEB" in refused.stderr
