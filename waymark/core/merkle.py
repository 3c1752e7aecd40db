"""Merkle trees as in Certificate Transparency (RFC 9162 §2.1), pure Python.

The audit log (``waymark.audit``) is a list of entries; this module turns their bytes into a
tamper-evident tree. Hashes are raw ``bytes`` (32 bytes, SHA-256) throughout; callers convert
to hex for storage.

- ``leaf_hash(data) = SHA-256(0x00 || data)`` and ``node_hash(l, r) = SHA-256(0x01 || l || r)``:
  the two prefixes keep a leaf from ever being read as an inner node (second pre-image).
- ``root(leaves)`` is the Merkle Tree Hash (MTH) of a list of *leaf hashes*, for any size: the
  left subtree is the largest power of two strictly below the size. ``root([]) = SHA-256("")``.
- ``inclusion_proof``/``verify_inclusion``: RFC 9162 §2.1.3.1 (PATH) and §2.1.3.2.
- ``consistency_proof``/``verify_consistency``: RFC 9162 §2.1.4.1 (PROOF) and §2.1.4.2.
- ``Frontier``: the right edge of a growing tree (one perfect-subtree root per set bit of the
  size). Appending is O(log n) and the current root needs no scan, so the log's head keeps one.

Proof generation takes the full list of leaf hashes and costs O(n) hashing; verification is
O(log n) and needs only the proof. Verification functions return ``False`` for any malformed
input; they never raise on attacker-controlled data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry's bytes: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2): the RFC's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of ``leaves[start:end]`` (non-empty), without copying the list."""
    n = end - start
    if n == 1:
        return leaves[start]
    k = _split(n)
    return node_hash(_subtree(leaves, start, start + k), _subtree(leaves, start + k, end))


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes (RFC 9162 §2.1.1)."""
    if not leaves:
        return EMPTY_ROOT
    return _subtree(leaves, 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int, tree_size: int | None = None) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``tree_size`` leaves.

    RFC 9162 §2.1.3.1: PATH(m, D[n]). Raises ``ValueError`` if ``index`` is not inside the tree.
    """
    n = len(leaves) if tree_size is None else tree_size
    if not 0 <= index < n or n > len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of size {n}")
    path: list[bytes] = []
    start, end, m = 0, n, index
    # Walk down from the root, collecting the sibling of the branch that holds the leaf; the
    # RFC lists siblings from the leaf upwards, so the collected list is reversed at the end.
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(_subtree(leaves, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaves, start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def root_from_inclusion_proof(
    index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2), or ``None`` if malformed."""
    if not 0 <= index < tree_size or any(len(p) != HASH_SIZE for p in proof):
        return None
    fn, sn = index, tree_size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(
    index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """True if ``proof`` shows ``leaf`` (a leaf hash) at ``index`` in the tree with ``root_hash``."""
    computed = root_from_inclusion_proof(index, tree_size, leaf, proof)
    return computed is not None and computed == root_hash


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int | None = None) -> list[bytes]:
    """Proof that the tree of ``old_size`` leaves is a prefix of the tree of ``new_size`` leaves.

    RFC 9162 §2.1.4.1: PROOF(m, D[n]). Empty when ``old_size`` is 0 or equals ``new_size``.
    Raises ``ValueError`` unless ``0 <= old_size <= new_size <= len(leaves)``.
    """
    n = len(leaves) if new_size is None else new_size
    if not 0 <= old_size <= n <= len(leaves):
        raise ValueError(f"no consistency proof from size {old_size} to size {n}")
    if old_size in (0, n):
        return []
    proof: list[bytes] = []
    start, end, m, complete = 0, n, old_size, True
    # SUBPROOF(m, D[start:end], complete), unrolled; entries come out root-first, so reverse.
    while True:
        size = end - start
        if m == size:
            if not complete:
                proof.append(_subtree(leaves, start, end))
            break
        k = _split(size)
        if m <= k:
            proof.append(_subtree(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_subtree(leaves, start, start + k))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if ``proof`` shows the tree ``old_root`` (size ``old_size``) is a prefix of ``new_root``.

    RFC 9162 §2.1.4.2. Any tree is consistent with the empty tree; equal sizes need equal roots
    and an empty proof.
    """
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


@dataclass
class Frontier:
    """The right edge of a tree: the roots of its perfect subtrees, largest (leftmost) first.

    A tree of size n has one perfect subtree per set bit of n; appending a leaf merges equal-sized
    subtrees like a binary carry. ``root()`` folds them right to left, which is exactly the MTH
    with the RFC's largest-power-of-two split.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash. O(log n)."""
        self.hashes.append(leaf)
        carry = self.size
        # Each trailing 1 bit of the old size is a subtree of the same size as the one just made.
        while carry & 1:
            right = self.hashes.pop()
            left = self.hashes.pop()
            self.hashes.append(node_hash(left, right))
            carry >>= 1
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r

    def is_valid(self) -> bool:
        """True if the number of subtree roots matches the size (one per set bit)."""
        return len(self.hashes) == self.size.bit_count() and all(len(h) == HASH_SIZE for h in self.hashes)

    def to_hex(self) -> list[str]:
        return [h.hex() for h in self.hashes]

    @classmethod
    def from_hex(cls, size: int, hashes: Sequence[str]) -> Frontier:
        """Rebuild from stored hex hashes; raises ``ValueError`` if they cannot be a frontier."""
        frontier = cls(size=size, hashes=[bytes.fromhex(h) for h in hashes])
        if not frontier.is_valid():
            raise ValueError(f"{len(hashes)} subtree hashes cannot be the frontier of a tree of size {size}")
        return frontier
