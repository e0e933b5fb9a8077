"""Appending to, proving and verifying the audit ledger.

`record()` is called by every other feature's use case inside its own transaction, so a change
and its audit entry commit together or not at all. Appends serialise on the `audit_head` row
(see `store.lock_head`), which gives strict, gapless indices on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor, Permission
from shokei.audit import store
from shokei.audit.domain import (
    CHECKPOINT_ROLES,
    AuditEvent,
    CheckpointPolicy,
    Findings,
    LedgerConfig,
    LedgerVerification,
    StoredEntry,
    as_utc,
    entry_problems,
)
from shokei.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MissingNodeError,
    NodeKey,
    StoredNode,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_nodes_for_append,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from shokei.audit.models import AuditCheckpoint, AuditEntry
from shokei.audit.notes import KeyFormatError, NoteSigner, NoteVerificationError, checkpoint_body, open_note
from shokei.audit.offline import write_export
from shokei.audit.store import SqlNodeStore
from shokei.db import UnitOfWork, make_engine
from shokei.errors import BadInput, Forbidden, IntegrityFailure, NotFound, ShokeiError
from shokei.settings import Settings

# Verification reads the log in chunks of 2**14 entries: bounded memory, short transactions.
_CHUNK_LEVEL = 14
_CHUNK = 1 << _CHUNK_LEVEL
_EXPORT_BATCH = 10_000
# Below this many entries, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200_000
_MAX_WORKERS = 4
_MISSING_LEAF = bytes(32)
_MAX_CHUNK_PROBLEMS = 50
_T = TypeVar("_T")


class SigningKeyUnavailable(ShokeiError):
    """The ledger signing (or verifier) key is not configured where this command runs."""

    exit_code = 1
    http_status = 503
    title = "Ledger key unavailable"


def configured_ledger(settings: Settings) -> LedgerConfig:
    """The ledger's keys and checkpoint policy; a key `shokei init` has not made yet is None."""
    signer = None
    if settings.ledger_key_path.exists():
        try:
            signer = NoteSigner.parse(settings.ledger_key_path.read_text(encoding="utf-8"))
        except KeyFormatError as error:
            raise IntegrityFailure(
                f"the ledger signing key {settings.ledger_key_path} is unusable: {error}"
            ) from None
    verifier = signer.verifier_key_text if signer else None
    if settings.ledger_verifier_path.exists():
        verifier = settings.ledger_verifier_path.read_text(encoding="utf-8").strip()
    policy = CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_minutes)
    return LedgerConfig(origin=settings.ledger_origin, verifier_key=verifier, signer=signer, policy=policy)


def _config(uow: UnitOfWork) -> LedgerConfig | None:
    return uow.ledger if isinstance(uow.ledger, LedgerConfig) else None


def _session_config(session: Session) -> LedgerConfig | None:
    config = session.info.get("ledger")
    return config if isinstance(config, LedgerConfig) else None


def _require_reader(actor: Actor) -> None:
    if not actor.can(Permission.AUDIT_READ):
        raise Forbidden("only an auditor may read the audit ledger")


# -- appending -------------------------------------------------------------------------------


def record(session: Session, event: AuditEvent) -> int:
    """Append one event at the next index of the ledger; returns that index."""
    return record_many(session, [event])[0]


def record_many(session: Session, events: Sequence[AuditEvent]) -> range:
    """Append events, in order, at the next indices, in the caller's transaction.

    Holds the head lock until that transaction ends, writes the entries and every tree node
    they complete, and signs a checkpoint when the policy says one is due.
    """
    if not events:
        return range(0)
    old_size = store.lock_head(session)
    leaves = [event.leaf_bytes(old_size + offset) for offset, event in enumerate(events)]
    nodes = SqlNodeStore(session)
    completed = new_nodes_for_append(nodes, old_size, [leaf_hash(leaf) for leaf in leaves])
    store.insert_entries(session, [_entry_row(old_size + n, e, leaves[n]) for n, e in enumerate(events)])
    nodes.put_nodes(completed)
    new_size = old_size + len(events)
    store.move_head(session, new_size)
    _checkpoint_if_due(session, new_size, events[-1].at)
    return range(old_size, new_size)


