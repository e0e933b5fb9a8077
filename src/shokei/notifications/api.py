from __future__ import annotations

from fastapi import APIRouter

from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Id
from shokei.notifications import services
from shokei.notifications.schemas import InboxItem

# /inbox is the successor company's inbox (succession); a user's own notices are /notifications.
router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("")
def inbox(uow: UowDep, actor: ActorDep) -> list[InboxItem]:
    """The acting user's notices, newest first."""
    return services.inbox(uow, actor)


@router.post("/{notice_id}/read")
def read(notice_id: Id, uow: UowDep, actor: ActorDep) -> InboxItem:
    """Mark one of the acting user's notices read."""
    return services.mark_read(uow, actor, notice_id)
