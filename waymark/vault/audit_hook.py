"""The one place the vault writes to the audit log: key deletions and erasures.

It calls ``waymark.audit.service.record`` inside the caller's transaction. If the entry cannot
be written, ``AuditUnavailable`` propagates and the shred or erasure rolls back: nothing is
erased unlogged (FIREWALL.md: "every key deletion is an entry"). The log names the child only by
pseudonym (a keyed hash of the public id), so the entry outlives the erasure without a name.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from waymark.audit import service as audit
from waymark.cases.models import Child
from waymark.vocab import AuditKind

if TYPE_CHECKING:
    from waymark.accounts.models import User


def record_key_event(
    kind: AuditKind, *, actor: User | None, child_public_id: str, details: Mapping[str, Any] | None = None
) -> None:
    """Append ``kind`` (``KEY_DELETION`` or ``ERASURE``) for the child; ``details`` hold ids only."""
    # The audit service pseudonymises a Child by its public id. The row may already be deleted
    # (erasure) or never have been loaded (shred by id): an unsaved Child carrying only the id
    # gives the same pseudonym and touches no table.
    subject = Child(public_id=uuid.UUID(child_public_id))
    audit.record(kind, actor=actor, child=subject, details=details)
