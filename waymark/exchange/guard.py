"""May this message travel? Asked by the sender before sealing and again by the receiver.

The receiver never takes the sender's word for it. After the envelope layer (signature, dates,
declared categories) it asks, with its own copy of the signed registry and its own policy
engine:

1. the registry: both organisations are hosted where the header says, and the agreement named
   is in force, covers this message type, and grants the recipient every declared category for
   the declared purpose (``Registry.check_header``);
2. this node: the recipient organisation is one it hosts;
3. Cedar (``waymark.policy``): may the recipient organisation (in any role the agreement grants)
   read each declared category of the sender organisation's case for this purpose, under this
   agreement? The firewall's ``forbid`` rules (immigration purpose or sector) apply here too;
After these, the inbox asks whether this node implements the message type (``inbound``:
``threads.implemented_types``, its registered kinds), else ``not_implemented``: asked last, so a
message policy refuses is always refused as policy (and alerts the DPO as such), and "not
implemented" is said only to an entitled sender.

The sender asks the same before sealing (``choose_agreement``), with the recipient node's entry
in the registry standing for the recipient's implementation (``Node.takes``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable

from waymark.accounts.models import Organisation
from waymark.core.protocol.messages import Header, MessageType
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Agreement, GrantAction, Registry
from waymark.errors import ActionError
from waymark.policy import service as policy
from waymark.policy.facts import AgreementFacts, GrantFacts, Resource, Subject
from waymark.vocab import PolicyAction

# Cedar needs an end date; an open-ended agreement ends when the registry says so.
_OPEN_END = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)

_REASON_TEXT = {
    ReasonCode.UNKNOWN_SENDER: "the sending organisation is not hosted by the sending node",
    ReasonCode.WRONG_RECIPIENT: "the receiving organisation is not hosted by this node",
    ReasonCode.UNKNOWN_AGREEMENT: "the agreement is not in the registry",
    ReasonCode.FORBIDDEN_PURPOSE: "the purpose is forbidden",
    ReasonCode.AGREEMENT_INACTIVE: "the agreement is not active",
    ReasonCode.NOT_YET_VALID: "the agreement has not taken effect",
    ReasonCode.EXPIRED: "the agreement has ended",
    ReasonCode.NOT_PARTY: "an organisation is not a party to the agreement",
    ReasonCode.NOT_GRANTED: "the agreement does not cover this message type, purpose or category",
    ReasonCode.NOT_IMPLEMENTED: "this node does not implement this message type yet",
}


def reason_text(reason: ReasonCode) -> str:
    return _REASON_TEXT.get(reason, reason.value.replace("_", " "))


def agreement_facts(agreement: Agreement) -> AgreementFacts:
    """A registry agreement as the policy engine's facts."""
    return AgreementFacts(
        identifier=agreement.identifier,
        status=agreement.status.value,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until or _OPEN_END,
        parties=frozenset(agreement.parties),
        grants=frozenset(
            GrantFacts(g.org, g.role.value, g.category.value, g.purpose.value, g.action.value)
            for g in agreement.grants
        ),
    )


# Cedar's answer depends on the agreement (its grants, status and dates), the two organisations,
# the purpose and the categories. The registry re-checks status and dates on every message, so a
# short-lived cache of the answer per registry version cannot open anything a change has closed.
_POLICY_TTL = 60.0
_policy_cache: dict[tuple[object, ...], tuple[float, str | None]] = {}
_policy_lock = threading.Lock()


def policy_refusal(
    registry: Registry,
    *,
    agreement_id: str,
    from_org: str,
    to_org: str,
    purpose: str,
    categories: Iterable[str],
    now: dt.datetime,
) -> str | None:
    """Ask Cedar whether ``to_org`` may read ``categories`` of ``from_org``'s case for
    ``purpose`` under the agreement; the categories it refuses, in words, or None."""
    wanted = sorted({str(c) for c in categories})
    key = (
        registry.federation,
        registry.version,
        registry.issued_at,
        agreement_id,
        from_org,
        to_org,
        purpose,
        tuple(wanted),
    )
    hit = _policy_cache.get(key)
    clock = time.monotonic()
    if hit is not None and clock - hit[0] < _POLICY_TTL:
        return hit[1]
    answer = _policy_refusal(registry, agreement_id, from_org, to_org, purpose, wanted, now)
    with _policy_lock:
        if len(_policy_cache) > 1024:
            _policy_cache.clear()
        _policy_cache[key] = (clock, answer)
    return answer


