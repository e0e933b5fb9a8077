"""The ledger leaving the database: the outside auditor's export, and the ledger as the program's
figures are computed from it (its head and its entries as documents)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shokei.audit import store
from shokei.audit.merkle import root_hash
from shokei.audit.notes import NoteVerificationError
from shokei.audit.offline import write_export
from shokei.audit.services.ledger import SigningKeyUnavailable, _config, _require_reader, _sign_checkpoint
from shokei.audit.store import SqlNodeStore
from shokei.errors import N_, BadInput, IntegrityFailure, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

_EXPORT_BATCH = 10_000


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
        raise SigningKeyUnavailable(
            Text(N_("no ledger verifier key here: an export must carry the public key"))
        )
    with uow.transaction() as session:
        size = store.head_size(session)
        notes = store.checkpoint_notes_up_to(session, size)
    try:
        written = write_export(directory, _leaves(uow, size), notes, config.verifier_key)
    except FileExistsError as error:
        raise BadInput(str(error)) from None
    except NoteVerificationError as error:
        raise IntegrityFailure(
            Text(
                N_("a stored checkpoint does not verify (%(error)s): run `shokei audit verify`"),
                {"error": error.text},
            )
        ) from None
    if written != size:
        raise IntegrityFailure(
            Text(
                N_("the ledger holds %(size)s entries but %(written)s were read: run `shokei audit verify`"),
                {"size": size, "written": written},
            )
        )
    return ExportSummary(str(directory), written, len(notes))


def _leaves(uow: UnitOfWork, size: int) -> Iterator[bytes]:
    for begin in range(0, size, _EXPORT_BATCH):
        with uow.transaction() as session:
            batch = store.leaves_between(session, begin, min(begin + _EXPORT_BATCH, size))
        yield from batch


# -- the ledger as figures are computed from it -------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerHead:
    """The ledger's size and root hash now; `note` is the signed checkpoint at that size (None
    where no signing key is at hand)."""

    size: int
    root: str
    note: str | None


def ledger_head(uow: UnitOfWork) -> LedgerHead:
    """The tree size and root a computation over the ledger states; signed as a checkpoint now
    when this machine holds the signing key and none exists at that size (it changes no record,
    it only commits the log to what it already holds)."""
    config = _config(uow)
    with uow.transaction() as session:
        signing = config is not None and config.signer is not None
        size = store.lock_head(session) if signing else store.head_size(session)
        checkpoint = store.checkpoint_at(session, size)
        if checkpoint is None and signing and size and config is not None:
            checkpoint = _sign_checkpoint(session, config, size, uow.clock.now())
        if checkpoint is not None:
            return LedgerHead(size, checkpoint.root.hex(), checkpoint.note)
        return LedgerHead(size, root_hash(SqlNodeStore(session), size).hex(), None)


def ledger_documents(uow: UnitOfWork, size: int) -> Iterator[dict[str, Any]]:
    """The first `size` entries as the JSON documents their leaves hold, in index order."""
    for leaf in _leaves(uow, size):
        document: dict[str, Any] = json.loads(leaf)
        yield document
