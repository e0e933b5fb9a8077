from __future__ import annotations

from fastapi import APIRouter

from shokei.api_support import ActorDep, UowDep
from shokei.audit import services

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/entries")
def list_entries(
    uow: UowDep, actor: ActorDep, after: int = -1, limit: int = 100, action: str | None = None
) -> list[dict[str, object]]:
    """Ledger entries in index order (auditors only)."""
    entries = services.list_entries(uow, actor, action=action, limit=min(limit, 1000), after=after)
    return [
        {
            "index": e.index,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "event": e.event,
        }
        for e in entries
    ]
