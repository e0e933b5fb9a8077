"""A found file traced and kept: the file goes into the copies vault as evidence (once per
content), the trace is audited with its hash, and the answer names the evidence row."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from shokei.documents import services as documents
from shokei.documents.services import StoredBlob
from shokei.documents.vault import Vault
from shokei.errors import N_, NotFound, Text
from shokei.formats.marking.base import last_path_component, sha256_file
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.common import found_file_associated_data, ledger_event, require_official
from shokei.succession.copying import CopyBlob
from shokei.succession.models import FoundFile
from shokei.succession.schemas import TraceView
from shokei.succession.tracing import trace_file


def admit_trace(actor: Actor) -> None:
    """Before a found file is received: whether `actor` may trace one (officials, auditors)."""
    require_official(actor)


def trace_found_file(
    uow: UnitOfWork,
    actor: Actor,
    path: Path,
    *,
    file_name: str,
    vault: Vault,
    key: Ed25519PrivateKey,
    code_key: bytes | None,
) -> TraceView:
    """Trace a file found in the wild and keep it as evidence (officials).

    The file is stored encrypted before the trace (a crash leaves an orphan blob, never a row
    without its file); the same bytes traced again refer to the first blob.
    """
    require_official(actor)
    digest = sha256_file(path)
    with documents.staged_blobs(vault) as staged:
        with uow.transaction() as session:
            known = session.execute(select(FoundFile.id).where(FoundFile.sha256 == digest)).scalar()
        stored: StoredBlob | None = None
        if known is None:
            with path.open("rb") as handle:
                stored = staged.put(handle, found_file_associated_data(digest))
        view = trace_file(uow, actor, path, key=key, code_key=code_key)
        with uow.transaction() as session:
            row = session.execute(select(FoundFile).where(FoundFile.sha256 == digest)).scalar_one_or_none()
            if row is None and stored is not None:
                row = _evidence_row(uow, actor, stored, file_name)
                session.add(row)
                session.flush()
                staged.referenced(stored)
                uow.record_many(
                    [
                        ledger_event(
                            uow,
                            actor,
                            "handover:evidence:store",
                            "found_file",
                            str(row.id),
                            sha256=digest,
                            file_name=row.file_name,
                            copy_id=view.copy_id,
                        )
                    ]
                )
            assert row is not None  # stored above, or by an earlier trace of the same bytes
            found_id = row.id
    return view.model_copy(update={"found_file_id": found_id})


def _evidence_row(uow: UnitOfWork, actor: Actor, stored: StoredBlob, file_name: str) -> FoundFile:
    return FoundFile(
        sha256=stored.plaintext_sha256,
        file_name=last_path_component(file_name)[:500] or "found-file",
        size=stored.plaintext_size,
        blob_id=stored.blob_id,
        key_id=stored.key_id,
        wrapped_key=stored.wrapped_key,
        ciphertext_sha256=stored.ciphertext_sha256,
        ciphertext_size=stored.ciphertext_size,
        stored_by_id=actor.user_id,
        stored_at=uow.clock.now(),
    )


def export_found_file(uow: UnitOfWork, actor: Actor, found_file_id: int, vault: Vault, out_path: Path) -> str:
    """Write a kept found file to `out_path` (officials, auditors); returns its recorded name."""
    require_official(actor)
    with uow.transaction() as session:
        row = session.get(FoundFile, found_file_id)
        if row is None:
            raise NotFound(Text(N_("no found file %(found_file_id)s"), {"found_file_id": found_file_id}))
        blob = CopyBlob(row.blob_id, row.wrapped_key, row.sha256, row.size)
        name = row.file_name
    vault.export_to_path(blob, found_file_associated_data(row.sha256), out_path)
    return name
