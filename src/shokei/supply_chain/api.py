"""Supply-chain endpoints: import files, exit impact, single points of failure, evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from shokei.api_support import ActorDep, UowDep
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.supply_chain.schemas import ExitImpactEvidence, ImpactView, ImportReport, SpofEntryView

router = APIRouter(prefix="/supply", tags=["supply_chain"])


@router.post("/imports", status_code=201)
def import_files(
    files: Annotated[list[UploadFile], File(description="CSV or Parquet files (docs/supply_chain.md).")],
    uow: UowDep,
    actor: ActorDep,
    file_format: Annotated[str | None, Form(alias="format")] = None,
) -> ImportReport:
    uploads = [
        SupplyFile(upload.filename or "upload", upload.file, format_of(upload.filename or "", file_format))
        for upload in files
    ]
    return services.import_supply_files(uow, actor, uploads)


@router.get("/impact")
def exit_impact(
    uow: UowDep,
    actor: ActorDep,
    company: Annotated[list[str], Query(description="Corporate numbers of the companies exiting together.")],
    limit: Annotated[int, Query(ge=0, le=100_000)] = 100,
) -> ImpactView:
    return services.exit_impact(uow, actor, company, limit=limit)


@router.get("/spof")
def single_points_of_failure(
    uow: UowDep, actor: ActorDep, top: Annotated[int, Query(ge=1, le=services.MAX_SPOF_TOP)] = 20
) -> list[SpofEntryView]:
    return services.single_points_of_failure(uow, actor, top=top)


@router.get("/companies/{company_id}/evidence")
def exit_impact_evidence(company_id: int, uow: UowDep, actor: ActorDep) -> ExitImpactEvidence:
    return services.exit_impact_evidence(uow, actor, company_id)
