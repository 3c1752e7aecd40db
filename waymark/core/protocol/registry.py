"""The federation registry: nodes, organisations, keys and cooperation agreements, signed.

Every node holds the same registry document, a compact JWS (EdDSA, ``typ``
waymark-registry+jws) signed by the registry key that every node trusts. A node refuses to
exchange under a registry that is unsigned, tampered, signed by another key, not yet issued,
expired, older than the one it already has, or invalid. Invalid includes the firewall's registry
layer (FIREWALL.md): an immigration-enforcement organisation can never be a party to an
agreement, and no grant can name the immigration-enforcement purpose — so a wrong (or forged)
agreement cannot open the door even before the policy engine is asked.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from jwcrypto.jwk import JWK
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from waymark.core.codes import is_country
from waymark.core.protocol import jose
from waymark.core.protocol.jose import JoseError, JoseFault
from waymark.core.protocol.messages import (
    AgreementId,
    Header,
    MessageType,
    NodeId,
    OrgSlug,
    UtcDatetime,
)
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.vocab import (
    FORBIDDEN_PURPOSES,
    FORBIDDEN_SECTORS,
    DataCategory,
    Purpose,
    Role,
    Sector,
)

REGISTRY_FORMAT = 1
MAX_REGISTRY_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_SKEW = dt.timedelta(minutes=5)

# What a node whose entry does not list its ``message_types`` is taken to implement: the types
# every node implemented before nodes declared them (registries and descriptors written then
# have no such list). Frozen on purpose: a type added later is never assumed of a node that has
# not said it takes it, so a sender holds back rather than send what an older node refuses.
BASELINE_MESSAGE_TYPES: frozenset[MessageType] = frozenset(
    {
        MessageType.REFERRAL_OFFER,
        MessageType.REFERRAL_ACCEPT,
        MessageType.REFERRAL_REJECT,
        MessageType.REFERRAL_DONE,
        MessageType.REFERRAL_REVOKE,
        MessageType.INFO_REQUEST,
        MessageType.INFO_RESPONSE,
        MessageType.NOTICE,
        MessageType.CASE_TRANSFER,
        MessageType.TRANSFER_ACCEPT,
        MessageType.TRANSFER_REJECT,
    }
)


class RegistryFault(StrEnum):
    MALFORMED = "malformed"
    UNSIGNED = "unsigned"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    # Signed, but not by a trusted registry key (or the bytes were changed after signing).
    BAD_SIGNATURE = "bad_signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    # Older than a registry this node already accepted (a rollback to revive a revoked key).
    ROLLED_BACK = "rolled_back"
    INVALID = "invalid"


class RegistryRefused(Exception):
    """This registry must not be used. Keep the last good one until it expires; then fail closed."""

    def __init__(self, fault: RegistryFault, detail: str = "") -> None:
        super().__init__(f"{fault.value}: {detail}" if detail else fault.value)
        self.fault = fault
        self.detail = detail


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _public_okp(jwk: dict[str, Any], crv: str) -> dict[str, Any]:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != crv:
        raise ValueError(f"must be an OKP {crv} key")
    if "d" in jwk:
        raise ValueError("a private key must never be published in the registry")
    try:
        key = JWK(**jwk)
    except Exception as exc:
        raise ValueError("not a valid JWK") from exc
    if jwk.get("kid") != key.thumbprint():
        raise ValueError("kid must be the key's RFC 7638 SHA-256 thumbprint")
    return jwk


class Node(_Frozen):
    node_id: NodeId
    # HTTPS; plain HTTP only on loopback, for local demos (envelopes are encrypted either way).
    endpoint: AnyHttpUrl
    country: str
    signing_jwk: dict[str, Any]
    encryption_jwk: dict[str, Any]
    # SHA-256 of the node's TLS certificate (DER), lowercase hex, for mutual-TLS pinning.
    tls_cert_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    # The message types this node implements (takes in its inbox); absent (None): the baseline,
    # BASELINE_MESSAGE_TYPES. Left out of the document when absent, so a registry naming no
    # node's types still loads on nodes older than this field.
    message_types: tuple[MessageType, ...] | None = None

    @field_validator("message_types", mode="before")
    @classmethod
    def _known_types(cls, v: Any) -> Any:
        # A newer node may list a type this version has never heard of; no one here can send it
        # that type, so it is dropped rather than the whole registry refused.
        if isinstance(v, list | tuple):
            known = {t.value for t in MessageType}
            return tuple(t for t in v if not isinstance(t, str) or t in known)
        return v

    @field_validator("message_types")
    @classmethod
    def _types(cls, v: tuple[MessageType, ...] | None) -> tuple[MessageType, ...] | None:
        if v is not None:
            if MessageType.RECEIPT in v:
                raise ValueError("receipts are not a message type a node implements")
            if len(set(v)) != len(v):
                raise ValueError("a message type is listed twice")
        return v

    @model_serializer(mode="wrap")
    def _omit_undeclared(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("message_types") is None:
            data.pop("message_types", None)
        return data

    def takes(self, type: MessageType) -> bool:
        """Does this node implement ``type`` (as its entry says, or by the baseline)?"""
        return type in (BASELINE_MESSAGE_TYPES if self.message_types is None else self.message_types)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: AnyHttpUrl) -> AnyHttpUrl:
        if v.scheme == "https":
            return v
        host = (urlsplit(str(v)).hostname or "").strip("[]")
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError("endpoint must be https (http only on loopback)")
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if not is_country(v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v

    @field_validator("signing_jwk")
    @classmethod
    def _signing(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _public_okp(v, "Ed25519")

    @field_validator("encryption_jwk")
    @classmethod
    def _encryption(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _public_okp(v, "X25519")

    @property
    def signing_kid(self) -> str:
        return str(self.signing_jwk["kid"])

    @property
    def encryption_kid(self) -> str:
        return str(self.encryption_jwk["kid"])


class Organisation(_Frozen):
    slug: OrgSlug
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    country: str
    sector: Sector
    node_id: NodeId

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if not is_country(v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class GrantAction(StrEnum):
    READ = "read"
    UPDATE = "update"


class Grant(_Frozen):
    """Users of ``org`` with ``role`` may ``action`` data of ``category`` for ``purpose``.

    For the exchange a read grant to the recipient organisation is what lets a category travel to
    it: a party is never sent what none of its people may read.
    """

    org: OrgSlug
    role: Role
    category: DataCategory
    purpose: Purpose
    action: GrantAction


class ResponseCommitment(_Frozen):
    """``by_org`` (every party if null) answers a ``message_type`` within ``respond_within``."""

    message_type: MessageType
    respond_within: dt.timedelta
    by_org: OrgSlug | None = None

    @field_validator("respond_within")
    @classmethod
    def _positive(cls, v: dt.timedelta) -> dt.timedelta:
        if v <= dt.timedelta(0):
            raise ValueError("must be positive")
        return v


class Agreement(_Frozen):
    identifier: AgreementId
    title: Annotated[str, StringConstraints(max_length=300)] = ""
    lawful_basis: Annotated[str, StringConstraints(max_length=500)] = ""
    parties: tuple[OrgSlug, ...] = Field(min_length=2)
    status: AgreementStatus
    valid_from: UtcDatetime
    valid_until: UtcDatetime | None = None
    # The message types this agreement covers; any other type is refused (deny by default).
    message_types: tuple[MessageType, ...] = Field(min_length=1)
    grants: tuple[Grant, ...] = ()
    response_commitments: tuple[ResponseCommitment, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("a party is listed twice")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if MessageType.RECEIPT in self.message_types:
            raise ValueError("receipts are not a message type an agreement covers")
        for grant in self.grants:
            if grant.org not in self.parties:
                raise ValueError(f"grant to {grant.org!r}, who is not a party")
            if grant.purpose in FORBIDDEN_PURPOSES:
                raise ValueError(f"firewall: no grant may name the purpose {grant.purpose.value!r}")
        for commitment in self.response_commitments:
            if commitment.message_type not in self.message_types:
                raise ValueError(f"commitment on {commitment.message_type.value}, not covered")
            if commitment.by_org is not None and commitment.by_org not in self.parties:
                raise ValueError(f"commitment by {commitment.by_org!r}, who is not a party")
        return self

    def in_force(self, at: dt.datetime) -> bool:
        return (
            self.status == AgreementStatus.ACTIVE
            and self.valid_from <= at
            and (self.valid_until is None or at < self.valid_until)
        )

    def read_grants(self, org: str, purpose: str) -> tuple[Grant, ...]:
        """The grants letting ``org`` read data for ``purpose``: what may travel to it, and to
        which of its roles."""
        return tuple(
            g for g in self.grants if g.org == org and g.purpose == purpose and g.action == GrantAction.READ
        )

    def readable_categories(self, org: str, purpose: str) -> frozenset[str]:
        """The data categories the agreement lets ``org`` read for ``purpose``."""
        return frozenset(g.category.value for g in self.read_grants(org, purpose))


class Registry(_Frozen):
    """The registry document. Construct it to validate it; ``load_registry`` to trust one."""

    format: int = REGISTRY_FORMAT
    federation: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    # Monotonic: a node never accepts a lower version than it already holds.
    version: int = Field(ge=1)
    issued_at: UtcDatetime
    expires_at: UtcDatetime
    nodes: tuple[Node, ...]
    organisations: tuple[Organisation, ...]
    agreements: tuple[Agreement, ...] = ()

    _nodes: dict[str, Node] = PrivateAttr(default_factory=dict)
    _orgs: dict[str, Organisation] = PrivateAttr(default_factory=dict)
    _agreements: dict[str, Agreement] = PrivateAttr(default_factory=dict)

    @field_validator("format")
    @classmethod
    def _format(cls, v: int) -> int:
        if v != REGISTRY_FORMAT:
            raise ValueError(f"registry format {v} is not supported")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Registry:
        if self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be after issued_at")
        nodes = _unique("node", ((n.node_id, n) for n in self.nodes))
        orgs = _unique("organisation", ((o.slug, o) for o in self.organisations))
        agreements = _unique("agreement", ((a.identifier, a) for a in self.agreements))
        for org in self.organisations:
            if org.node_id not in nodes:
                raise ValueError(f"organisation {org.slug!r} is hosted on unknown node {org.node_id!r}")
        for agreement in self.agreements:
            for party in agreement.parties:
                if party not in orgs:
                    raise ValueError(f"agreement {agreement.identifier!r}: unknown party {party!r}")
                if orgs[party].sector in FORBIDDEN_SECTORS:
                    raise ValueError(
                        f"firewall: agreement {agreement.identifier!r} names {party!r}, an "
                        f"{orgs[party].sector.value} organisation, as a party"
                    )
        self._nodes, self._orgs, self._agreements = nodes, orgs, agreements
        return self

    # --- look-ups ---

    def node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def organisation(self, slug: str) -> Organisation | None:
        return self._orgs.get(slug)

    def agreement(self, identifier: str) -> Agreement | None:
        return self._agreements.get(identifier)

    def node_for_org(self, slug: str) -> Node | None:
        """The node hosting organisation ``slug`` (where to send its envelopes)."""
        org = self._orgs.get(slug)
        return self._nodes.get(org.node_id) if org else None

    def resolve_signing_key(self, node_id: str, kid: str) -> JWK | None:
        """The registered Ed25519 key ``kid`` of ``node_id``, or None (a SigningKeyResolver)."""
        node = self._nodes.get(node_id)
        if node is None or node.signing_kid != kid:
            return None
        return JWK(**node.signing_jwk)

    def encryption_key(self, node_id: str) -> JWK | None:
        """The X25519 key to seal envelopes for ``node_id``."""
        node = self._nodes.get(node_id)
        return JWK(**node.encryption_jwk) if node else None

    # --- decisions ---

    def agreement_decision(
        self,
        agreement_id: str,
        *,
        from_org: str,
        to_org: str,
        purpose: Purpose | str,
        categories: Iterable[DataCategory | str],
        type: MessageType,
        at: dt.datetime,
    ) -> ReasonCode | None:
        """None if agreement ``agreement_id`` lets ``from_org`` send ``to_org`` a message of
        ``type`` for ``purpose`` carrying ``categories`` at ``at``; otherwise why not."""
        agreement = self._agreements.get(agreement_id)
        if agreement is None:
            return ReasonCode.UNKNOWN_AGREEMENT
        if purpose in FORBIDDEN_PURPOSES:
            return ReasonCode.FORBIDDEN_PURPOSE
        if agreement.status != AgreementStatus.ACTIVE:
            return ReasonCode.AGREEMENT_INACTIVE
        if at < agreement.valid_from:
            return ReasonCode.NOT_YET_VALID
        if agreement.valid_until is not None and at >= agreement.valid_until:
            return ReasonCode.EXPIRED
        if from_org not in agreement.parties or to_org not in agreement.parties or from_org == to_org:
            return ReasonCode.NOT_PARTY
        if type not in agreement.message_types:
            return ReasonCode.NOT_GRANTED
        if not {str(c) for c in categories} <= agreement.readable_categories(to_org, purpose):
            return ReasonCode.NOT_GRANTED
        return None

    def agreement_allows(
        self,
        agreement_id: str,
        *,
        from_org: str,
        to_org: str,
        purpose: Purpose | str,
        categories: Iterable[DataCategory | str],
        type: MessageType,
        at: dt.datetime,
    ) -> bool:
        """Parties + active + in date + message type covered + every category granted."""
        return (
            self.agreement_decision(
                agreement_id,
                from_org=from_org,
                to_org=to_org,
                purpose=purpose,
                categories=categories,
                type=type,
                at=at,
            )
            is None
        )

    def find_agreement(
        self,
        *,
        from_org: str,
        to_org: str,
        purpose: Purpose | str,
        categories: Iterable[DataCategory | str],
        type: MessageType,
        at: dt.datetime,
    ) -> Agreement | None:
        """The first agreement (by identifier) that allows this message, for the sending side."""
        wanted = list(categories)
        for identifier in sorted(self._agreements):
            if self.agreement_allows(
                identifier,
                from_org=from_org,
                to_org=to_org,
                purpose=purpose,
                categories=wanted,
                type=type,
                at=at,
            ):
                return self._agreements[identifier]
        return None

    def check_header(self, header: Header, at: dt.datetime) -> ReasonCode | None:
        """What the receiving node asks of an opened envelope's header, beyond the envelope layer:
        both organisations are hosted where the header says, and the agreement allows it."""
        sender = self._orgs.get(header.from_org)
        if sender is None or sender.node_id != header.from_node:
            return ReasonCode.UNKNOWN_SENDER
        recipient = self._orgs.get(header.to_org)
        if recipient is None or recipient.node_id != header.to_node:
            return ReasonCode.WRONG_RECIPIENT
        return self.agreement_decision(
            header.agreement_id,
            from_org=header.from_org,
            to_org=header.to_org,
            purpose=header.purpose,
            categories=header.data_categories,
            type=header.type,
            at=at,
        )


def _unique(what: str, items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in items:
        if key in out:
            raise ValueError(f"{what} {key!r} is listed twice")
        out[key] = item
    return out


def sign_registry(doc: Registry, registry_key: JWK) -> bytes:
    """The registry as a compact JWS signed by the registry's Ed25519 key (ASCII bytes)."""
    payload = jose.canonical_json(doc.model_dump(mode="json"))
    return jose.sign(payload, registry_key, jose.TYP_REGISTRY).encode("ascii")


