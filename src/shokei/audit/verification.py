"""Verifying the whole ledger: recompute the tree from the stored entries, compare it with every
stored node and checkpoint, and name the first bad index.

The log is checked in chunks of 2**14 entries aligned to the tree: every node up to level 14
lies inside one chunk, so each chunk is checked on its own (in a worker process for a large
log) and the parent only combines the chunk roots into the few nodes above them. Who may verify
is decided by `services.verify_ledger`; this module only checks.
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shokei.audit import store
from shokei.audit.domain import (
    Findings,
    LedgerConfig,
    LedgerVerification,
    StoredEntry,
    entry_problem_texts,
)
from shokei.audit.merkle import EMPTY_ROOT, CompactRange, NodeKey, StoredNode, leaf_hash, node_hash
from shokei.audit.notes import NoteVerificationError, open_note
from shokei.db import make_engine
from shokei.errors import N_, Text
from shokei.kernel.unit_of_work import UnitOfWork

# Verification reads the log in chunks of 2**14 entries: bounded memory, short transactions.
_CHUNK_LEVEL = 14
_CHUNK = 1 << _CHUNK_LEVEL
# Below this many entries, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200_000
_MAX_WORKERS = 4
_MISSING_LEAF = bytes(32)
_MAX_CHUNK_PROBLEMS = 50


def verify(
    uow: UnitOfWork,
    config: LedgerConfig | None,
    *,
    workers: int | None = None,
    published: Sequence[str] = (),
) -> LedgerVerification:
    """Checks that indices run gapless from 0 to the head; that each entry's leaf is canonical,
    carries its index and agrees with the entry's columns; that every stored node (leaf
    hashes and interior nodes) equals its recomputation; that every checkpoint's signature
    verifies and its root is the recomputed root at its size; and that nothing lies beyond
    the head. Entries are streamed in chunks, in `workers` processes for a large log
    (default: one per CPU, at most 4, from 200,000 entries).

    `published` are checkpoint notes kept outside the database (by a witness, `audit verify
    --against`): each is checked like a stored one, so entries removed behind it (a truncated
    tail, its checkpoints and head moved back with it) or rewritten under it are found.
    """
    with uow.transaction() as session:
        size = store.head_size(session)
        checkpoints = [_CheckpointRow(c.size, c.root, c.note) for c in store.all_checkpoints(session)]
        upper_nodes = store.nodes_above(session, _CHUNK_LEVEL)
    findings = Findings()
    checkpoints = sorted([*checkpoints, *_published_rows(published, config, findings)], key=lambda c: c.size)
    sizes = [c.size for c in checkpoints]
    recomputed = _recompute_tree(uow, size, sizes, upper_nodes, findings=findings, workers=workers)
    signed_size = _check_checkpoints(checkpoints, recomputed, config, size, findings)
    with uow.transaction() as session:
        _check_outside_head(session, findings)
    return LedgerVerification(
        ok=findings.ok,
        size=size,
        checkpoints_checked=len(checkpoints),
        signed_size=signed_size,
        first_bad_index=findings.first_bad_index,
        problems=findings.problems,
        problems_omitted=findings.omitted,
        problem_texts=findings.problem_texts,
    )


@dataclass(frozen=True, slots=True)
class _CheckpointRow:
    size: int
    root: bytes
    note: str
    published: bool = False


def _published_rows(
    notes: Sequence[str], config: LedgerConfig | None, findings: Findings
) -> list[_CheckpointRow]:
    rows = []
    for note in notes:
        if config is None or config.verifier_key is None:
            findings.add(
                Text(N_("published checkpoint: no verifier key is configured to check its signature"))
            )
            continue
        try:
            signed = open_note(note, config.verifier_key)
        except NoteVerificationError as error:
            findings.add(
                Text(
                    N_("published checkpoint: the signed note does not verify (%(error)s)"),
                    {"error": error.text},
                )
            )
            continue
        if signed.origin != config.origin:
            findings.add(
                Text(
                    N_("published checkpoint: origin %(origin)s is not this ledger's"),
                    {"origin": repr(signed.origin)},
                )
            )
            continue
        rows.append(_CheckpointRow(signed.size, signed.root, note, published=True))
    return rows


@dataclass(frozen=True, slots=True)
class _ChunkReport:
    """Findings for the entries [begin, end) and the hashes the parent needs from them.

    `root` is the chunk's subtree hash (the hash of [begin, end) as one range); `partial_roots`
    the hash of [begin, size) for each checkpoint size inside the chunk.
    """

    begin: int
    end: int
    root: bytes
    partial_roots: dict[int, bytes]
    bad_indices: list[int]
    problems: list[tuple[int, Text]]
    omitted: int


@dataclass(slots=True)
class _Recomputed:
    roots: dict[int, bytes] = field(default_factory=dict)
    bad_leaves: list[int] = field(default_factory=list)


def _recompute_tree(
    uow: UnitOfWork,
    size: int,
    checkpoint_sizes: list[int],
    stored_upper: dict[NodeKey, bytes],
    *,
    findings: Findings,
    workers: int | None,
) -> _Recomputed:
    result = _Recomputed({0: EMPTY_ROOT} if 0 in checkpoint_sizes else {})
    chunk_roots, upper = CompactRange(), dict[NodeKey, bytes]()
    for report in _chunk_reports(uow, size, checkpoint_sizes, workers):
        for index, problem in report.problems:
            findings.add(problem, index)
        findings.omitted += report.omitted
        result.bad_leaves.extend(report.bad_indices)
        peaks = [upper[key] for key in subtrees_before(report.begin)]
        for checkpoint_size, partial in report.partial_roots.items():
            result.roots[checkpoint_size] = _fold_right([*peaks, partial])
        if report.end - report.begin == _CHUNK:
            created: list[StoredNode] = []
            chunk_roots.append_recording(report.root, created)
            upper.update(((level + _CHUNK_LEVEL, index), value) for level, index, value in created)
    above = [(level, index, value) for (level, index), value in upper.items() if level > _CHUNK_LEVEL]
    _compare_nodes(above, stored_upper, result.bad_leaves, findings.add)
    return result


def subtrees_before(size: int) -> list[NodeKey]:
    """The perfect subtrees covering [0, size), largest first: one per set bit of `size`."""
    keys, position = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def _fold_right(hashes: list[bytes]) -> bytes:
    # RFC 9162: the hash of a range is its perfect subtrees folded from the right.
    accumulated = hashes[-1]
    for peak in reversed(hashes[:-1]):
        accumulated = node_hash(peak, accumulated)
    return accumulated


def _compare_nodes(
    recomputed: list[StoredNode],
    stored: dict[NodeKey, bytes],
    bad_leaves: list[int],
    report: Callable[[Text, int], None],
) -> None:
    for level, index, value in recomputed:
        if stored.get((level, index)) == value:
            continue
        first, last = index << level, ((index + 1) << level) - 1
        if bisect.bisect_left(bad_leaves, first) < bisect.bisect_right(bad_leaves, last):
            continue  # explained by an entry already reported below it
        problem = (
            N_("tree node (level %(level)s, index %(index)s) over entries %(first)s-%(last)s is missing")
            if (level, index) not in stored
            else N_(
                "tree node (level %(level)s, index %(index)s) over entries %(first)s-%(last)s "
                "differs from the hash of its entries"
            )
        )
        report(Text(problem, {"level": level, "index": index, "first": first, "last": last}), first)


def _chunk_reports(
    uow: UnitOfWork, size: int, checkpoint_sizes: list[int], workers: int | None
) -> Iterator[_ChunkReport]:
    begins = list(range(0, size, _CHUNK))
    ends = [min(begin + _CHUNK, size) for begin in begins]
    inside = [tuple(s for s in checkpoint_sizes if b < s <= e) for b, e in zip(begins, ends, strict=True)]
    count = _worker_count(uow.engine, size, workers)
    if count == 0 or not begins:
        yield from map(functools.partial(_chunk_report, uow.engine), begins, ends, inside)
        return
    url = uow.engine.url.render_as_string(hide_password=False)
    context = get_context("spawn")  # a fresh interpreter: no inherited connections or locks
    with ProcessPoolExecutor(count, mp_context=context, initializer=_open_worker, initargs=(url,)) as pool:
        yield from pool.map(_chunk_report_in_worker, begins, ends, inside)


def _worker_count(engine: Engine, size: int, workers: int | None) -> int:
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return 0  # another process cannot open a private in-memory database
    if workers is not None:
        return max(workers, 0)
    return min(os.cpu_count() or 1, _MAX_WORKERS) if size >= _PARALLEL_FROM else 0


_WORKER: dict[str, Engine] = {}


def _open_worker(url: str) -> None:
    _WORKER["engine"] = make_engine(url)


def _chunk_report_in_worker(begin: int, end: int, checkpoint_sizes: tuple[int, ...]) -> _ChunkReport:
    return _chunk_report(_WORKER["engine"], begin, end, checkpoint_sizes)


def _chunk_report(engine: Engine, begin: int, end: int, checkpoint_sizes: tuple[int, ...]) -> _ChunkReport:
    """Check entries [begin, end) and every stored node inside the chunk; runs in a worker."""
    with engine.connect() as connection, connection.begin():
        entries = store.entries_between(connection, begin, end)
        stored = store.node_levels(connection, begin, end, max_level=_CHUNK_LEVEL)
    found = _ChunkProblems()
    levels = _tree_levels(list(_checked_leaf_hashes(begin, end, entries, found)))
    for level, computed in enumerate(levels):
        first = begin >> level
        if not _same_level(first, computed, stored.get(level)):
            with engine.connect() as connection, connection.begin():
                by_index = store.nodes_of_level(connection, level, first, first + len(computed) - 1)
            _report_differences(level, first, computed, by_index, found)
    partial_roots = {size: _range_hash(levels, size - begin) for size in checkpoint_sizes}
    root = _range_hash(levels, end - begin)
    return _ChunkReport(begin, end, root, partial_roots, found.bad_indices, found.problems, found.omitted)


@dataclass(slots=True)
class _ChunkProblems:
    """A chunk's problems (capped: one deletion can disturb every node above it) and bad entries."""

    bad_indices: list[int] = field(default_factory=list)
    missing: set[int] = field(default_factory=set)
    problems: list[tuple[int, Text]] = field(default_factory=list)
    omitted: int = 0

    def add(self, index: int, problem: Text) -> None:
        """A problem with entry `index`: it explains the nodes above that entry."""
        self.bad_indices.append(index)
        self.add_node_problem(problem, index)

    def add_node_problem(self, problem: Text, first_index: int) -> None:
        if len(self.problems) < _MAX_CHUNK_PROBLEMS:
            self.problems.append((first_index, problem))
        else:
            self.omitted += 1


