from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from shokei.api_support import ActorDep, UowDep
from shokei.deadlines import services
from shokei.deadlines.schemas import DutyView

router = APIRouter(tags=["deadlines"])


@router.get("/duties")
def duties(uow: UowDep, actor: ActorDep, overdue: bool = False, all: bool = False) -> list[DutyView]:
    """The acting user's open duties (`all`: every party's, program managers)."""
    found = services.open_duties(uow, actor, overdue=overdue, everyone=all)
    return [DutyView.model_validate(d.model_dump()) for d in found]


@router.get("/deadlines/policy")
def policy(actor: ActorDep) -> dict[str, Any]:
    """The deadline policy in force."""
    return services.policy_in_force()
