"""Succession over HTTP: ranking, selection, acceptance, release, streaming copy download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ActorDep, ShokeiDep, UowDep, received_files
from shokei.errors import N_, BadInput, Text
from shokei.succession import services
from shokei.succession.schemas import (
    AcceptanceView,
    ApprovedDissemination,
    AssignmentProposalView,
    CandidateView,
    CopyView,
    DestructionView,
    DisseminationView,
    HoldingsView,
    InboxMessageView,
    RecallView,
    SelectionView,
    TraceView,
)

router = APIRouter(tags=["succession"])


class SelectionRequest(BaseModel):
    corporate_number: str
    reason: str = Field(min_length=1, max_length=2000)


class DisseminationRequestBody(BaseModel):
    to: str
    purpose: str = Field(min_length=1, max_length=2000)


@router.get("/cases/{case_id}/successor-candidates")
def rank(case_id: int, uow: UowDep, actor: ActorDep) -> list[CandidateView]:
    return services.rank_candidates(uow, actor, case_id)


@router.post("/cases/{case_id}/successor")
def select(case_id: int, body: SelectionRequest, uow: UowDep, actor: ActorDep) -> SelectionView:
    return services.select_successor(uow, actor, case_id, body.corporate_number, reason=body.reason)


@router.post("/cases/{case_id}/successor/acceptance")
def accept(case_id: int, uow: UowDep, actor: ActorDep) -> AcceptanceView:
    return services.accept_terms(uow, actor, case_id)


@router.get("/inbox")
def inbox(uow: UowDep, actor: ActorDep) -> list[InboxMessageView]:
    return services.inbox(uow, actor)


@router.post("/cases/{case_id}/handover")
def release(case_id: int, shokei: ShokeiDep, actor: ActorDep) -> list[CopyView]:
    return services.release_copies(
        shokei.uow,
        shokei.vaults.documents,
        actor,
        case_id,
        copies=shokei.vaults.copies,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
        code_key=shokei.copy_code_key,
    )


@router.get("/cases/{case_id}/copies")
def copies(case_id: int, uow: UowDep, actor: ActorDep) -> list[CopyView]:
    return services.list_copies(uow, actor, case_id)


@router.get("/copies/{copy_id}/content")
def download(copy_id: str, shokei: ShokeiDep, actor: ActorDep) -> StreamingResponse:
    """The decrypted copy, verified as it streams; only the recipient company's users (audited)."""
    view, chunks = services.stream_copy(shokei.uow, shokei.vaults.copies, actor, copy_id)
    filename = view.file_name.encode("ascii", "replace").decode()
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-SHA256": view.sha256,
        },
    )


@router.post("/copies/{copy_id}/disseminations")
def disseminate(
    copy_id: str, body: DisseminationRequestBody, uow: UowDep, actor: ActorDep
) -> DisseminationView:
    return services.request_dissemination(uow, actor, copy_id, to=body.to, purpose=body.purpose)


@router.post("/disseminations/{request_id}/approval")
def approve(request_id: int, shokei: ShokeiDep, actor: ActorDep) -> ApprovedDissemination:
    return services.approve_dissemination(
        shokei.uow,
        shokei.vaults.copies,
        actor,
        request_id,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
        code_key=shokei.copy_code_key,
    )


class AssignmentRequest(BaseModel):
    case_ids: list[int] = Field(default_factory=list, max_length=1000)
    all_open: bool = False


@router.post("/successor-assignments")
def assign(body: AssignmentRequest, uow: UowDep, actor: ActorDep) -> AssignmentProposalView:
    """A proposal only (nothing is selected); confirm each line by selecting the successor."""
    return services.propose_assignment(uow, actor, body.case_ids, all_open=body.all_open)


class DestructionRequest(BaseModel):
    reference: str = Field(min_length=1, max_length=255)


@router.post("/cases/{case_id}/destruction-certificate")
def destruction_certificate(
    case_id: int, body: DestructionRequest, uow: UowDep, actor: ActorDep
) -> DestructionView:
    """Record the supplier's certificate of destruction of its own copies; closes the case."""
    return services.record_destruction_certificate(uow, actor, case_id, reference=body.reference)


class RecallRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ReturnRequest(BaseModel):
    reference: str = Field(min_length=1, max_length=255)


@router.post("/copies/{copy_id}/recall")
def recall(copy_id: str, body: RecallRequest, uow: UowDep, actor: ActorDep) -> list[RecallView]:
    """Recall a copy and the copies derived from it (program manager)."""
    return services.recall_copy(uow, actor, copy_id, reason=body.reason)


@router.post("/copies/{copy_id}/return")
def return_copy(copy_id: str, body: ReturnRequest, uow: UowDep, actor: ActorDep) -> RecallView:
    """The holder's certificate of destruction of one copy (its reference)."""
    return services.return_copy(uow, actor, copy_id, reference=body.reference)


@router.get("/recalls")
def recalls(uow: UowDep, actor: ActorDep) -> list[RecallView]:
    """Recalled copies still waiting for their certificate of destruction."""
    return services.outstanding_recalls(uow, actor)


@router.get("/companies/{corporate_number}/holdings")
def holdings(corporate_number: str, uow: UowDep, actor: ActorDep) -> HoldingsView:
    """The holdings register of a company: its copies and the cases it is in, and as what."""
    return services.company_holdings(uow, actor, corporate_number)


class RejectionRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/disseminations/{request_id}/rejection")
def reject(request_id: int, body: RejectionRequest, uow: UowDep, actor: ActorDep) -> DisseminationView:
    """A program manager rejects a dissemination request with a reason."""
    return services.reject_dissemination(uow, actor, request_id, reason=body.reason)


@router.post("/disseminations/{request_id}/acceptance")
def accept_dissemination(request_id: int, uow: UowDep, actor: ActorDep) -> DisseminationView:
    """The subcontractor's user accepts the terms before its copy can be downloaded."""
    return services.accept_dissemination(uow, actor, request_id)


@router.post("/traces")
async def trace_found_file(request: Request, shokei: ShokeiDep, actor: ActorDep) -> TraceView:
    """Trace a found file (multipart field `file`) to the issued copy and its holders; the file
    is kept in the vault as evidence and the trace is in the ledger (officials, auditors)."""
    async with received_files(request, shokei.scratch_dir) as files:
        if not files:
            raise BadInput(Text(N_("send the found file as the multipart field `file`")))
        found = files[0]

        def run() -> TraceView:  # reading pixels takes seconds a page: off the event loop
            with found.sealed.plaintext_path() as path:
                return services.trace_found_file(
                    shokei.uow,
                    actor,
                    path,
                    file_name=found.name,
                    vault=shokei.vaults.copies,
                    key=shokei.handover_signing_key,
                    code_key=shokei.copy_code_key,
                )

        return await run_in_threadpool(run)
