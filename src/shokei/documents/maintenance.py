"""Cleaning up after crashes (`shokei vault gc`) and what `vault fsck` reports of it.

Three kinds of leftovers, each told apart from the work of a live process:

* **scratch**: a dead process's scratch area (`documents.scratch`: its lock is free) or anything
  else under the scratch root; sealed under a key that died with the process, so unreadable, but
  it takes room;
* **temp**: a vault temp file whose writer's lock is free (a write killed half-way);
* **orphans**: a blob no row refers to (a crash between writing the blob and committing its row),
  in the documents vault and in every other vault handed in with the rows that refer to its
  blobs (`BlobHolder`: succession's copies vault and its copy rows). A blob is written before
  its row commits, so a young orphan may be a submission or a release in flight: only orphans
  older than the grace period are removed, and only after the database is asked again, blob by
  blob, whether a row refers to it.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from shokei.documents.models import Document
from shokei.documents.records import require
from shokei.documents.schemas import FsckProblem, GcRemoved, GcReport
from shokei.documents.scratch import leftovers, sweep_dead, tree_size
from shokei.documents.vault import Vault
from shokei.errors import N_, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork

DEFAULT_GRACE_HOURS = 24.0


@dataclass(frozen=True, slots=True)
class BlobHolder:
    """A vault and the database's two answers about its blobs: every blob id a row refers to,
    and (asked again, blob by blob, just before a removal) whether a row refers to one."""

    name: str
    vault: Vault
    referenced: Callable[[], Container[str]]
    refers_to: Callable[[str], bool]


def documents_holder(uow: UnitOfWork, vault: Vault) -> BlobHolder:
    """The documents vault and the document rows that refer to its blobs."""
    return BlobHolder(
        "documents",
        vault,
        lambda: _referenced_ids(uow),
        lambda blob_id: _referenced(uow, blob_id),
    )


def collect_garbage(
    uow: UnitOfWork,
    actor: Actor,
    vault: Vault,
    *,
    scratch_root: Path,
    grace_hours: float = DEFAULT_GRACE_HOURS,
    others: Sequence[BlobHolder] = (),
) -> GcReport:
    """Remove dead scratch, and the temp files of dead writes and the orphan blobs older than
    `grace_hours` of the documents vault (`vault`) and of each of `others` (never a blob a row
    refers to). Admins and auditors; audited."""
    require(actor, Permission.VAULT_MAINTAIN)
    grace_seconds = max(0.0, grace_hours) * 3600
    swept = sweep_dead(scratch_root)
    temp = orphans = removed_bytes = 0
    for holder in (documents_holder(uow, vault), *others):
        removed_temp, temp_bytes = _remove_temp(holder.vault, grace_seconds)
        removed_orphans, orphan_bytes = _remove_orphans(holder, grace_seconds)
        temp, orphans = temp + removed_temp, orphans + removed_orphans
        removed_bytes += temp_bytes + orphan_bytes
    report = GcReport(
        removed=GcRemoved(scratch=swept.entries, temp=temp, orphans=orphans),
        bytes=swept.bytes + removed_bytes,
    )
    with uow.transaction():
        uow.record(
            "vault:gc:run",
            "vault",
            "documents",
            actor,
            details={"grace_hours": grace_hours, **report.model_dump()},
        )
    return report


def leftover_problems(vaults: Sequence[Vault], scratch_root: Path) -> list[FsckProblem]:
    """What `vault fsck` reports besides blobs: dead scratch and temp files of dead writes."""
    problems = [
        FsckProblem.of(
            "scratch",
            "",
            None,
            Text(
                N_("%(path)s was left by a dead process (%(size)s bytes): run `shokei vault gc`"),
                {"path": str(path), "size": f"{tree_size(path):,}"},
            ),
        )
        for path in leftovers(scratch_root)
    ]
    problems += [
        FsckProblem.of(
            "temp",
            "",
            None,
            Text(
                N_("%(path)s is a temp file of a write that died: run `shokei vault gc`"), {"path": str(path)}
            ),
        )
        for vault in vaults
        for path in vault.stale_temp_files()
    ]
    return problems


def _remove_temp(vault: Vault, grace_seconds: float) -> tuple[int, int]:
    sizes = {path: tree_size(path) for path in vault.stale_temp_files(grace_seconds)}
    removed = [path for path in vault.remove_stale_temp_files(grace_seconds) if path in sizes]
    return len(removed), sum(sizes[path] for path in removed)


def _remove_orphans(holder: BlobHolder, grace_seconds: float) -> tuple[int, int]:
    count = removed_bytes = 0
    vault = holder.vault
    for blob_id in list(vault.find_orphans(holder.referenced())):
        age = vault.blob_age_seconds(blob_id)
        if age is None or age < grace_seconds or holder.refers_to(blob_id):
            continue
        removed_bytes += vault.remove_orphan(blob_id)
        count += 1
    return count, removed_bytes


def _referenced_ids(uow: UnitOfWork) -> set[str]:
    with uow.transaction() as session:
        return set(session.execute(select(Document.blob_id)).scalars())


def _referenced(uow: UnitOfWork, blob_id: str) -> bool:
    with uow.transaction() as session:
        return (
            session.execute(select(Document.id).where(Document.blob_id == blob_id).limit(1)).first()
            is not None
        )
