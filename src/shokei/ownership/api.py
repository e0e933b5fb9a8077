"""Ownership over HTTP: foreign control, ownership events, alerts (translate only)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Id, Note, Title
from shokei.ownership import services
from shokei.ownership.schemas import AlertView, ControlView, InterestChangeView, MatchCandidateView

router = APIRouter(tags=["ownership"])


class InterestChange(BaseModel):
    owner: Title = Field(description="Corporate number, SCHEME-ID identifier or BODS recordId")
    owned: Title = Field(description="Corporate number, SCHEME-ID identifier or BODS recordId")
    share: Title = Field(description="Percent now held directly, 0 to 100")
    effective_date: date | None = Field(default=None, description="Default: today")
    source: Title | None = None


@router.get("/ownership/control/{entity}")
def foreign_control(entity: str, uow: UowDep, actor: ActorDep, on: date | None = None) -> ControlView:
    return services.foreign_control_of(uow, actor, entity, on=on)


@router.post("/ownership/interests", status_code=201)
def record_interest_change(body: InterestChange, uow: UowDep, actor: ActorDep) -> InterestChangeView:
    return services.record_interest_change(
        uow,
        actor,
        owner=body.owner,
        owned=body.owned,
        share=body.share,
        on=body.effective_date,
        source=body.source,
    )


@router.get("/ownership/matches")
def match_candidates(uow: UowDep, actor: ActorDep, status: str = "pending") -> list[MatchCandidateView]:
    return services.list_match_candidates(uow, actor, status=None if status == "all" else status)


@router.get("/alerts")
def list_alerts(
    uow: UowDep, actor: ActorDep, status: str | None = None, company: str | None = None
) -> list[AlertView]:
    return services.list_alerts(uow, actor, status=status, company=company)


class AlertNote(BaseModel):
    note: Note = Field(min_length=1, max_length=2000)


class AlertClosing(BaseModel):
    reason: Note = Field(min_length=1, max_length=2000)


@router.post("/alerts/{alert_id}/acknowledgement")
def acknowledge_alert(alert_id: Id, body: AlertNote, uow: UowDep, actor: ActorDep) -> AlertView:
    return services.acknowledge_alert(uow, actor, alert_id, note=body.note)


@router.post("/alerts/{alert_id}/closing")
def close_alert(alert_id: Id, body: AlertClosing, uow: UowDep, actor: ActorDep) -> AlertView:
    return services.close_alert(uow, actor, alert_id, reason=body.reason)