def load_registry(
    raw: bytes,
    trusted_registry_public_jwk: JWK | Sequence[JWK],
    now: dt.datetime,
    *,
    min_version: int = 0,
    max_skew: dt.timedelta = DEFAULT_MAX_SKEW,
) -> Registry:
    """Verify and validate a signed registry. Raises RegistryRefused; never returns a registry
    that is unsigned, signed by an untrusted key, tampered, not yet issued, expired, older than
    ``min_version`` or invalid. Several trusted keys may be given, for a registry key rollover."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    trusted = (
        [trusted_registry_public_jwk]
        if isinstance(trusted_registry_public_jwk, JWK)
        else list(trusted_registry_public_jwk)
    )
    by_kid = {str(key.thumbprint()): JWK.from_json(key.export_public()) for key in trusted}
    if len(raw) > MAX_REGISTRY_BYTES:
        raise RegistryRefused(RegistryFault.MALFORMED, "too large")
    try:
        token = jose.ascii_token(raw).strip()
        if token.startswith("{"):
            raise RegistryRefused(RegistryFault.UNSIGNED, "a bare JSON document is not a signed registry")
        header = jose.protected_header(jose.split_compact(token, 3)[0])
        if header.get("alg") in (None, "none") or not token.rsplit(".", 1)[1]:
            raise RegistryRefused(RegistryFault.UNSIGNED, "the registry carries no signature")
        payload, _ = jose.verify(token, jose.TYP_REGISTRY, by_kid.get)
    except JoseError as exc:
        fault = {
            JoseFault.MALFORMED: RegistryFault.MALFORMED,
            JoseFault.ALG_NOT_ALLOWED: RegistryFault.ALG_NOT_ALLOWED,
            JoseFault.UNKNOWN_KEY: RegistryFault.BAD_SIGNATURE,
            JoseFault.BAD_SIGNATURE: RegistryFault.BAD_SIGNATURE,
        }[exc.fault]
        raise RegistryRefused(fault, exc.detail) from exc
    try:
        registry = Registry.model_validate(jose.strict_json(payload))
    except JoseError as exc:
        raise RegistryRefused(RegistryFault.MALFORMED, exc.detail) from exc
    except ValidationError as exc:
        err = exc.errors(include_url=False, include_input=False)[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise RegistryRefused(RegistryFault.INVALID, f"{loc}: {err.get('msg')}") from exc

    if registry.issued_at > now + max_skew:
        raise RegistryRefused(RegistryFault.NOT_YET_VALID, f"issued at {registry.issued_at.isoformat()}")
    if registry.expires_at <= now:
        raise RegistryRefused(RegistryFault.EXPIRED, f"expired at {registry.expires_at.isoformat()}")
    if registry.version < min_version:
        raise RegistryRefused(
            RegistryFault.ROLLED_BACK, f"version {registry.version} is older than {min_version}"
        )
    return registry


def registry_json(doc: Registry) -> str:
    """The unsigned document, pretty-printed, for people to read and review before signing."""
    return json.dumps(doc.model_dump(mode="json"), indent=2, ensure_ascii=False)
