from __future__ import annotations

from fastapi import APIRouter

from shokei.api_support import ActorDep, UowDep
from shokei.companies import services
from shokei.companies.schemas import CompanyInput, CompanyView

router = APIRouter(prefix="/companies", tags=["companies"])


@router.post("", status_code=201)
def register_company(data: CompanyInput, uow: UowDep, actor: ActorDep) -> CompanyView:
    return services.register_company(uow, actor, data)


@router.get("")
def list_companies(
    uow: UowDep, actor: ActorDep, search: str | None = None, limit: int = 500, offset: int = 0
) -> list[CompanyView]:
    return services.list_companies(uow, actor, search=search, limit=min(limit, 5000), offset=offset)


@router.get("/{corporate_number}")
def get_company(corporate_number: str, uow: UowDep, actor: ActorDep) -> CompanyView:
    return services.get_company(uow, actor, corporate_number)
