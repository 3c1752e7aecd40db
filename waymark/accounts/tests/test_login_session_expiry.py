"""Sessions end when the browser closes and after two idle hours; an expired one is a stranger."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.tests.helpers import log_in, logged_in_as


def test_the_session_ends_with_the_browser_and_after_the_idle_time(client, people):
    log_in(client, "giulia")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    idle = session.expire_date - timezone.now()
    assert dt.timedelta(hours=2) - dt.timedelta(minutes=1) < idle <= dt.timedelta(hours=2)


def test_every_request_pushes_the_expiry_back(client, people):
    log_in(client, "giulia")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    assert client.get(reverse("purpose_choose")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert renewed > dt.timedelta(hours=1)


def test_an_expired_session_must_log_in_again(client, people):
    log_in(client, "giulia")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("purpose_choose"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert logged_in_as(client) is None
