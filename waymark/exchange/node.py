"""This node as the exchange sees it: its id and its private keys.

Everything that sends or receives takes a ``LocalNode`` argument, so tests can run two nodes in
one process (one database) with a fake transport between them; ``local_node()`` is the real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

from waymark.core.protocol.keys import KeyFileError, NodeKeys
from waymark.core.protocol.registry import Registry

from .keys import KeysMissing, load_node_keys
from .registry import ExchangeUnavailable


@dataclass(frozen=True)
class LocalNode:
    node_id: str
    keys: NodeKeys

    def check_listed(self, registry: Registry) -> None:
        """Refuse to exchange if the registry does not list this node with these very keys:
        peers would refuse everything we sign, and we could not open what they seal for us."""
        entry = registry.node(self.node_id)
        if entry is None:
            raise ExchangeUnavailable(f"the registry does not list this node ({self.node_id})")
        if entry.signing_kid != self.keys.signing_kid or entry.encryption_kid != self.keys.encryption_kid:
            raise ExchangeUnavailable(
                f"the registry lists other keys for {self.node_id} than the ones in the key folder"
            )


def local_node() -> LocalNode:
    """This node, keys loaded (once per process); ``ExchangeUnavailable`` before node_init."""
    try:
        keys = load_node_keys()
    except (KeysMissing, KeyFileError) as exc:
        raise ExchangeUnavailable(f"this node's keys cannot be used: {exc}") from exc
    return LocalNode(node_id=settings.WAYMARK_NODE_ID, keys=keys)


# The node whose inbox is applying a message right now: an effect that answers at once (an
# erasure confirmation, sent in the inbox transaction) seals with its keys. Tests run several
# nodes in one process, so this is set per ``inbound.receive`` rather than read from settings.
_receiving: ContextVar[LocalNode | None] = ContextVar("waymark_receiving_node", default=None)


@contextmanager
def receiving_as(node: LocalNode) -> Iterator[None]:
    token = _receiving.set(node)
    try:
        yield
    finally:
        _receiving.reset(token)


def receiving_node() -> LocalNode | None:
    """The node applying an inbound message in this context, if any."""
    return _receiving.get()
