"""Before a hand-in's files are read: who may hand in for which case, and how many bytes the
case may still take (`SHOKEI_MAX_CASE_BYTES`) and an upload may bring (`SHOKEI_MAX_UPLOAD_BYTES`).
The HTTP upload asks before it reads the body; the local command line asks with the files' sizes
on disk (`documents.submission` then hands them in)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from shokei.cases import services as cases
from shokei.documents.models import Document
from shokei.documents.records import require
from shokei.errors import N_, Text, TooLarge
from shokei.kernel import Actor, Permission
from shokei.kernel.bounds import upload_too_large
from shokei.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Admission:
    """What an upload for a case may bring: `room` bytes at most, else `too_large`."""

    room: int
    too_large: TooLarge


def admit_submission(uow: UnitOfWork, actor: Actor, case_id: int, *, max_case_bytes: int) -> Admission:
    """Before an upload's body is read: refuses as `submit_documents` would (who may hand in, for
    which case, in which state), and says how many more bytes the case may hold, `max_case_bytes`
    in all (`SHOKEI_MAX_CASE_BYTES`). The case's supplier or an intake officer."""
    require(actor, Permission.DOCUMENT_SUBMIT)
    with uow.transaction() as session:
        cases.require_inventory_open(uow, actor, case_id)
        held = session.scalar(
            select(func.coalesce(func.sum(Document.size), 0)).where(Document.case_id == case_id)
        )
    room = max(max_case_bytes - int(held or 0), 0)
    refusal = Text(
        N_(
            "Case %(case)s may hold at most %(limit)s bytes of documents; it holds %(held)s, so this"
            " upload may bring at most %(room)s more."
        ),
        {"case": case_id, "limit": f"{max_case_bytes:,}", "held": f"{int(held or 0):,}", "room": f"{room:,}"},
    )
    return Admission(room, TooLarge(refusal))


def admit_local_submission(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    paths: Iterable[Path],
    *,
    max_upload_bytes: int,
    max_case_bytes: int,
) -> int:
    """The admission of an HTTP upload, for files handed in from the local command line: who may
    hand in for which case first (`admit_submission`), then the bytes the files take on disk (what
    an upload of them would carry) against `SHOKEI_MAX_UPLOAD_BYTES` and what the case may still
    hold (`SHOKEI_MAX_CASE_BYTES`), each refused with the HTTP upload's `TooLarge` before a file
    is read. Returns the bytes measured."""
    admission = admit_submission(uow, actor, case_id, max_case_bytes=max_case_bytes)
    size = sum(_bytes_on_disk(path) for path in paths)
    if size > max_upload_bytes:
        raise upload_too_large(max_upload_bytes)
    if size > admission.room:
        raise admission.too_large
    return size


def _bytes_on_disk(path: Path) -> int:
    """The size of a file, or of every file under a folder (links not followed, as intake reads
    none); a path that is neither counts nothing (`submit_documents` lists it as refused)."""
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            member = Path(folder) / name
            if not member.is_symlink() and member.is_file():
                total += member.stat().st_size
    return total
