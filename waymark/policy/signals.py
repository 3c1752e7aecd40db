"""Keep the registry revision honest when an agreement's parties change.

Not business logic: ``parties.add/remove/set/clear`` write the M2M table without calling any
model method, so this receiver is the only way to bump ``RegistryRevision`` for them.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Agreement, bump_revision


@receiver(m2m_changed, sender=Agreement.parties.through, dispatch_uid="policy-parties-revision")
def parties_changed(sender: type, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        bump_revision()