def _entry_row(index: int, event: AuditEvent, leaf: bytes) -> dict[str, Any]:
    return {
        "index": index,
        "at": event.at,
        "actor_id": event.actor.user_id if event.actor else None,
        "actor_name": event.actor_name,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "leaf": leaf,
    }


def _checkpoint_if_due(session: Session, size: int, now: datetime) -> None:
    config = _session_config(session)
    if config is None or config.signer is None:
        return  # no key here (unit tests, read-only tools): the next signed append catches up
    last = store.latest_checkpoint(session)
    if config.policy.is_due(size, last.size if last else None, last.created_at if last else None, now):
        _sign_checkpoint(session, config, size, now)


def _sign_checkpoint(session: Session, config: LedgerConfig, size: int, now: datetime) -> AuditCheckpoint:
    assert config.signer is not None
    root = root_hash(SqlNodeStore(session), size)
    note = config.signer.sign(checkpoint_body(config.origin, size, root))
    return store.add_checkpoint(session, size, root, note, now)


# -- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckpointView:
    size: int
    root: str
    note: str
    created_at: datetime


def _checkpoint_view(checkpoint: AuditCheckpoint) -> CheckpointView:
    return CheckpointView(
        checkpoint.size, checkpoint.root.hex(), checkpoint.note, as_utc(checkpoint.created_at)
    )


def make_checkpoint(uow: UnitOfWork, actor: Actor) -> CheckpointView:
    """Sign the ledger's current size and root now. Auditors and admins.

    It changes no record, only commits the log to what it already holds; asking twice with
    no append in between returns the same checkpoint.
    """
    if actor.role not in CHECKPOINT_ROLES:
        raise Forbidden("only an auditor or an admin may make a checkpoint")
    config = _config(uow)
    if config is None or config.signer is None:
        raise SigningKeyUnavailable(
            "no ledger signing key here: checkpoints are made where `shokei init` put it"
        )
    with uow.transaction() as session:
        size = store.lock_head(session)  # also orders us with appends that checkpoint on their own
        checkpoint = store.checkpoint_at(session, size) or _sign_checkpoint(
            session, config, size, uow.clock.now()
        )
        return _checkpoint_view(checkpoint)


def list_checkpoints(uow: UnitOfWork, actor: Actor) -> list[CheckpointView]:
    """Every signed checkpoint, smallest first. Auditors only."""
    _require_reader(actor)
    with uow.transaction() as session:
        return [_checkpoint_view(checkpoint) for checkpoint in store.all_checkpoints(session)]


# -- proofs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InclusionProofView:
    """RFC 9162 inclusion proof; `checkpoint` is the signed note for `size` when there is one."""

    index: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str]
    checkpoint: str | None


@dataclass(frozen=True, slots=True)
class ConsistencyProofView:
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


def prove_inclusion(uow: UnitOfWork, actor: Actor, index: int, size: int | None = None) -> InclusionProofView:
    """Prove entry `index` is in the tree of `size` entries (default: the whole ledger). Auditors only.

    O(log n): one read of the entry and one of at most 2·log2(n) stored nodes. The proof is
    checked before it is handed out, so a damaged entry or node is an IntegrityFailure here.
    """
    _require_reader(actor)
    with uow.transaction() as session:
        tree_size = _tree_size(session, size)
        if not 0 <= index < tree_size:
            raise NotFound(f"no entry {index} in a tree of {tree_size} entries")
        leaf = store.leaf_of(session, index)
        if leaf is None:
            raise IntegrityFailure(f"entry {index} is missing from the database: run `shokei audit verify`")
        nodes = _WithRoots(SqlNodeStore(session), tree_size)
        proof = _nodes_or_fail(lambda: inclusion_proof(nodes, index, tree_size))
        root = _nodes_or_fail(lambda: root_hash(nodes, tree_size))
        checkpoint = store.checkpoint_at(session, tree_size)
    hashed = leaf_hash(leaf)
    if not verify_inclusion(hashed, index, tree_size, proof, root):
        raise IntegrityFailure(f"entry {index} does not match the stored tree: run `shokei audit verify`")
    if checkpoint is not None and checkpoint.root != root:
        raise IntegrityFailure(
            f"the stored tree disagrees with checkpoint {tree_size}: run `shokei audit verify`"
        )
    return InclusionProofView(
        index,
        tree_size,
        hashed.hex(),
        root.hex(),
        [h.hex() for h in proof],
        checkpoint.note if checkpoint else None,
    )


