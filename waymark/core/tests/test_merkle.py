"""RFC 9162 Merkle trees: known vectors, a naive reference for sizes 1..40, and broken proofs."""

from __future__ import annotations

import hashlib

import pytest

from waymark.core import merkle

# The Certificate Transparency test vectors (RFC 6962 reference implementation, testonly/constants.go).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
MAX_SIZE = 40


def naive_root(leaves: list[bytes]) -> bytes:
    """The RFC's recursive definition, written as literally as possible (list slicing)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + naive_root(leaves[:k]) + naive_root(leaves[k:])).digest()


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [naive_root(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, leaves[:k], complete), naive_root(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_root(leaves[:k])]


LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(MAX_SIZE)]


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.Frontier().root() == merkle.EMPTY_ROOT


def test_leaf_and_node_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert merkle.node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_certificate_transparency_vectors(size):
    leaves = [merkle.leaf_hash(d) for d in CT_LEAVES[:size]]
    assert merkle.root(leaves).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size"), sorted(CT_INCLUSION))
def test_inclusion_proofs_match_the_certificate_transparency_vectors(index, size):
    leaves = [merkle.leaf_hash(d) for d in CT_LEAVES[:size]]
    proof = merkle.inclusion_proof(leaves, index)
    assert [p.hex() for p in proof] == CT_INCLUSION[(index, size)]
    assert merkle.verify_inclusion(index, size, leaves[index], proof, bytes.fromhex(CT_ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new"), sorted(CT_CONSISTENCY))
def test_consistency_proofs_match_the_certificate_transparency_vectors(old, new):
    leaves = [merkle.leaf_hash(d) for d in CT_LEAVES[:new]]
    proof = merkle.consistency_proof(leaves, old)
    assert [p.hex() for p in proof] == CT_CONSISTENCY[(old, new)]
    assert merkle.verify_consistency(
        old, new, bytes.fromhex(CT_ROOTS[old - 1]), bytes.fromhex(CT_ROOTS[new - 1]), proof
    )


def test_roots_and_frontier_match_the_naive_definition_for_every_size():
    frontier = merkle.Frontier()
    for size in range(1, MAX_SIZE + 1):
        frontier.append(LEAVES[size - 1])
        expected = naive_root(LEAVES[:size])
        assert merkle.root(LEAVES[:size]) == expected
        assert frontier.root() == expected
        assert frontier.size == size and frontier.is_valid()
        assert merkle.Frontier.from_hex(size, frontier.to_hex()).root() == expected


def test_every_inclusion_proof_matches_the_naive_path_and_verifies():
    for size in range(1, MAX_SIZE + 1):
        tree_root = naive_root(LEAVES[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(LEAVES, index, size)
            assert proof == naive_path(index, LEAVES[:size])
            assert merkle.verify_inclusion(index, size, LEAVES[index], proof, tree_root)


def test_every_consistency_proof_matches_the_naive_proof_and_verifies():
    for new in range(1, MAX_SIZE + 1):
        new_root = naive_root(LEAVES[:new])
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(LEAVES, old, new)
            assert proof == naive_subproof(old, LEAVES[:new], True)
            assert merkle.verify_consistency(old, new, naive_root(LEAVES[:old]), new_root, proof)


def test_an_inclusion_proof_for_another_leaf_or_root_fails():
    size = 13
    tree_root = merkle.root(LEAVES[:size])
    for index in range(size):
        proof = merkle.inclusion_proof(LEAVES, index, size)
        other = (index + 1) % size
        assert not merkle.verify_inclusion(index, size, LEAVES[other], proof, tree_root)
        assert not merkle.verify_inclusion(other, size, LEAVES[index], proof, tree_root)
        assert not merkle.verify_inclusion(index, size, LEAVES[index], proof, merkle.root(LEAVES[:12]))
        if proof:
            flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            assert not merkle.verify_inclusion(index, size, LEAVES[index], flipped, tree_root)
            assert not merkle.verify_inclusion(index, size, LEAVES[index], proof[:-1], tree_root)
        assert not merkle.verify_inclusion(index, size, LEAVES[index], [*proof, LEAVES[0]], tree_root)


def test_a_consistency_proof_fails_against_a_rewritten_history():
    rewritten = list(LEAVES)
    rewritten[3] = merkle.leaf_hash(b"rewritten")
    for old, new in [(4, 9), (5, 17), (7, 8), (8, 40), (1, 5)]:
        proof = merkle.consistency_proof(LEAVES, old, new)
        old_root = merkle.root(LEAVES[:old])
        new_root = merkle.root(LEAVES[:new])
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, merkle.root(rewritten[:new]), proof)
        assert not merkle.verify_consistency(old, new, new_root, new_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])


def test_consistency_edge_cases():
    r5 = merkle.root(LEAVES[:5])
    assert merkle.consistency_proof(LEAVES, 0, 5) == []
    assert merkle.consistency_proof(LEAVES, 5, 5) == []
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, r5, [])
    assert merkle.verify_consistency(5, 5, r5, r5, [])
    assert not merkle.verify_consistency(5, 5, r5, merkle.root(LEAVES[:6]), [])
    assert not merkle.verify_consistency(6, 5, r5, r5, [])
    assert not merkle.verify_consistency(2, 5, merkle.root(LEAVES[:2]), r5, [])
    with pytest.raises(ValueError):
        merkle.consistency_proof(LEAVES, 6, 5)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(LEAVES, 5, 5)


def test_a_frontier_with_the_wrong_number_of_subtrees_is_refused():
    with pytest.raises(ValueError):
        merkle.Frontier.from_hex(3, [LEAVES[0].hex()])
