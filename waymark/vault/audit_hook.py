"""The one place the vault writes to the audit log (key deletions, erasures).

TODO(audit): waymark/audit/service.py (``record(kind, ...)``) has not landed yet. When it does,
replace the body of ``record_key_event`` with a call to it, e.g.
``audit.record(kind, actor=actor, subject=child_public_id, details=details)`` — the audit
service turns the child's public id into its pseudonym (keyed hash), so no name is logged.
It runs inside the caller's transaction: if the entry cannot be written the erasure rolls back
("if an audit entry cannot be written, the action is refused").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waymark.accounts.models import User

log = logging.getLogger("waymark.vault")


def record_key_event(kind: str, *, actor: User | None, child_public_id: str, **details: object) -> None:
    """Record ``kind`` ("key_deletion" or "erasure") for a child; ``details`` hold no names."""
    # TODO(audit): call waymark.audit.service.record here. Until then only a log line, which
    # deliberately carries the public id (a random UUID), never a name.
    log.info(
        "vault %s child=%s actor=%s %s",
        kind,
        child_public_id,
        actor.pk if actor is not None else None,
        details,
    )
