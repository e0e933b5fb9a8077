"""Merkle tree: published RFC 6962 vectors, then properties against a naive recursive model."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shokei.audit.merkle import (
    EMPTY_ROOT,
    InMemoryNodeStore,
    MissingNodeError,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_nodes_for_append,
    node_hash,
    root_from_leaf_hashes,
    root_hash,
    roots_at_sizes,
    verify_consistency,
    verify_inclusion,
)

# --- Published vectors ------------------------------------------------------------------
# transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher).
EMPTY_TREE_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_LEAF_HEX = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
LEAF_L123456_HEX = "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
NODE_N123_N456_HEX = "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"

# transparency-dev/merkle proof/verify_test.go (leaves, roots, inclusionProofs,
# consistencyProofs); the same tree as google/certificate-transparency merkle_tree_test.
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
# (leaf index, tree size, proof); the Go table counts leaves from 1, these from 0.
INCLUSION_PROOFS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


# --- An independent model: RFC 6962 §2.1 written as literally as possible -------------
def naive_mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = _split_point(len(leaves))
    return hashlib.sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:])).digest()


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split_point(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    return _naive_subproof(m, leaves, True)


def _naive_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_mth(leaves)]
    k = _split_point(n)
    if m <= k:
        return [*_naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*_naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def _split_point(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def store_of(entries: Sequence[bytes], batch_sizes: Sequence[int] = ()) -> InMemoryNodeStore:
    """A store filled by appending `entries` in batches of the given sizes (then one by one)."""
    store, hashes, size = InMemoryNodeStore(), [leaf_hash(e) for e in entries], 0
    for batch in [*batch_sizes, *([1] * len(entries))]:
        if size >= len(hashes):
            break
        chunk = hashes[size : size + batch]
        store.put_nodes(new_nodes_for_append(store, size, chunk))
        size += len(chunk)
    return store


def entries_for(count: int, salt: int) -> list[bytes]:
    return [f"{salt}:{i}".encode() for i in range(count)]


class CountingStore:
    """Wraps a store to count round trips and keys, to pin the O(log n) read bound."""

    def __init__(self, inner: InMemoryNodeStore) -> None:
        self.inner = inner
        self.calls = 0
        self.keys = 0

    def get_node(self, level: int, index: int) -> bytes:
        self.calls, self.keys = self.calls + 1, self.keys + 1
        return self.inner.get_node(level, index)

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls, self.keys = self.calls + 1, self.keys + len(keys)
        return self.inner.get_nodes(keys)


@pytest.fixture(scope="module")
def vector_store() -> InMemoryNodeStore:
    return store_of(LEAVES)


# --- Hashing -----------------------------------------------------------------------------
def test_hashes_match_the_rfc6962_hasher_vectors() -> None:
    assert EMPTY_ROOT.hex() == EMPTY_TREE_HEX
    assert leaf_hash(b"").hex() == EMPTY_LEAF_HEX
    assert leaf_hash(b"L123456").hex() == LEAF_L123456_HEX
    assert node_hash(b"N123", b"N456").hex() == NODE_N123_N456_HEX


# --- Roots -------------------------------------------------------------------------------
@pytest.mark.parametrize("size", range(1, 9))
def test_stored_root_matches_published_root(vector_store: InMemoryNodeStore, size: int) -> None:
    assert root_hash(vector_store, size) == ROOTS[size - 1]


@pytest.mark.parametrize("size", range(1, 9))
def test_streamed_root_matches_published_root(size: int) -> None:
    assert root_from_leaf_hashes(leaf_hash(e) for e in LEAVES[:size]) == ROOTS[size - 1]


def test_empty_tree_root_is_sha256_of_nothing(vector_store: InMemoryNodeStore) -> None:
    assert root_hash(vector_store, 0).hex() == EMPTY_TREE_HEX
    assert root_from_leaf_hashes([]).hex() == EMPTY_TREE_HEX


def test_roots_at_sizes_serves_each_requested_size_once_in_order() -> None:
    hashes = [leaf_hash(e) for e in LEAVES]
    got = list(roots_at_sizes(iter(hashes), [8, 3, 0, 3, 1]))
    assert got == [(0, EMPTY_ROOT), (1, ROOTS[0]), (3, ROOTS[2]), (8, ROOTS[7])]


def test_roots_at_sizes_omits_sizes_beyond_the_stream() -> None:
    hashes = [leaf_hash(e) for e in LEAVES[:5]]
    assert list(roots_at_sizes(hashes, [5, 6, 100])) == [(5, ROOTS[4])]


def test_root_from_leaf_hashes_refuses_a_short_hash() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        root_from_leaf_hashes([b"\x00" * 31])


# --- Inclusion ---------------------------------------------------------------------------
@pytest.mark.parametrize(("index", "size", "proof_hex"), INCLUSION_PROOFS)
def test_inclusion_proof_matches_published_vector(
    vector_store: InMemoryNodeStore, index: int, size: int, proof_hex: list[str]
) -> None:
    proof = inclusion_proof(vector_store, index, size)
    assert [p.hex() for p in proof] == proof_hex
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, ROOTS[size - 1])


@pytest.mark.parametrize(("index", "size", "proof_hex"), INCLUSION_PROOFS[1:])
def test_inclusion_verifier_rejects_every_corruption(index: int, size: int, proof_hex: list[str]) -> None:
    # The probe list of transparency-dev/merkle corruptInclusionProof.
    proof = [bytes.fromhex(p) for p in proof_hex]
    root, leaf = ROOTS[size - 1], leaf_hash(LEAVES[index])
    probes: list[tuple[int, int, bytes, list[bytes], bytes]] = [
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, b""], root),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [b"", *proof], root),
        (index, size, leaf, [root, *proof], root),
        (index, size, leaf, proof[:-1], root),
        (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root),
    ]
    probes += [(index, size, leaf, _flip_bit(proof, i, 8), root) for i in range(len(proof))]
    assert [verify_inclusion(*_reorder_inclusion(p)) for p in probes] == [False] * len(probes)


def _reorder_inclusion(
    probe: tuple[int, int, bytes, list[bytes], bytes],
) -> tuple[bytes, int, int, list[bytes], bytes]:
    index, size, leaf, proof, root = probe
    return leaf, index, size, proof, root


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (1, 1), (2, 1), (-1, 4)])
def test_inclusion_verifier_rejects_impossible_positions(index: int, size: int) -> None:
    assert not verify_inclusion(SOME_HASH, index, size, [], SOME_HASH)


def test_single_leaf_tree_proves_itself_with_an_empty_path() -> None:
    leaf = leaf_hash(b"data")
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [], b"")


@pytest.mark.parametrize(("index", "size"), [(0, 0), (8, 8), (-1, 3)])
def test_inclusion_proof_refuses_indexes_outside_the_tree(
    vector_store: InMemoryNodeStore, index: int, size: int
) -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(vector_store, index, size)


# --- Consistency -------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "proof_hex"), CONSISTENCY_PROOFS)
def test_consistency_proof_matches_published_vector(
    vector_store: InMemoryNodeStore, old: int, new: int, proof_hex: list[str]
) -> None:
    proof = consistency_proof(vector_store, old, new)
    assert [p.hex() for p in proof] == proof_hex
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize(("old", "new", "proof_hex"), CONSISTENCY_PROOFS[1:])
def test_consistency_verifier_rejects_every_corruption(old: int, new: int, proof_hex: list[str]) -> None:
    # The probe list of transparency-dev/merkle corruptConsistencyProof.
    proof, root1, root2 = [bytes.fromhex(p) for p in proof_hex], ROOTS[old - 1], ROOTS[new - 1]
    wrong = leaf_hash(b"WrongRoot")
    probes: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old - 1, new, root1, root2, proof),
        (old + 1, new, root1, root2, proof),
        (old ^ 2, new, root1, root2, proof),
        (old, new * 2, root1, root2, proof),
        (old, new // 2, root1, root2, proof),
        (old, new, wrong, root2, proof),
        (old, new, root1, wrong, proof),
        (old, new, root2, root1, proof),
        (old, new, root1, root2, []),
        (old, new, root1, root2, [*proof, b""]),
        (old, new, root1, root2, [*proof, root1]),
        (old, new, root1, root2, [*proof, root2]),
        (old, new, root1, root2, [b"", *proof]),
        (old, new, root1, root2, [root1, *proof]),
        (old, new, root1, root2, [root2, *proof]),
        (old, new, root1, root2, [proof[0], *proof]),
        (old, new, root1, root2, proof[:-1]),
    ]
    probes += [(old, new, root1, root2, _flip_bit(proof, i, 16)) for i in range(len(proof))]
    assert [verify_consistency(*p) for p in probes] == [False] * len(probes)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ((0, 0, EMPTY_ROOT, EMPTY_ROOT, []), True),
        ((0, 5, EMPTY_ROOT, ROOTS[4], []), True),
        ((0, 5, SOME_HASH, ROOTS[4], []), False),  # an empty tree has exactly one root
        ((0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]), False),
        ((3, 3, ROOTS[2], ROOTS[2], []), True),
        ((3, 3, ROOTS[2], ROOTS[3], []), False),
        ((3, 3, ROOTS[2], ROOTS[2], [EMPTY_ROOT]), False),
        ((4, 3, ROOTS[3], ROOTS[2], []), False),
        ((1, 2, ROOTS[0], ROOTS[1], []), False),
    ],
)
def test_consistency_verifier_degenerate_cases(
    case: tuple[int, int, bytes, bytes, list[bytes]], expected: bool
) -> None:
    assert verify_consistency(*case) is expected


def test_consistency_proof_is_empty_from_an_empty_or_equal_tree(
    vector_store: InMemoryNodeStore,
) -> None:
    assert consistency_proof(vector_store, 0, 8) == []
    assert consistency_proof(vector_store, 5, 5) == []
    with pytest.raises(ValueError, match="exceeds"):
        consistency_proof(vector_store, 6, 5)


def _flip_bit(proof: list[bytes], position: int, mask: int) -> list[bytes]:
    changed = list(proof)
    changed[position] = bytes([changed[position][0] ^ mask]) + changed[position][1:]
    return changed


# --- Storage model -----------------------------------------------------------------------
def test_store_holds_every_complete_subtree_and_nothing_else() -> None:
    entries = entries_for(13, salt=1)
    store = store_of(entries)
    expected = {
        (level, index)
        for level in range(5)
        for index in range(13 >> level)  # complete subtrees only
    }
    assert set(store.get_nodes(sorted(expected))) == expected
    assert len(store) == len(expected)
    width = 4
    assert store.get_node(2, 2) == naive_mth(entries[2 * width : 3 * width])


def test_new_nodes_for_append_reports_exactly_the_newly_completed_nodes() -> None:
    entries = entries_for(11, salt=2)
    store = store_of(entries[:5])
    created = new_nodes_for_append(store, 5, [leaf_hash(e) for e in entries[5:]])
    # A node (L, i) completes when its last leaf, (i + 1) * 2**L - 1, is among leaves 5..10.
    expected = {(lv, i) for lv in range(4) for i in range(11 >> lv) if (i + 1) << lv > 5}
    assert {(level, index) for level, index, _ in created} == expected
    for level, index, value in created:
        assert value == naive_mth(entries[index << level : (index + 1) << level])


def test_append_reads_only_the_old_peaks() -> None:
    store = CountingStore(store_of(entries_for(1000, salt=3)))
    new_nodes_for_append(store, 1000, [leaf_hash(b"x")] * 50)
    assert (store.calls, store.keys) == (1, bin(1000).count("1"))


@pytest.mark.parametrize(("index", "size"), [(0, 1000), (617, 1000), (999, 1000), (81, 95)])
def test_inclusion_proof_is_one_batched_read_of_log_n_nodes(index: int, size: int) -> None:
    store = CountingStore(store_of(entries_for(1000, salt=4)))
    inclusion_proof(store, index, size)
    assert store.calls == 1
    assert store.keys <= 2 * size.bit_length()


@pytest.mark.parametrize(("old", "new"), [(1, 1000), (617, 1000), (999, 1000), (81, 95)])
def test_consistency_proof_is_one_batched_read_of_log_n_nodes(old: int, new: int) -> None:
    store = CountingStore(store_of(entries_for(1000, salt=5)))
    consistency_proof(store, old, new)
    assert store.calls == 1
    assert store.keys <= 2 * new.bit_length()


def test_missing_nodes_are_reported_not_guessed() -> None:
    store = store_of(entries_for(4, salt=6))
    with pytest.raises(MissingNodeError):
        root_hash(store, 6)
    with pytest.raises(MissingNodeError):
        new_nodes_for_append(store, 5, [leaf_hash(b"x")])


def test_store_refuses_to_rewrite_a_complete_subtree() -> None:
    store = store_of(entries_for(1, salt=7))
    store.put_nodes([(0, 1, leaf_hash(b"2"))])  # not stored before: fine
    store.put_nodes([(0, 1, leaf_hash(b"2"))])  # identical: idempotent
    with pytest.raises(ValueError, match="already stored"):
        store.put_nodes([(0, 0, leaf_hash(b"forged"))])


# --- Properties against the naive model ---------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 300), salt=st.integers(0, 2**32))
def test_every_proof_equals_the_naive_one_and_verifies(size: int, salt: int) -> None:
    entries = entries_for(size, salt)
    store, root = store_of(entries, [size]), naive_mth(entries)
    assert root_hash(store, size) == root
    assert root_from_leaf_hashes(leaf_hash(e) for e in entries) == root
    for index in range(size):
        proof = inclusion_proof(store, index, size)
        assert proof == naive_path(index, entries)
        assert verify_inclusion(leaf_hash(entries[index]), index, size, proof, root)
    for old in range(1, size + 1):
        proof = consistency_proof(store, old, size)
        assert proof == naive_proof(old, entries)
        assert verify_consistency(old, size, root_hash(store, old), root, proof)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(2, 300),
    data=st.data(),
)
def test_proofs_fail_against_a_different_log(size: int, data: st.DataObject) -> None:
    entries = entries_for(size, salt=8)
    changed = data.draw(st.integers(0, size - 1))
    forged = [*entries[:changed], b"forged", *entries[changed + 1 :]]
    store, forged_root = store_of(entries, [size]), naive_mth(forged)
    proof = inclusion_proof(store, changed, size)
    assert not verify_inclusion(leaf_hash(entries[changed]), changed, size, proof, forged_root)
    old = data.draw(st.integers(changed + 1, size))
    old_root = naive_mth(forged[:old])
    proof = consistency_proof(store, old, size)
    assert not verify_consistency(old, size, old_root, naive_mth(entries), proof)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(0, 300),
    batches=st.lists(st.integers(1, 64), max_size=12),
    salt=st.integers(0, 2**32),
)
def test_batched_appends_store_the_same_nodes_as_single_appends(
    size: int, batches: list[int], salt: int
) -> None:
    entries = entries_for(size, salt)
    batched, single = store_of(entries, batches), store_of(entries)
    everything = [(lv, i) for lv in range(10) for i in range(size >> lv)]
    assert batched.get_nodes(everything) == single.get_nodes(everything)
    assert len(batched) == len(single) == len(everything)
    assert root_hash(batched, size) == naive_mth(entries)


@settings(max_examples=30, deadline=None)
@given(
    size=st.integers(0, 300),
    sizes=st.lists(st.integers(0, 320), max_size=8),
)
def test_roots_at_sizes_agree_with_the_naive_root(size: int, sizes: list[int]) -> None:
    entries = entries_for(size, salt=9)
    got = dict(roots_at_sizes((leaf_hash(e) for e in entries), sizes))
    assert got == {s: naive_mth(entries[:s]) for s in set(sizes) if s <= size}