def _checked_leaf_hashes(
    begin: int, end: int, entries: Sequence[StoredEntry], found: _ChunkProblems
) -> Iterator[bytes]:
    """The leaf hash at every position of [begin, end), reporting what is wrong on the way.

    A missing entry keeps its place (as a hash that matches nothing), so the entries after it
    are still checked where they belong.
    """
    expected = begin
    for entry in entries:
        index = entry.index
        yield from _missing(expected, index, found)
        expected = index + 1
        if not isinstance(entry.leaf, bytes):  # SQLite keeps text in a BLOB column too
            holds = {"index": index, "type": type(entry.leaf).__name__}
            found.add(index, Text(N_("entry %(index)s: column leaf holds %(type)s, not bytes"), holds))
            yield _MISSING_LEAF
            continue
        for problem in entry_problem_texts(entry):
            found.add(index, Text(N_("entry %(index)s: %(problem)s"), {"index": index, "problem": problem}))
        yield leaf_hash(entry.leaf)
    yield from _missing(expected, end, found)


def _missing(begin: int, end: int, found: _ChunkProblems) -> Iterator[bytes]:
    for index in range(begin, end):
        found.add(
            index,
            Text(N_("entry %(index)s is missing (deleted, or its index was changed)"), {"index": index}),
        )
        found.missing.add(index)
        yield _MISSING_LEAF


