"""Appending to, proving and verifying the audit ledger.

`record()` is called by every other feature's use case inside its own transaction, so a change
and its audit entry commit together or not at all. Appends serialise on the `audit_head` row
(see `store.lock_head`), which gives strict, gapless indices on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.audit import store, verification
from shokei.audit.domain import (
    CHECKPOINT_ROLES,
    CheckpointPolicy,
    LedgerConfig,
    LedgerVerification,
    UnsignedTail,
    leaf_bytes,
)
from shokei.audit.merkle import (
    MissingNodeError,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_nodes_for_append,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from shokei.audit.models import AuditCheckpoint, AuditEntry
from shokei.audit.notes import KeyFormatError, NoteSigner, checkpoint_body
from shokei.audit.store import SqlNodeStore
from shokei.audit.verification import subtrees_before
from shokei.clock import as_utc
from shokei.errors import N_, BadInput, Forbidden, IntegrityFailure, NotFound, ShokeiError, Text
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings

_T = TypeVar("_T")


class SigningKeyUnavailable(ShokeiError):
    """The ledger signing (or verifier) key is not configured where this command runs."""

    exit_code = 1
    http_status = 503
    title = "Ledger key unavailable"


# Entries wait at most this long for `seal_tail` to sign them (plus the caller's period).
TAIL_SEAL_SECONDS = 30.0


def configured_ledger(settings: Settings) -> LedgerConfig:
    """The ledger's keys and checkpoint policy; a key `shokei init` has not made yet is None."""
    signer = None
    if settings.ledger_key_path.exists():
        try:
            signer = NoteSigner.parse(settings.ledger_key_path.read_text(encoding="utf-8"))
        except KeyFormatError as error:
            raise IntegrityFailure(
                Text(
                    N_("the ledger signing key %(ledger_key_path)s is unusable: %(error)s"),
                    {"ledger_key_path": settings.ledger_key_path, "error": error},
                )
            ) from None
    verifier = signer.verifier_key_text if signer else None
    if settings.ledger_verifier_path.exists():
        verifier = settings.ledger_verifier_path.read_text(encoding="utf-8").strip()
    policy = CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_minutes)
    return LedgerConfig(origin=settings.ledger_origin, verifier_key=verifier, signer=signer, policy=policy)


def _config(uow: UnitOfWork) -> LedgerConfig | None:
    return uow.ledger if isinstance(uow.ledger, LedgerConfig) else None


def _session_config(session: Session) -> LedgerConfig | None:
    ledger_of = session.info.get("ledger_of")  # UnitOfWork.ledger_of
    config = ledger_of() if ledger_of is not None else None
    return config if isinstance(config, LedgerConfig) else None


