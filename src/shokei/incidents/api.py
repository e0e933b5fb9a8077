"""Leak incidents over HTTP: open one from a found file already traced (`POST /api/v1/traces`
keeps it and answers its `found_file_id`), read, contain and close them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from shokei.api_support import ActorDep, ShokeiDep
from shokei.incidents import services
from shokei.incidents.schemas import IncidentView
from shokei.kernel.bounds import Id

router = APIRouter(tags=["incidents"])


class OpeningRequest(BaseModel):
    found_file_id: int
    found_at: str = Field(min_length=1, max_length=services.MAX_TEXT)
    found_on: date | None = None
    reporter: str | None = Field(default=None, max_length=services.MAX_TEXT)
    suspend_chain: bool = False  # also suspend the holders above the traced one


class ContainmentRequest(BaseModel):
    action: str = Field(min_length=1, max_length=services.MAX_TEXT)


class ClosureRequest(BaseModel):
    outcome: str = Field(min_length=1, max_length=services.MAX_TEXT)
    resolved: bool = True


@router.post("/incidents", status_code=201)
async def open_incident(body: OpeningRequest, shokei: ShokeiDep, actor: ActorDep) -> IncidentView:
    """Open a leak incident from a kept found file: traced again, the holder suspended in the
    incident's transaction, the reporting clock started (officials)."""
    keys = services.TraceKeys(shokei.vaults.copies, shokei.handover_signing_key, shokei.copy_code_key)
    report = services.FoundReport(body.found_at, body.found_on, body.reporter, body.suspend_chain)

    def run() -> IncidentView:  # the trace may read pixels: off the event loop
        return services.open_incident_from_evidence(
            shokei.uow, actor, body.found_file_id, report=report, keys=keys, scratch_dir=shokei.scratch_dir
        )

    return await run_in_threadpool(run)


@router.get("/incidents")
def list_incidents(shokei: ShokeiDep, actor: ActorDep, open_only: bool = False) -> list[IncidentView]:
    """Incidents, the nearest deadline first; `open_only` leaves closed ones out (officials, auditors)."""
    return services.list_incidents(shokei.uow, actor, open_only=open_only)


@router.get("/incidents/{incident_id}")
def show_incident(incident_id: Id, shokei: ShokeiDep, actor: ActorDep) -> IncidentView:
    """One incident with its trace, chain, clock and actions (officials, auditors)."""
    return services.get_incident(shokei.uow, actor, incident_id)


@router.post("/incidents/{incident_id}/containment")
def contain_incident(
    incident_id: Id, body: ContainmentRequest, shokei: ShokeiDep, actor: ActorDep
) -> IncidentView:
    """Record the action taken (recall, referral...) and mark the incident contained (officials)."""
    return services.contain_incident(shokei.uow, actor, incident_id, body.action)


@router.post("/incidents/{incident_id}/closure")
def close_incident(incident_id: Id, body: ClosureRequest, shokei: ShokeiDep, actor: ActorDep) -> IncidentView:
    """Close the incident with its outcome, resolved or not (officials)."""
    return services.close_incident(shokei.uow, actor, incident_id, body.outcome, resolved=body.resolved)
