"""What this node implements: the message types its inbox applies.

One answer, asked everywhere it matters: the inbox refuses any other type as
``not_implemented`` (``guard.inbound_refusal``), and the node's registry descriptor lists these
(``node_init``, ``make run``) so that peers do not send what this node would refuse.
"""

from __future__ import annotations

from waymark.core.protocol.messages import MessageType

from .handlers import HANDLERS


def implemented_types() -> frozenset[MessageType]:
    """The message types this node takes in its inbox."""
    return frozenset(HANDLERS)


def declared_types() -> list[str]:
    """``implemented_types()`` as a registry node entry lists them (sorted values)."""
    return sorted(t.value for t in implemented_types())