def _tree_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every complete node over `leaves`, level by level (levels[0] is the leaves themselves)."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


def _range_hash(levels: list[list[bytes]], width: int) -> bytes:
    # The hash of the chunk's first `width` leaves: its perfect subtrees folded from the right.
    return _fold_right([levels[level][index] for level, index in subtrees_before(width)])


def _same_level(first: int, computed: list[bytes], stored: store.NodeLevel | None) -> bool:
    # Indices are unique, so the right count between the right ends means the same positions.
    if stored is None:
        return not computed
    span = (stored.first, stored.last, len(stored.hashes))
    return span == (first, first + len(computed) - 1, len(computed)) and stored.hashes == computed


def _report_differences(
    level: int, first: int, computed: list[bytes], stored: dict[int, bytes], found: _ChunkProblems
) -> None:
    if level == 0:
        for index, value in enumerate(computed, start=first):
            if index in found.missing:
                continue  # reported as missing already
            if index not in stored:
                found.add(
                    index,
                    Text(
                        N_("entry %(index)s: its leaf hash is missing from the stored tree"), {"index": index}
                    ),
                )
            elif stored[index] != value:
                differs = N_("entry %(index)s: its leaf differs from the leaf hash stored in the tree")
                found.add(index, Text(differs, {"index": index}))
        found.bad_indices.sort()
        return
    recomputed = [(level, index, value) for index, value in enumerate(computed, start=first)]
    by_key = {(level, index): value for index, value in stored.items()}
    _compare_nodes(recomputed, by_key, found.bad_indices, found.add_node_problem)


