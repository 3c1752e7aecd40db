"""Logins, failed logins and logouts are security events in the audit log.

The one use of signals in the audit app: Django (and allauth, which calls Django's ``login`` and
``authenticate``) announce these events only through signals. No business logic here.

- A login whose entry cannot be written is undone (the new session is flushed) and the error
  propagates: nobody is logged in unaudited.
- A failed login names the account only if it exists; an unknown username is not stored, since
  people sometimes type their password into that field. An attempt refused because the username
  is locked out from that address (waymark.accounts.lockout marks the request with
  ``waymark_login_locked_out``) says so: ``{"reason": "locked_out"}``.
- A logout whose entry cannot be written still logs out (refusing to end a session would be the
  less safe failure); the failure is logged as an error.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from waymark.audit import service
from waymark.vocab import AuditKind

logger = logging.getLogger(__name__)

# Set by waymark.accounts.lockout on a login attempt refused during a lock-out (a layer above:
# named here, not imported).
LOCKED_OUT_ATTRIBUTE = "waymark_login_locked_out"


@receiver(user_logged_in, dispatch_uid="waymark.audit.login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    try:
        service.record(AuditKind.LOGIN, actor=user)
    except service.AuditUnavailable:
        if request is not None and hasattr(request, "session"):
            request.session.flush()
        raise


@receiver(user_login_failed, dispatch_uid="waymark.audit.login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    model = get_user_model()
    username = credentials.get(model.USERNAME_FIELD) or credentials.get("username") or ""
    user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first() if username else None
    details: dict[str, str] = {}
    if getattr(request, LOCKED_OUT_ATTRIBUTE, False):
        details["reason"] = "locked_out"
    if user is not None:
        service.record(AuditKind.LOGIN_FAILED, actor=user, details=details or None)
    else:
        service.record(AuditKind.LOGIN_FAILED, details={"account": "unknown", **details})


@receiver(user_logged_out, dispatch_uid="waymark.audit.logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    try:
        service.record(AuditKind.LOGOUT, actor=user)
    except service.AuditUnavailable:
        logger.exception("logout of %s could not be audited", user.get_username())
