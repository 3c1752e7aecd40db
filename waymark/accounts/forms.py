"""The login form (allauth's, with the field named ``username``) and the second-factor form.

Settings: ``ACCOUNT_FORMS = {"login": "waymark.accounts.forms.LoginForm"}`` and
``MFA_FORMS = {"authenticate": "waymark.accounts.forms.AuthenticateForm"}``.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.accounts import lockout
from waymark.audit import service
from waymark.core import sealing
from waymark.vocab import AuditKind


class LoginForm(AllauthLoginForm):
    """allauth's login form with its ``login`` field named ``username``.

    Logins are by username only, and ``username`` is what browsers, password managers and the
    existing pages and tests expect (``id_username``). allauth reads ``cleaned_data["login"]``,
    so :meth:`clean` copies it there before allauth authenticates.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: forms.Form = self  # allauth's form is untyped; Django's says what ``fields`` is
        field = form.fields.pop("login")
        field.widget.attrs.pop("placeholder", None)  # the label says it; placeholders vanish
        form.fields = {"username": field, **form.fields}
        password = form.fields["password"]
        password.widget.attrs.pop("placeholder", None)
        # allauth's "Forgot your password?" links to e-mail resets, which Waymark does not offer.
        password.help_text = _("Forgot your password? Ask your organisation's node administrator.")

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip()

    def clean(self) -> dict[str, Any]:
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]
        return super().clean()


class AuthenticateForm(AllauthAuthenticateForm):
    """The second step of a login, with its own lock-out (waymark.accounts.lockout): after
    ``WAYMARK_LOGIN_ATTEMPTS`` wrong codes the account's second step is refused, from any address,
    for ``WAYMARK_LOGIN_LOCKOUT_SECONDS``. A wrong code is counted and audited by
    ``waymark.accounts.signals`` (allauth signals it); a code refused during the lock-out, or
    because a stored factor does not open, is audited here, since allauth signals nothing for
    either."""

    def clean_code(self) -> str:
        request = context.request
        if not lockout.second_step_allowed(request, self.user):
            service.record(
                AuditKind.LOGIN_FAILED, actor=self.user, details={"factor": "code", "reason": "locked_out"}
            )
            raise get_adapter().validation_error("too_many_login_attempts")
        try:
            code = super().clean_code()
        except sealing.SealError as exc:
            # A stored factor that does not open (planted in the clear, or altered): no code
            # passes, and it is a security event, not a server error.
            service.record(
                AuditKind.LOGIN_FAILED,
                actor=self.user,
                details={"factor": "code", "reason": "factor_tampered"},
            )
            raise get_mfa_adapter().validation_error("incorrect_code") from exc
        lockout.second_step_succeeded(self.user)
        return code