def prove_consistency(
    uow: UnitOfWork, actor: Actor, old_size: int, new_size: int | None = None
) -> ConsistencyProofView:
    """Prove the tree of `old_size` entries is a prefix of the tree of `new_size`. Auditors only."""
    _require_reader(actor)
    with uow.transaction() as session:
        newer = _tree_size(session, new_size)
        if not 0 <= old_size <= newer:
            raise BadInput(f"old size {old_size} must lie between 0 and the new size {newer}")
        nodes = _WithRoots(SqlNodeStore(session), old_size, newer)
        proof = _nodes_or_fail(lambda: consistency_proof(nodes, old_size, newer))
        old_root, new_root = _nodes_or_fail(lambda: (root_hash(nodes, old_size), root_hash(nodes, newer)))
    if not verify_consistency(old_size, newer, old_root, new_root, proof):
        raise IntegrityFailure("the stored tree is not self-consistent: run `shokei audit verify`")
    return ConsistencyProofView(old_size, newer, old_root.hex(), new_root.hex(), [h.hex() for h in proof])


def _tree_size(session: Session, size: int | None) -> int:
    current = store.head_size(session)
    if size is None:
        return current
    if not 0 <= size <= current:
        raise BadInput(f"tree size {size} must lie between 0 and the ledger size {current}")
    return size


class _WithRoots:
    """A node store that fetches the nodes of the given tree roots along with the first request
    and keeps what it fetched, so a proof and the roots it is checked against take one query."""

    def __init__(self, nodes: SqlNodeStore, *root_sizes: int) -> None:
        self._nodes = nodes
        self._pending = [key for size in root_sizes for key in _subtrees_before(size)]
        self._found: dict[NodeKey, bytes] = {}

    def get_node(self, level: int, index: int) -> bytes:
        found = self.get_nodes([(level, index)])
        if (level, index) not in found:
            raise MissingNodeError(f"no stored node at level {level}, index {index}")
        return found[(level, index)]

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        wanted = [key for key in keys if key not in self._found] + self._pending
        if wanted:
            self._found.update(self._nodes.get_nodes(wanted))
            self._pending = []
        return {key: self._found[key] for key in keys if key in self._found}


def _nodes_or_fail(compute: Callable[[], _T]) -> _T:
    try:
        return compute()
    except MissingNodeError as error:
        raise IntegrityFailure(
            f"the stored tree is incomplete ({error}): run `shokei audit verify`"
        ) from None


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    index: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    event: dict[str, Any]


def _view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        index=entry.index,
        at=as_utc(entry.at),
        actor=entry.actor_name,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        event=json.loads(entry.leaf),
    )


def entries_for_subject(session: Session, subject_type: str, subject_id: str) -> list[AuditEntryView]:
    """A subject's entries for a caller that has already checked need-to-know on the subject."""
    rows = session.execute(
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.index)
    ).scalars()
    return [_view(row) for row in rows]


def list_entries(
    uow: UnitOfWork, actor: Actor, *, action: str | None = None, limit: int = 100, after: int = -1
) -> list[AuditEntryView]:
    """Read the ledger. Auditors only."""
    _require_reader(actor)
    with uow.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.index > after).order_by(AuditEntry.index)
        if action:
            query = query.where(AuditEntry.action == action)
        return [_view(row) for row in session.execute(query.limit(limit)).scalars()]


