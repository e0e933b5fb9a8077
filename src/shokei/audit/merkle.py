"""The audit ledger's Merkle tree: RFC 9162 (RFC 6962) hashing, stored subtrees, proofs.

Storage model: node (level, index) is the hash of the perfect subtree over leaves
[index * 2**level, (index + 1) * 2**level); level 0 holds the leaf hashes. Only complete
subtrees are ever stored, so a stored node never changes once written and the store can be
append-only. Every tree root and proof element is the RFC 9162 hash of a range
[begin, end) whose begin is aligned to the range's width, so it is a right-to-left fold of
at most log2(n) stored nodes: nothing here rehashes the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
StoredNode = tuple[int, int, bytes]
_Range = tuple[int, int]

# Domain separation (RFC 9162 §2.1.1): a leaf can never be mistaken for an interior node.
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class MissingNodeError(LookupError):
    """The node store lacks a node the tree shape says must exist (truncated or wrong store)."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class NodeStore(Protocol):
    """Read side of the stored perfect subtrees, keyed by (level, index)."""

    def get_node(self, level: int, index: int) -> bytes:
        """Return one node hash; raise `MissingNodeError` (or `KeyError`) if absent."""
        ...

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """Return the hashes of the requested nodes in one round trip; absent keys are omitted."""
        ...


class InMemoryNodeStore:
    """A `NodeStore` in a dict: for tests, tools and the offline verifier."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}

    def get_node(self, level: int, index: int) -> bytes:
        """Return node (level, index) or raise `MissingNodeError`."""
        try:
            return self._nodes[(level, index)]
        except KeyError:
            raise MissingNodeError(f"no stored node at level {level}, index {index}") from None

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the stored subset of `keys`."""
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def put_nodes(self, nodes: Iterable[StoredNode]) -> None:
        """Store nodes; re-storing the same hash is a no-op, a different hash is refused."""
        for level, index, value in nodes:
            existing = self._nodes.setdefault((level, index), value)
            if existing != value:
                # A complete subtree can never change: a different hash means a forked log.
                raise ValueError(f"node at level {level}, index {index} is already stored")

    def __len__(self) -> int:
        return len(self._nodes)


class CompactRange:
    """The right border of a tree: one perfect-subtree hash per set bit of its size.

    Appending is amortised O(1) hashes and the whole state is O(log n), so a full-log
    recompute streams in constant memory.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self, size: int = 0, peaks: Sequence[bytes] = ()) -> None:
        if size < 0 or len(peaks) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} peaks")
        self._size = size
        self._peaks = list(peaks)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash."""
        self._push(leaf, None)

    def append_recording(self, leaf: bytes, created: list[StoredNode]) -> None:
        """Append one leaf hash and add every node it completes (leaf first) to `created`."""
        self._push(leaf, created)

    def root(self) -> bytes:
        """RFC 9162 Merkle Tree Hash of the leaves appended so far."""
        return _fold_right(self._peaks) if self._peaks else EMPTY_ROOT

    def _push(self, leaf: bytes, created: list[StoredNode] | None) -> None:
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
        index, level, peaks = self._size, 0, self._peaks
        peaks.append(leaf)
        if created is not None:
            created.append((0, index, leaf))
        # Each trailing 1-bit of the old size is a peak as tall as the one just completed.
        while (index >> level) & 1:
            right = peaks.pop()
            peaks[-1] = node_hash(peaks[-1], right)
            level += 1
            if created is not None:
                created.append((level, index >> level, peaks[-1]))
        self._size += 1


def new_nodes_for_append(
    store: NodeStore, old_size: int, new_leaf_hashes: Iterable[bytes]
) -> list[StoredNode]:
    """All nodes (level 0 included) completed by appending leaves to a tree of `old_size`.

    Reads only the old tree's peaks (at most log2(old_size) nodes, one batched call);
    the result is in append order, ready for `put_nodes` or an INSERT.
    """
    _require_size(old_size)
    peak_keys = _perfect_subtrees(0, old_size)
    peaks = _fetch(store, peak_keys)
    border = CompactRange(old_size, [peaks[key] for key in peak_keys])
    created: list[StoredNode] = []
    for leaf in new_leaf_hashes:
        border.append_recording(leaf, created)
    return created


def root_hash(store: NodeStore, size: int) -> bytes:
    """RFC 9162 Merkle Tree Hash of the first `size` leaves (SHA-256 of "" when empty)."""
    _require_size(size)
    return _hash_ranges(store, [(0, size)])[0] if size else EMPTY_ROOT


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion proof (audit path) for leaf `index` in a tree of `size`."""
    _require_size(size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    return _hash_ranges(store, _inclusion_ranges(index, size))


def consistency_proof(store: NodeStore, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof that the `old_size` tree prefixes the `new_size` one.

    Empty when old_size is 0 or equals new_size (nothing to prove).
    """
    _require_size(old_size)
    if old_size > new_size:
        raise ValueError(f"old size {old_size} exceeds new size {new_size}")
    if old_size in (0, new_size):
        return []
    return _hash_ranges(store, _consistency_ranges(old_size, new_size))


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """RFC 9162 Merkle Tree Hash of a stream of leaf hashes, in O(log n) memory."""
    border = CompactRange()
    for leaf in hashes:
        border.append(leaf)
    return border.root()


