"""Seal the second-factor secrets allauth stored before Waymark sealed them (accounts.adapter).

A TOTP authenticator's ``secret``, a recovery-code set's ``seed`` and its ``migrated_codes``: each
plain value is sealed as ``MFAAdapter.encrypt`` seals it (under a key derived from SECRET_KEY, so
run it with the node's real SECRET_KEY). Idempotent: sealed values are left alone. After this
the adapter refuses a plain secret: one found later was planted in the database.

Unapplying it changes nothing: the values stay sealed, which the adapter before it reads as well.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}


def _sealed(value: Any) -> Any:
    from waymark.accounts.adapter import MFAAdapter
    from waymark.core import sealing

    if isinstance(value, str) and value and not sealing.is_sealed(value):
        return MFAAdapter().encrypt(value)
    return value


def seal_plain_secrets(apps: Any, schema_editor: Any) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for row in Authenticator.objects.filter(type__in=list(FIELDS)).only("pk", "type", "data").iterator():
        data = dict(row.data or {})
        for name in FIELDS[row.type]:
            if name in data:
                data[name] = _sealed(data[name])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [_sealed(code) for code in data["migrated_codes"]]
        if data != row.data:
            Authenticator.objects.filter(pk=row.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_token"),
        ("mfa", "0001_initial"),
    ]

    # Going back leaves the values sealed: the code before this reads sealed values too.
    operations = [migrations.RunPython(seal_plain_secrets, migrations.RunPython.noop)]