def ledger_size(session: Session) -> int:
    return store.head_size(session)


# -- export ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportSummary:
    directory: str
    entries: int
    checkpoints: int


def export_ledger(uow: UnitOfWork, actor: Actor, directory: Path) -> ExportSummary:
    """Write the outside auditor's export (docs/ledger.md) of the ledger as it stands. Auditors only.

    Streams the entries in batches, so memory stays flat whatever the size of the log.
    """
    _require_reader(actor)
    config = _config(uow)
    if config is None or config.verifier_key is None:
        raise SigningKeyUnavailable("no ledger verifier key here: an export must carry the public key")
    with uow.transaction() as session:
        size = store.head_size(session)
        notes = store.checkpoint_notes_up_to(session, size)
    try:
        written = write_export(directory, _leaves(uow, size), notes, config.verifier_key)
    except FileExistsError as error:
        raise BadInput(str(error)) from None
    except NoteVerificationError as error:
        raise IntegrityFailure(
            f"a stored checkpoint does not verify ({error}): run `shokei audit verify`"
        ) from None
    if written != size:
        raise IntegrityFailure(
            f"the ledger holds {size} entries but {written} were read: run `shokei audit verify`"
        )
    return ExportSummary(str(directory), written, len(notes))


def _leaves(uow: UnitOfWork, size: int) -> Iterator[bytes]:
    for begin in range(0, size, _EXPORT_BATCH):
        with uow.transaction() as session:
            batch = store.leaves_between(session, begin, min(begin + _EXPORT_BATCH, size))
        yield from batch


# -- verification ----------------------------------------------------------------------------
#
# The log is checked in chunks of 2**14 entries aligned to the tree: every node up to level 14
# lies inside one chunk, so each chunk is checked on its own (in a worker process for a large
# log) and the parent only combines the chunk roots into the few nodes above them.


@dataclass(frozen=True, slots=True)
class _CheckpointRow:
    size: int
    root: bytes
    note: str


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
    problems: list[tuple[int, str]]
    omitted: int


def verify_ledger(uow: UnitOfWork, actor: Actor, *, workers: int | None = None) -> LedgerVerification:
    """Recompute the whole tree from the stored entries and check it against everything stored.

    Checks that indices run gapless from 0 to the head; that each entry's leaf is canonical,
    carries its index and agrees with the entry's columns; that every stored node (leaf
    hashes and interior nodes) equals its recomputation; that every checkpoint's signature
    verifies and its root is the recomputed root at its size; and that nothing lies beyond
    the head. Auditors only. Entries are streamed in chunks, in `workers` processes for a
    large log (default: one per CPU, at most 4, from 200,000 entries).
    """
    _require_reader(actor)
    with uow.transaction() as session:
        size = store.head_size(session)
        checkpoints = [_CheckpointRow(c.size, c.root, c.note) for c in store.all_checkpoints(session)]
        upper_nodes = store.nodes_above(session, _CHUNK_LEVEL)
    findings = Findings()
    sizes = [c.size for c in checkpoints]
    recomputed = _recompute_tree(uow, size, sizes, upper_nodes, findings=findings, workers=workers)
    signed_size = _check_checkpoints(checkpoints, recomputed, _config(uow), size, findings)
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
    )


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
        peaks = [upper[key] for key in _subtrees_before(report.begin)]
        for checkpoint_size, partial in report.partial_roots.items():
            result.roots[checkpoint_size] = _fold_right([*peaks, partial])
        if report.end - report.begin == _CHUNK:
            created: list[StoredNode] = []
            chunk_roots.append_recording(report.root, created)
            upper.update(((level + _CHUNK_LEVEL, index), value) for level, index, value in created)
    above = [(level, index, value) for (level, index), value in upper.items() if level > _CHUNK_LEVEL]
    _compare_nodes(above, stored_upper, result.bad_leaves, findings.add)
    return result


