"""RFC 6962 roots and proofs against the RFC's recursive definitions, for trees of 1..40."""

from __future__ import annotations

import hashlib

import pytest

from assetwatch.evidence.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    frontier_push,
    frontier_root,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

SIZES = range(1, 41)


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(data: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, written the way the RFC defines it (on the leaf *data*)."""
    n = len(data)
    if n == 0:
        return h(b"")
    if n == 1:
        return h(b"\x00" + data[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return h(b"\x01" + mth(data[:k]) + mth(data[k:]))


def path(m: int, data: list[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n])."""
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, data[:k]) + [mth(data[k:])]
    return path(m - k, data[k:]) + [mth(data[:k])]


def subproof(m: int, data: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(data)
    if m == n:
        return [] if whole else [mth(data)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, data[:k], whole) + [mth(data[k:])]
    return subproof(m - k, data[k:], False) + [mth(data[:k])]


def directions(m: int, n: int) -> list[bool]:
    """For each hash of PATH(m, D[n]), inner first: is it the right sibling?"""
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    return directions(m, k) + [True] if m < k else directions(m - k, n - k) + [False]


def leaves_data(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def tree_of(n: int) -> tuple[list[bytes], MerkleTree]:
    data = leaves_data(n)
    return data, MerkleTree([leaf_hash(d) for d in data])


# Roots of the first 1..8 leaves of the Certificate Transparency reference test vector.
CT_LEAVES = [
    b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57", bytes(range(0x60, 0x70)),
]  # fmt: skip
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


def test_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"x") == h(b"\x00x")
    assert node_hash(b"a" * 32, b"b" * 32) == h(b"\x01" + b"a" * 32 + b"b" * 32)
    assert root_of([]) == EMPTY_ROOT == h(b"")


def test_roots_match_the_certificate_transparency_vectors() -> None:
    tree = MerkleTree([leaf_hash(d) for d in CT_LEAVES])
    assert [tree.root(n).hex() for n in range(1, 9)] == CT_ROOTS


@pytest.mark.parametrize("n", SIZES)
def test_root_matches_the_recursive_definition(n: int) -> None:
    data, tree = tree_of(n)
    assert tree.root() == mth(data)
    assert [tree.root(m) for m in range(n + 1)] == [mth(data[:m]) for m in range(n + 1)]


@pytest.mark.parametrize("n", SIZES)
def test_frontier_gives_every_root(n: int) -> None:
    data, _ = tree_of(n)
    frontier: list[bytes] = []
    for size, d in enumerate(data):
        frontier = frontier_push(frontier, size, leaf_hash(d))
        assert frontier_root(frontier) == mth(data[: size + 1])
        assert len(frontier) == (size + 1).bit_count()


@pytest.mark.parametrize("n", SIZES)
def test_inclusion_proofs_match_the_rfc_and_verify(n: int) -> None:
    data, tree = tree_of(n)
    root = tree.root()
    for m in range(n):
        proof = tree.inclusion_proof(m)
        assert proof == path(m, data)
        assert verify_inclusion(leaf_hash(data[m]), m, n, proof, root)


@pytest.mark.parametrize("n", SIZES)
def test_inclusion_proofs_fail_for_a_wrong_leaf_index_size_or_root(n: int) -> None:
    data, tree = tree_of(n)
    root = tree.root()
    for m in range(n):
        proof, leaf = tree.inclusion_proof(m), leaf_hash(data[m])
        assert not verify_inclusion(leaf_hash(b"forged"), m, n, proof, root)
        assert not verify_inclusion(leaf, m, n, proof, leaf_hash(b"other root"))
        for index in {m - 1, m + 1, n} - {m}:
            assert not verify_inclusion(leaf, index, n, proof, root), (m, index)
        for size in {n - 1, n + 1, 2 * n} - {n}:
            # A size whose audit path has the same shape yields the same root: the size is
            # bound by the signed checkpoint, not by the proof. Every other size fails.
            same_shape = m < size and directions(m, size) == directions(m, n)
            assert verify_inclusion(leaf, m, size, proof, root) == same_shape, (m, size)
        if proof:
            assert not verify_inclusion(leaf, m, n, proof[:-1], root)
            assert not verify_inclusion(leaf, m, n, [*proof, proof[0]], root)
            flipped = bytes([proof[0][0] ^ 1]) + proof[0][1:]
            assert not verify_inclusion(leaf, m, n, [flipped, *proof[1:]], root)


@pytest.mark.parametrize("n", SIZES)
def test_consistency_proofs_match_the_rfc_and_verify(n: int) -> None:
    data, tree = tree_of(n)
    for m in range(0, n + 1):
        proof = tree.consistency_proof(m)
        if 0 < m < n:
            assert proof == subproof(m, data, True)
        assert verify_consistency(m, n, tree.root(m), tree.root(), proof), m


@pytest.mark.parametrize("n", range(2, 41))
def test_consistency_proofs_fail_for_another_history(n: int) -> None:
    data, tree = tree_of(n)
    for m in range(1, n):
        proof, old_root = tree.consistency_proof(m), tree.root(m)
        rewritten = MerkleTree([leaf_hash(b"rewritten")] + [leaf_hash(d) for d in data[1:]])
        assert not verify_consistency(m, n, old_root, rewritten.root(), proof)
        assert not verify_consistency(m, n, leaf_hash(b"x"), tree.root(), proof)
        if m + 1 < n:
            assert not verify_consistency(m + 1, n, old_root, tree.root(), proof)
        assert not verify_consistency(m, n, old_root, tree.root(), proof[:-1])


def test_bad_arguments() -> None:
    _, tree = tree_of(5)
    with pytest.raises(ValueError, match="not in a tree"):
        tree.inclusion_proof(5)
    with pytest.raises(ValueError, match="outside"):
        tree.root(6)
    with pytest.raises(ValueError, match="cannot describe"):
        frontier_push([], 1, leaf_hash(b"x"))
    assert not verify_inclusion(leaf_hash(b"x"), 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(leaf_hash(b"x"), 0, 2, [b"short"], EMPTY_ROOT)
    assert verify_consistency(0, 5, EMPTY_ROOT, tree.root(), [])
    assert not verify_consistency(3, 2, tree.root(3), tree.root(2), [])
