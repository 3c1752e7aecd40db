"""Second-factor events are security events in the audit log.

Django's login, failed-login and logout signals are recorded by ``waymark.audit.signals``;
allauth's MFA app announces its own events only through its signals, received here:

- a wrong second-factor code or security-key assertion -> ``login_failed`` with
  ``details={"factor": <type>}`` (or ``"reauthentication": True`` when re-confirming identity),
  and one more failure towards the account's second-step lock-out (lockout.py);
- a factor added or removed -> ``other`` with ``details={"mfa": "added"|"removed", "type": ...}``,
  so a DPO can see when someone's protection changed.

No business logic here. If the entry cannot be written, ``AuditUnavailable`` propagates and the
request fails rather than continue unaudited.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from waymark.accounts import lockout
from waymark.audit import service
from waymark.vocab import AuditKind


@receiver(mfa_signals.authentication_failed, dispatch_uid="waymark.accounts.mfa_failed")
def audit_second_factor_failed(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    details: dict[str, Any] = {"factor": str(authenticator.type)}
    if kwargs.get("reauthentication"):
        details["reauthentication"] = True
    service.record(AuditKind.LOGIN_FAILED, actor=user, details=details)
    request = kwargs.get("request")
    if request is not None:
        lockout.second_step_failed(request, user)  # counted towards the account's lock-out


@receiver(mfa_signals.authenticator_added, dispatch_uid="waymark.accounts.mfa_added")
def audit_second_factor_added(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    service.record(AuditKind.OTHER, actor=user, details={"mfa": "added", "type": str(authenticator.type)})


@receiver(mfa_signals.authenticator_removed, dispatch_uid="waymark.accounts.mfa_removed")
def audit_second_factor_removed(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    service.record(AuditKind.OTHER, actor=user, details={"mfa": "removed", "type": str(authenticator.type)})
