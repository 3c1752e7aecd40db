"""The exchange's part in erasing a child here: the threads sealed under a key of their own."""

from __future__ import annotations

import uuid
from typing import Any

from waymark.vault import service as vault

from .models import Thread


def shred_threads_of(sender: object, *, child: Any, cases: list[Any], actor: Any, **_: Any) -> None:
    """The child is being erased here: shred the keys of threads about their cases that were
    sealed under a key of their own (offers that arrived before the case existed here). Threads
    sealed under the child's key are already unreadable."""
    keys: set[uuid.UUID] = {
        k
        for k in Thread.objects.filter(case__in=cases).values_list("seal_key", flat=True)
        if k is not None and k != child.public_id
    }
    for key in sorted(keys):
        vault.shred(key, actor=actor)
