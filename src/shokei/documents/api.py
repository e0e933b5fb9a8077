"""Documents over HTTP: streaming multipart upload, metadata, verified download, search."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ActorDep, ShokeiDep, UowDep, content_disposition, received_files
from shokei.documents import services
from shokei.documents.intake import Upload
from shokei.documents.schemas import (
    DocumentDescription,
    DocumentDetail,
    DocumentView,
    FsckReport,
    SubmissionResult,
)
from shokei.kernel.bounds import Count, Id, SearchQuery

router = APIRouter(tags=["documents"])


@router.post("/cases/{case_id}/files", status_code=201)
async def submit_files(case_id: Id, request: Request, shokei: ShokeiDep, actor: ActorDep) -> SubmissionResult:
    """Hand in one or more files (multipart field name free); archives are expanded.

    Who may, for which case, is decided before the body is read (403 with nothing received);
    over `SHOKEI_MAX_UPLOAD_BYTES` or what the case may still hold (`SHOKEI_MAX_CASE_BYTES`): 413.
    """
    limit = shokei.settings.max_case_bytes
    admission = await run_in_threadpool(
        services.admit_submission, shokei.uow, actor, case_id, max_case_bytes=limit
    )
    async with received_files(request, shokei, room=admission.room, too_large=admission.too_large) as files:
        uploads = [Upload(file.sealed, file.name) for file in files]
        return await run_in_threadpool(
            services.submit_documents,
            shokei.uow,
            shokei.vaults.documents,
            actor,
            case_id,
            uploads,
            scratch_dir=shokei.scratch_dir,
        )


@router.get("/cases/{case_id}/documents/files")
def list_documents(case_id: Id, uow: UowDep, actor: ActorDep) -> list[DocumentView]:
    return services.list_documents(uow, actor, case_id)


@router.get("/documents/search")
def search(
    uow: UowDep,
    actor: ActorDep,
    q: SearchQuery,
    case: Id | None = None,
    limit: Count = 100,
) -> list[DocumentView]:
    return services.search_documents(uow, actor, q, case_id=case, limit=min(limit, 1000))


@router.get("/documents/{document_id}")
def get_document(document_id: Id, uow: UowDep, actor: ActorDep) -> DocumentDetail:
    return services.get_document(uow, actor, document_id)


@router.patch("/documents/{document_id}")
def describe_document(
    document_id: Id, fields: DocumentDescription, uow: UowDep, actor: ActorDep
) -> DocumentView:
    return services.describe_document(uow, actor, document_id, fields)


@router.get("/documents/{document_id}/content")
def download(
    document_id: Id,
    shokei: ShokeiDep,
    actor: ActorDep,
    reason: Annotated[str | None, Query(max_length=1000)] = None,
) -> StreamingResponse:
    """The decrypted file, verified segment by segment; officials must pass ?reason=..."""
    document, chunks = services.stream_document(
        shokei.uow, shokei.vaults.documents, actor, document_id, reason=reason
    )
    name = Path(document.path.split("!/")[-1]).name or f"document-{document.id}"
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-SHA256": document.sha256,
        },
    )


@router.post("/vault/fsck")
def fsck(shokei: ShokeiDep, actor: ActorDep, deep: bool = False) -> FsckReport:
    vaults = shokei.vaults if deep else shokei.keyless_vaults
    return services.check_vault(shokei.uow, vaults.documents, actor, deep=deep)
