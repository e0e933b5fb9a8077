"""Cleaning up after crashes (`shokei vault gc`) and what `vault fsck` reports of it.

Three kinds of leftovers, each told apart from the work of a live process:

* **scratch**: a dead process's scratch area (`documents.scratch`: its lock is free) or anything
  else under the scratch root; sealed under a key that died with the process, so unreadable, but
  it takes room;
* **temp**: a vault temp file whose writer's lock is free (a write killed half-way);
* **orphans**: a blob no row refers to (a crash between writing the blob and committing its row).
  A blob is written before its row commits, so a young orphan may be a submission in flight:
  only orphans older than the grace period are removed, and only after the database is asked
  again, blob by blob, whether a row refers to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from shokei.documents.models import Document
from shokei.documents.records import require
from shokei.documents.schemas import FsckProblem, GcRemoved, GcReport
from shokei.documents.scratch import leftovers, sweep_dead, tree_size
from shokei.documents.vault import Vault
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork

DEFAULT_GRACE_HOURS = 24.0


def collect_garbage(
    uow: UnitOfWork,
    actor: Actor,
    vault: Vault,
    *,
    scratch_root: Path,
    grace_hours: float = DEFAULT_GRACE_HOURS,
    other_vaults: Sequence[Vault] = (),
) -> GcReport:
    """Remove dead scratch, the temp files of dead writes (in `vault` and `other_vaults`) and the
    documents vault's orphan blobs older than `grace_hours`. Admins and auditors; audited."""
    require(actor, Permission.VAULT_MAINTAIN)
    grace_seconds = max(0.0, grace_hours) * 3600
    swept = sweep_dead(scratch_root)
    temp = removed_bytes = 0
    for each in (vault, *other_vaults):
        for path in each.stale_temp_files(grace_seconds):
            size = tree_size(path)
            if path in each.remove_stale_temp_files(grace_seconds):
                temp, removed_bytes = temp + 1, removed_bytes + size
    orphans = 0
    for blob_id in _orphans(uow, vault):
        age = vault.blob_age_seconds(blob_id)
        if age is None or age < grace_seconds or _referenced(uow, blob_id):
            continue
        removed_bytes += vault.remove_orphan(blob_id)
        orphans += 1
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
        FsckProblem(
            kind="scratch",
            blob_id="",
            document_id=None,
            detail=f"{path} was left by a dead process ({tree_size(path):,} bytes): run `shokei vault gc`",
        )
        for path in leftovers(scratch_root)
    ]
    problems += [
        FsckProblem(
            kind="temp",
            blob_id="",
            document_id=None,
            detail=f"{path} is a temp file of a write that died: run `shokei vault gc`",
        )
        for vault in vaults
        for path in vault.stale_temp_files()
    ]
    return problems


def _orphans(uow: UnitOfWork, vault: Vault) -> list[str]:
    with uow.transaction() as session:
        referenced = set(session.execute(select(Document.blob_id)).scalars())
    return list(vault.find_orphans(referenced))


def _referenced(uow: UnitOfWork, blob_id: str) -> bool:
    with uow.transaction() as session:
        return (
            session.execute(select(Document.id).where(Document.blob_id == blob_id).limit(1)).first()
            is not None
        )
