"""Fixity check of a vault against the records that refer to its blobs (`shokei vault fsck`).

One check for every vault: the documents vault (rows of `documents`) and the hand-over copies
vault (rows of `handover_copies`) differ only in which rows refer to a blob and how a problem
names its owner. Each recorded blob's ciphertext is re-hashed (deep: decrypted, every tag and the
plaintext hash checked); blobs on disk that nothing refers to are reported, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select

from shokei.documents.schemas import FsckProblem, FsckReport
from shokei.documents.vault import BlobRef, BlobStatus, Vault
from shokei.errors import N_, Text
from shokei.kernel.unit_of_work import UnitOfWork

BATCH = 500
_DETAILS = {
    BlobStatus.MISSING: N_("%(owner)s: blob file is missing"),
    BlobStatus.CORRUPT: N_("%(owner)s: blob does not match its recorded hash"),
}
_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)
class RecordedBlob:
    """A blob as a record refers to it, and how a problem with it is reported."""

    blob: BlobRef
    ciphertext_sha256: str
    associated_data: bytes
    document_id: int | None
    owner: Text  # e.g. "document 12 (drawings/a.pdf)"


def check_blobs(vault: Vault, recorded: Iterable[RecordedBlob], *, deep: bool, referrer: Text) -> FsckReport:
    """Check every recorded blob, then list the vault's blobs no record (`referrer`, a message
    naming the kind of record) refers to."""
    problems: list[FsckProblem] = []
    referenced: set[str] = set()
    checked = 0
    for item in recorded:
        referenced.add(item.blob.blob_id)
        checked += 1
        if (problem := _check(vault, item, deep)) is not None:
            problems.append(problem)
    orphans = [
        FsckProblem.of(
            "orphan",
            blob,
            None,
            Text(N_("blob %(blob)s is referred to by no %(referrer)s"), {"blob": blob, "referrer": referrer}),
        )
        for blob in vault.find_orphans(referenced)
    ]
    problems += orphans
    return FsckReport(ok=not problems, deep=deep, checked=checked, problems=problems)


def ledger_details(report: FsckReport) -> dict[str, Any]:
    """What the ledger keeps of a run: its depth, its count and the first 100 problems."""
    return {
        "deep": report.deep,
        "checked": report.checked,
        "problems": [p.model_dump() for p in report.problems][:100],
    }


def rows_in_batches(
    uow: UnitOfWork, model: type[_Row], describe: Callable[[_Row], RecordedBlob]
) -> Iterator[RecordedBlob]:
    """Every row of `model` in id order, read `BATCH` at a time in short transactions."""
    key: Any = model.id  # type: ignore[attr-defined]
    last = 0
    while True:
        with uow.transaction() as session:
            rows = list(session.execute(select(model).where(key > last).order_by(key).limit(BATCH)).scalars())
        if not rows:
            return
        yield from map(describe, rows)
        last = rows[-1].id  # type: ignore[attr-defined]


def _check(vault: Vault, item: RecordedBlob, deep: bool) -> FsckProblem | None:
    status = vault.check_ciphertext(item.blob.blob_id, item.ciphertext_sha256)
    if status is BlobStatus.OK and deep:
        status = vault.deep_check(item.blob, item.associated_data)
    if status is BlobStatus.OK:
        return None
    detail = Text(_DETAILS[status], {"owner": item.owner})
    return FsckProblem.of(status.value, item.blob.blob_id, item.document_id, detail)