def _policy_refusal(
    registry: Registry,
    agreement_id: str,
    from_org: str,
    to_org: str,
    purpose: str,
    wanted: list[str],
    now: dt.datetime,
) -> str | None:
    agreement = registry.agreement(agreement_id)
    sender, recipient = registry.organisation(from_org), registry.organisation(to_org)
    if agreement is None or sender is None or recipient is None:
        return "the agreement or an organisation is not in the registry"
    if not wanted:
        return None
    facts = agreement_facts(agreement)
    # The message is itself the context it shares: it is about one child of the sender, for this
    # purpose, to this recipient. Whether the purpose fits the child (locate_missing_child while
    # missing) is the sender's to check before sealing (``plumbing.prepare``): the receiver
    # cannot see the sender's case.
    resource = Resource(
        uid=f"exchange:{from_org}",
        org=from_org,
        org_sector=sender.sector.value,
        org_country=sender.country,
        missing=True,
        shared=frozenset({(to_org, purpose)}),
    )
    roles = sorted(
        {g.role.value for g in agreement.grants if g.org == to_org and g.action == GrantAction.READ}
    ) or ["caseworker"]
    allowed: set[str] = set()
    for role in roles:
        subject = Subject(
            uid=f"exchange:{to_org}:{role}",
            org=to_org,
            org_sector=recipient.sector.value,
            org_country=recipient.country,
            role=role,
        )
        [decided] = policy.evaluate(
            subject,
            [resource],
            [facts],
            purpose=purpose,
            categories=wanted,
            action=PolicyAction.READ,
            now=now,
        )
        allowed |= {c for c, d in decided.items() if d.allowed}
    refused = [c for c in wanted if c not in allowed]
    if refused:
        return f"the policy engine refuses {', '.join(refused)} for {purpose}"
    return None


def inbound_refusal(registry: Registry, header: Header, now: dt.datetime) -> tuple[ReasonCode, str] | None:
    """Why this node must refuse an opened envelope's header, or None to accept it."""
    reason = registry.check_header(header, now)
    if reason is not None:
        return reason, reason_text(reason)
    if not Organisation.objects.filter(slug=header.to_org).exists():
        return ReasonCode.WRONG_RECIPIENT, "the receiving organisation is not hosted by this node"
    refused = policy_refusal(
        registry,
        agreement_id=header.agreement_id,
        from_org=header.from_org,
        to_org=header.to_org,
        purpose=header.purpose.value,
        categories=[c.value for c in header.data_categories],
        now=now,
    )
    if refused:
        return ReasonCode.NOT_GRANTED, refused
    return None


def choose_agreement(
    registry: Registry,
    *,
    from_org: str,
    to_org: str,
    purpose: str,
    categories: Iterable[str],
    type: MessageType,
    now: dt.datetime,
    agreement_id: str = "",
) -> Agreement:
    """The agreement a message will travel under (the one named, or the first that allows it),
    checked exactly as the receiver will check it. ``ActionError`` explains a refusal."""
    wanted = sorted({str(c) for c in categories})
    recipient, peer = registry.organisation(to_org), registry.node_for_org(to_org)
    if recipient is None or peer is None:
        raise ActionError(f"'{to_org}' is not an organisation in the federation registry", field="to_org")
    if agreement_id:
        reason = registry.agreement_decision(
            agreement_id,
            from_org=from_org,
            to_org=to_org,
            purpose=purpose,
            categories=wanted,
            type=type,
            at=now,
        )
        if reason is not None:
            raise ActionError(f"agreement {agreement_id}: {reason_text(reason)}", field="agreement_id")
        agreement = registry.agreement(agreement_id)
        assert agreement is not None
    else:
        found = registry.find_agreement(
            from_org=from_org, to_org=to_org, purpose=purpose, categories=wanted, type=type, at=now
        )
        if found is None:
            raise ActionError(
                f"no agreement in force lets {from_org} send {to_org} a {type.value.replace('_', ' ')} "
                f"for {purpose} with {', '.join(wanted) or 'no data categories'}",
                field="to_org",
            )
        agreement = found
    refused = policy_refusal(
        registry,
        agreement_id=agreement.identifier,
        from_org=from_org,
        to_org=to_org,
        purpose=purpose,
        categories=wanted,
        now=now,
    )
    if refused:
        raise ActionError(refused, field="categories")
    if not peer.takes(type):
        # The receiver would refuse it (not_implemented); say so now, in words, and seal nothing.
        raise ActionError(
            f"{recipient.name} (node {peer.node_id}) does not take {type.value.replace('_', ' ')} "
            "messages yet",
            field="to_org",
        )
    return agreement


def reply_deadline(agreement: Agreement, type: MessageType, responder_org: str) -> dt.timedelta | None:
    """The agreement's response commitment for ``type`` by ``responder_org`` (the reply clock)."""
    for commitment in agreement.response_commitments:
        if commitment.message_type == type and commitment.by_org in (None, responder_org):
            return commitment.respond_within
    return None