def _subtrees_before(size: int) -> list[NodeKey]:
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
    report: Callable[[str, int], None],
) -> None:
    for level, index, value in recomputed:
        if stored.get((level, index)) == value:
            continue
        first, last = index << level, ((index + 1) << level) - 1
        if bisect.bisect_left(bad_leaves, first) < bisect.bisect_right(bad_leaves, last):
            continue  # explained by an entry already reported below it
        state = "is missing" if (level, index) not in stored else "differs from the hash of its entries"
        report(f"tree node (level {level}, index {index}) over entries {first}-{last} {state}", first)


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
        rows = store.entries_between(connection, begin, end)
        stored = store.node_levels(connection, begin, end, max_level=_CHUNK_LEVEL)
    found = _ChunkProblems()
    levels = _tree_levels(list(_checked_leaf_hashes(begin, end, rows, found)))
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
    problems: list[tuple[int, str]] = field(default_factory=list)
    omitted: int = 0

    def add(self, index: int, problem: str) -> None:
        """A problem with entry `index`: it explains the nodes above that entry."""
        self.bad_indices.append(index)
        self.add_node_problem(problem, index)

    def add_node_problem(self, problem: str, first_index: int) -> None:
        if len(self.problems) < _MAX_CHUNK_PROBLEMS:
            self.problems.append((first_index, problem))
        else:
            self.omitted += 1


def _checked_leaf_hashes(
    begin: int, end: int, rows: Sequence[Sequence[Any]], found: _ChunkProblems
) -> Iterator[bytes]:
    """The leaf hash at every position of [begin, end), reporting what is wrong on the way.

    A missing entry keeps its place (as a hash that matches nothing), so the entries after it
    are still checked where they belong.
    """
    expected = begin
    for row in rows:
        index = row[0]
        yield from _missing(expected, index, found)
        entry = StoredEntry(*row)  # the columns come in StoredEntry's order
        for problem in entry_problems(entry):
            found.add(index, f"entry {index}: {problem}")
        yield leaf_hash(entry.leaf)
        expected = index + 1
    yield from _missing(expected, end, found)


def _missing(begin: int, end: int, found: _ChunkProblems) -> Iterator[bytes]:
    for index in range(begin, end):
        found.add(index, f"entry {index} is missing (deleted, or its index was changed)")
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
    return _fold_right([levels[level][index] for level, index in _subtrees_before(width)])


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
                found.add(index, f"entry {index}: its leaf hash is missing from the stored tree")
            elif stored[index] != value:
                found.add(index, f"entry {index}: its leaf differs from the leaf hash stored in the tree")
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
    where = f"checkpoint {checkpoint.size}"
    if config is None or config.verifier_key is None:
        findings.add(f"{where}: no verifier key is configured, so its signature cannot be checked")
        return False
    try:
        signed = open_note(checkpoint.note, config.verifier_key)
    except NoteVerificationError as error:
        # The checkpoint row was altered, not necessarily the log: no entry is implicated.
        findings.add(f"{where}: the signed note does not verify ({error})")
        return False
    if (signed.origin, signed.size, signed.root) != (config.origin, checkpoint.size, checkpoint.root):
        findings.add(f"{where}: the stored row disagrees with its signed note (origin, size or root)")
        return False
    if checkpoint.size > size:
        findings.add(f"{where}: signs {checkpoint.size} entries but the ledger holds {size}", size)
        return False
    if recomputed.roots.get(checkpoint.size) != signed.root:
        message = (
            f"{where}: the signed root does not match the tree recomputed from the entries; "
            f"the first altered entry lies in [{last_good}, {checkpoint.size})"
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
        findings.add(
            f"entry {index} lies outside the ledger of {size} entries: it was not appended by Shokei", index
        )
    for level, index in store.nodes_outside_head(session):
        message = (
            f"tree node (level {level}, index {index}) covers entries beyond the ledger of {size} entries"
        )
        sane = index >= 0 and 0 <= level <= store.MAX_LEVEL
        findings.add(message, max(index << level, size) if sane else None)
