"""``POST /exchange/inbox``: the node's front door for envelopes from its peers.

Raw envelope in (``application/jose``), signed receipt out — positive or negative, both with
HTTP 200, since the receipt itself is the answer. No session, no CSRF token: peers are
authenticated by mutual TLS at the transport and by the envelope signature. When this node
cannot judge an envelope (no valid registry, no keys) it answers 503 without a receipt so the
sender retries; a database failure is a 500, retried the same way.

Served on the exchange listener (``gunicorn_tls``); on the web listener only outside production
(``WAYMARK_EXCHANGE_INBOX_ON_WEB``), else 404 as if it did not exist. Before anything is read:
another content type is 415, a body over the limit 413 (``inbound.receive`` then refuses junk
before any key work).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .inbound import receive
from .node import local_node
from .registry import ExchangeUnavailable
from .transport import CONTENT_TYPE

log = logging.getLogger("waymark.exchange.inbox")


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> HttpResponse:
    if not (settings.WAYMARK_EXCHANGE_LISTENER or settings.WAYMARK_EXCHANGE_INBOX_ON_WEB):
        raise Http404
    if request.content_type != CONTENT_TYPE:
        return HttpResponse(f"expected {CONTENT_TYPE}\n", status=415, content_type="text/plain")
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return HttpResponse("bad Content-Length\n", status=400, content_type="text/plain")
    if length > settings.WAYMARK_EXCHANGE_MAX_ENVELOPE_BYTES:
        return HttpResponse("envelope too large\n", status=413, content_type="text/plain")
    raw = request.body
    try:
        result = receive(local_node(), raw, remote_addr=request.META.get("REMOTE_ADDR", ""))
    except ExchangeUnavailable as exc:
        log.error("inbox unavailable: %s", exc.reason)
        return HttpResponse(f"exchange unavailable: {exc.reason}\n", status=503, content_type="text/plain")
    response = HttpResponse(result.receipt, content_type=CONTENT_TYPE)
    response["X-Waymark-Receipt"] = result.outcome
    return response
