"""gunicorn configuration for a node's inbox over mutual TLS (production transport).

    gunicorn -c python:waymark.exchange.gunicorn_tls waymark.wsgi:application

Serves HTTPS on ``WAYMARK_EXCHANGE_TLS_BIND`` (default 0.0.0.0:8443) with this node's certificate
and its passphrase-encrypted key from the key folder, and requires a client certificate from the
peer bundle (``WAYMARK_EXCHANGE_TLS_PEERS``, default ``<key folder>/peers.pem``, written by
``manage.py exchange_tls_peers``). Run it alongside the web server that serves people (which
sits behind the usual TLS reverse proxy). This process serves ``/exchange/inbox`` and nothing else,
and in production the web server does not serve the inbox at all (404).
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

# This process is the exchange listener: Django serves the inbox here and nothing else
# (settings.WAYMARK_EXCHANGE_LISTENER → waymark.exchange.urls_listener). Set before Django loads.
os.environ["WAYMARK_EXCHANGE_LISTENER"] = "true"

bind = os.environ.get("WAYMARK_EXCHANGE_TLS_BIND", "0.0.0.0:8443")
workers = int(os.environ.get("WAYMARK_EXCHANGE_TLS_WORKERS", "2"))
worker_class = "gthread"
threads = 4
# gunicorn only creates TLS sockets when these are set; ssl_context below replaces its context.
_keys = Path(
    os.environ.get("WAYMARK_EXCHANGE_KEY_DIR") or Path(os.environ.get("WAYMARK_DATA_DIR", "data")) / "keys"
)
certfile = str(_keys / "tls-cert.pem")
keyfile = str(_keys / "tls-key.pem")


def ssl_context(conf: Any, default_ssl_context_factory: Any) -> ssl.SSLContext:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    django.setup()
    from django.conf import settings

    from waymark.exchange import keys
    from waymark.exchange.tls import server_context

    folder = Path(settings.WAYMARK_EXCHANGE_KEY_DIR)
    peers = Path(os.environ.get("WAYMARK_EXCHANGE_TLS_PEERS", folder / "peers.pem"))
    return server_context(folder / keys.TLS_CERT_FILE, folder / keys.TLS_KEY_FILE, keys.passphrase, peers)