def roots_at_sizes(leaf_hashes: Iterable[bytes], sizes: Iterable[int]) -> Iterator[tuple[int, bytes]]:
    """Yield (size, root) for each requested size, in ascending order, in one pass.

    Duplicates are yielded once; sizes beyond the end of the stream are not yielded
    (callers compare against what they asked for). Stops reading once all are served.
    """
    pending = sorted(set(sizes), reverse=True)
    if pending and pending[-1] < 0:
        raise ValueError(f"tree size {pending[-1]} is negative")
    border = CompactRange()
    leaves = iter(leaf_hashes)
    while pending:
        if pending[-1] == border.size:
            yield pending.pop(), border.root()
            continue
        leaf = next(leaves, None)
        if leaf is None:
            return
        border.append(leaf)


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show leaf `index` of a `size` tree hashes to `root`?"""
    if not 0 <= index < size or not _all_hashes([leaf_hash, root, *proof]):
        return False
    first, last, computed = index, size - 1, leaf_hash
    for sibling in proof:
        if last == 0:
            return False
        if first & 1 or first == last:
            computed = node_hash(sibling, computed)
            first, last = _climb_while_left_child(first, last)
        else:
            computed = node_hash(computed, sibling)
        first, last = first >> 1, last >> 1
    return last == 0 and computed == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show the `old_size` tree is a prefix of the `new_size` one?

    Degenerate cases are strict: equal sizes need equal roots and an empty proof, and an
    empty old tree must carry the empty-tree root.
    """
    if not 0 <= old_size <= new_size or not _all_hashes([old_root, new_root, *proof]):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root and (old_size > 0 or old_root == EMPTY_ROOT)
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = [old_root, *proof] if _is_power_of_two(old_size) else list(proof)
    return _replay_consistency(old_size, new_size, path) == (old_root, new_root, 0)


def _replay_consistency(old_size: int, new_size: int, path: list[bytes]) -> tuple[bytes, bytes, int]:
    # The loop of RFC 9162 §2.1.4.2 steps 3-6; returns (fr, sr, sn) for the final comparison.
    first, last = old_size - 1, new_size - 1
    while first & 1:
        first, last = first >> 1, last >> 1
    old_computed = new_computed = path[0]
    for sibling in path[1:]:
        if last == 0:
            return b"", b"", last
        if first & 1 or first == last:
            old_computed = node_hash(sibling, old_computed)
            new_computed = node_hash(sibling, new_computed)
            first, last = _climb_while_left_child(first, last)
        else:
            new_computed = node_hash(new_computed, sibling)
        first, last = first >> 1, last >> 1
    return old_computed, new_computed, last


def _climb_while_left_child(first: int, last: int) -> tuple[int, int]:
    # RFC 9162: "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0".
    while first and not first & 1:
        first, last = first >> 1, last >> 1
    return first, last


def _inclusion_ranges(index: int, size: int) -> list[_Range]:
    # RFC 9162 PATH(m, D[n]) unrolled: each step keeps the half holding the leaf and
    # records the other half; the top-level sibling comes last in the proof.
    ranges: list[_Range] = []
    offset, width, position = 0, size, index
    while width > 1:
        split = _largest_power_of_two_below(width)
        if position < split:
            ranges.append((offset + split, offset + width))
            width = split
        else:
            ranges.append((offset, offset + split))
            offset, position, width = offset + split, position - split, width - split
    ranges.reverse()
    return ranges


def _consistency_ranges(old_size: int, new_size: int) -> list[_Range]:
    # RFC 9162 SUBPROOF(m, D[n], b) unrolled, same bottom-up ordering as PATH.
    ranges: list[_Range] = []
    offset, width, remaining, whole_old_tree = 0, new_size, old_size, True
    while remaining != width:
        split = _largest_power_of_two_below(width)
        if remaining <= split:
            ranges.append((offset + split, offset + width))
            width = split
        else:
            ranges.append((offset, offset + split))
            offset, remaining, width = offset + split, remaining - split, width - split
            whole_old_tree = False
    if not whole_old_tree:
        # The verifier knows the old root itself only when the old tree is this subtree.
        ranges.append((offset, offset + width))
    ranges.reverse()
    return ranges


def _perfect_subtrees(begin: int, end: int) -> list[NodeKey]:
    """Stored nodes covering [begin, end), left to right (largest first)."""
    keys: list[NodeKey] = []
    position, width = begin, end - begin
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            if position % (1 << level):
                raise ValueError(f"range [{begin}, {end}) is not aligned to its subtrees")
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def _hash_ranges(store: NodeStore, ranges: Sequence[_Range]) -> list[bytes]:
    # Plan every node first so a SQL store answers the whole proof in one query.
    layouts = [_perfect_subtrees(begin, end) for begin, end in ranges]
    nodes = _fetch(store, [key for keys in layouts for key in keys])
    return [_fold_right([nodes[key] for key in keys]) for keys in layouts]


def _fetch(store: NodeStore, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
    if not keys:
        return {}
    unique = list(dict.fromkeys(keys))
    found = store.get_nodes(unique)
    missing = [key for key in unique if key not in found]
    if missing:
        raise MissingNodeError(f"node store lacks (level, index) {missing[:5]}")
    return found


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    # MTH of a left-balanced range = hash(first peak, MTH(rest)): fold from the right.
    accumulated = hashes[-1]
    for peak in reversed(hashes[:-1]):
        accumulated = node_hash(peak, accumulated)
    return accumulated


def _largest_power_of_two_below(width: int) -> int:
    return 1 << ((width - 1).bit_length() - 1)


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def _all_hashes(values: Iterable[bytes]) -> bool:
    return all(len(value) == HASH_SIZE for value in values)


def _require_size(size: int) -> None:
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