def _require_reader(actor: Actor) -> None:
    if not actor.can(Permission.AUDIT_READ):
        raise Forbidden(Text(N_("only an auditor may read the audit ledger")))


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
    leaves = [leaf_bytes(event, old_size + offset) for offset, event in enumerate(events)]
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
        raise Forbidden(Text(N_("only an auditor or an admin may make a checkpoint")))
    config = _config(uow)
    if config is None or config.signer is None:
        raise SigningKeyUnavailable(
            Text(N_("no ledger signing key here: checkpoints are made where `shokei init` put it"))
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

    O(log n): one read of the entry, the head and the checkpoint, and one of at most 2·log2(n)
    stored nodes. The proof is checked before it is handed out, so a damaged entry or node is
    an IntegrityFailure here.
    """
    _require_reader(actor)
    with uow.transaction() as session:
        reads = store.proof_reads(session, index, size)
        tree_size = _checked_size(reads.head_size, size)
        if not 0 <= index < tree_size:
            raise NotFound(
                Text(
                    N_("no entry %(index)s in a tree of %(tree_size)s entries"),
                    {"index": index, "tree_size": tree_size},
                )
            )
        if reads.leaf is None:
            raise IntegrityFailure(
                Text(
                    N_("entry %(index)s is missing from the database: run `shokei audit verify`"),
                    {"index": index},
                )
            )
        nodes = _WithRoots(SqlNodeStore(session), tree_size)
        proof = _nodes_or_fail(lambda: inclusion_proof(nodes, index, tree_size))
        root = _nodes_or_fail(lambda: root_hash(nodes, tree_size))
    hashed = leaf_hash(reads.leaf)
    if not verify_inclusion(hashed, index, tree_size, proof, root):
        raise IntegrityFailure(
            Text(
                N_("entry %(index)s does not match the stored tree: run `shokei audit verify`"),
                {"index": index},
            )
        )
    if reads.checkpoint_root is not None and reads.checkpoint_root != root:
        raise IntegrityFailure(
            Text(
                N_("the stored tree disagrees with checkpoint %(tree_size)s: run `shokei audit verify`"),
                {"tree_size": tree_size},
            )
        )
    return InclusionProofView(
        index, tree_size, hashed.hex(), root.hex(), [h.hex() for h in proof], reads.checkpoint_note
    )


def prove_consistency(
    uow: UnitOfWork, actor: Actor, old_size: int, new_size: int | None = None
) -> ConsistencyProofView:
    """Prove the tree of `old_size` entries is a prefix of the tree of `new_size`. Auditors only."""
    _require_reader(actor)
    with uow.transaction() as session:
        newer = _tree_size(session, new_size)
        if not 0 <= old_size <= newer:
            raise BadInput(
                Text(
                    N_("old size %(old_size)s must lie between 0 and the new size %(newer)s"),
                    {"old_size": old_size, "newer": newer},
                )
            )
        nodes = _WithRoots(SqlNodeStore(session), old_size, newer)
        proof = _nodes_or_fail(lambda: consistency_proof(nodes, old_size, newer))
        old_root, new_root = _nodes_or_fail(lambda: (root_hash(nodes, old_size), root_hash(nodes, newer)))
    if not verify_consistency(old_size, newer, old_root, new_root, proof):
        raise IntegrityFailure(Text(N_("the stored tree is not self-consistent: run `shokei audit verify`")))
    return ConsistencyProofView(old_size, newer, old_root.hex(), new_root.hex(), [h.hex() for h in proof])


def _tree_size(session: Session, size: int | None) -> int:
    return _checked_size(store.head_size(session), size)


def _checked_size(current: int, size: int | None) -> int:
    if size is None:
        return current
    if not 0 <= size <= current:
        raise BadInput(
            Text(
                N_("tree size %(size)s must lie between 0 and the ledger size %(current)s"),
                {"size": size, "current": current},
            )
        )
    return size


class _WithRoots:
    """A node store that fetches the nodes of the given tree roots along with the first request
    and keeps what it fetched, so a proof and the roots it is checked against take one query."""

    def __init__(self, nodes: SqlNodeStore, *root_sizes: int) -> None:
        self._nodes = nodes
        self._pending = [key for size in root_sizes for key in subtrees_before(size)]
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
            Text(N_("the stored tree is incomplete (%(error)s): run `shokei audit verify`"), {"error": error})
        ) from None


def ledger_size(session: Session) -> int:
    return store.head_size(session)


# -- verification (the checks themselves: shokei.audit.verification) ------------------------


def verify_ledger(
    uow: UnitOfWork, actor: Actor, *, workers: int | None = None, against: Sequence[str] = ()
) -> LedgerVerification:
    """Recompute the whole tree from the stored entries and check it against everything stored.

    Checks that indices run gapless from 0 to the head; that each entry's leaf is canonical,
    carries its index and agrees with the entry's columns; that every stored node (leaf
    hashes and interior nodes) equals its recomputation; that every checkpoint's signature
    verifies and its root is the recomputed root at its size, and so does every published
    checkpoint note in `against`; and that nothing lies beyond the head. Reports the unsigned
    tail (entries beyond the largest verified checkpoint, and the age of the oldest). Auditors
    only. Entries are streamed in chunks, in `workers` processes for a large log (default: one
    per CPU, at most 4, from 200,000 entries).
    """
    _require_reader(actor)
    report = verification.verify(uow, _config(uow), workers=workers, published=against)
    return dataclasses.replace(report, unsigned_tail=_unsigned_tail(uow, report.signed_size, report.size))


def _unsigned_tail(uow: UnitOfWork, signed_size: int, size: int) -> UnsignedTail:
    if size <= signed_size:
        return UnsignedTail(entries=0, oldest_seconds=None)
    with uow.transaction() as session:
        age = _unsigned_age(session, uow, signed_size)
    return UnsignedTail(entries=size - signed_size, oldest_seconds=None if age is None else max(0.0, age))


def _unsigned_age(session: Session, uow: UnitOfWork, signed_size: int) -> float | None:
    """Seconds since the first entry beyond a checkpoint of `signed_size` was appended (None:
    there is none); negative when that entry is stamped after now (the clock went back)."""
    oldest = session.execute(select(AuditEntry.at).where(AuditEntry.index == signed_size)).scalar()
    return None if oldest is None else (uow.clock.now() - as_utc(oldest)).total_seconds()


def seal_tail(uow: UnitOfWork, *, older_than_seconds: float = TAIL_SEAL_SECONDS) -> CheckpointView | None:
    """Sign a checkpoint of the whole ledger when entries beyond the latest checkpoint have
    waited `older_than_seconds` or more; None when there is nothing to sign yet or no signing
    key here. Needs no actor: it records nothing, it commits the log to what it holds.

    Called every few seconds by `shokei serve` (and by the worker), so no entry stays unsigned
    much more than `older_than_seconds` plus that period: 30 s + 10 s against the 60 s promised.
    An unsigned entry stamped after now (the clock went back) is signed at once.
    """
    config = _config(uow)
    if config is None or config.signer is None:
        return None
    with uow.transaction() as session:
        last = store.latest_checkpoint(session)
        age = _unsigned_age(session, uow, last.size if last else 0)
        # A negative age means the clock went back since the entry was stamped: its true age is
        # unknown, so sign now rather than wait for the clock to catch up.
        if age is None or 0 <= age < older_than_seconds:
            return None
        size = store.lock_head(session)
        checkpoint = store.checkpoint_at(session, size) or _sign_checkpoint(
            session, config, size, uow.clock.now()
        )
        return _checkpoint_view(checkpoint)