def _check_checkpoints(
    checkpoints: list[_CheckpointRow],
    recomputed: _Recomputed,
    config: LedgerConfig | None,
    size: int,
    findings: Findings,
) -> int:
    """Check each checkpoint in ascending order; return the largest that fully verified."""
    last_good = 0
    for checkpoint in checkpoints:
        if _checkpoint_holds(
            checkpoint, recomputed, config, size=size, last_good=last_good, findings=findings
        ):
            last_good = checkpoint.size
    return last_good


def _checkpoint_holds(
    checkpoint: _CheckpointRow,
    recomputed: _Recomputed,
    config: LedgerConfig | None,
    *,
    size: int,
    last_good: int,
    findings: Findings,
) -> bool:
    where = Text(
        N_("published checkpoint %(size)s") if checkpoint.published else N_("checkpoint %(size)s"),
        {"size": checkpoint.size},
    )
    if config is None or config.verifier_key is None:
        unchecked = N_("%(where)s: no verifier key is configured, so its signature cannot be checked")
        findings.add(Text(unchecked, {"where": where}))
        return False
    try:
        signed = open_note(checkpoint.note, config.verifier_key)
    except NoteVerificationError as error:
        # The checkpoint row was altered, not necessarily the log: no entry is implicated.
        findings.add(
            Text(
                N_("%(where)s: the signed note does not verify (%(error)s)"),
                {"where": where, "error": error.text},
            )
        )
        return False
    if (signed.origin, signed.size, signed.root) != (config.origin, checkpoint.size, checkpoint.root):
        disagrees = N_("%(where)s: the stored row disagrees with its signed note (origin, size or root)")
        findings.add(Text(disagrees, {"where": where}))
        return False
    if checkpoint.size > size:
        beyond = {"where": where, "signed": checkpoint.size, "size": size}
        findings.add(
            Text(N_("%(where)s: signs %(signed)s entries but the ledger holds %(size)s"), beyond), size
        )
        return False
    if recomputed.roots.get(checkpoint.size) != signed.root:
        message = Text(
            N_(
                "%(where)s: the signed root does not match the tree recomputed from the entries; "
                "the first altered entry lies in [%(first)s, %(end)s)"
            ),
            {"where": where, "first": last_good, "end": checkpoint.size},
        )
        findings.add(message, _first_bad_leaf(recomputed.bad_leaves, last_good, checkpoint.size))
        return False
    return True


def _first_bad_leaf(bad_leaves: list[int], begin: int, end: int) -> int:
    # Entries already reported inside the range explain the mismatch more precisely than the
    # range does; otherwise the signatures only say "somewhere from `begin` on".
    position = bisect.bisect_left(bad_leaves, begin)
    return bad_leaves[position] if position < len(bad_leaves) and bad_leaves[position] < end else begin


def _check_outside_head(session: Session, findings: Findings) -> None:
    size = store.head_size(session)
    for index in store.entries_outside_head(session):
        outside = N_(
            "entry %(index)s lies outside the ledger of %(size)s entries: it was not appended by Shokei"
        )
        findings.add(Text(outside, {"index": index, "size": size}), index)
    for level, index in store.nodes_outside_head(session):
        message = Text(
            N_(
                "tree node (level %(level)s, index %(index)s) covers entries beyond the ledger of "
                "%(size)s entries"
            ),
            {"level": level, "index": index, "size": size},
        )
        sane = index >= 0 and 0 <= level <= store.MAX_LEVEL
        findings.add(message, max(index << level, size) if sane else None)
