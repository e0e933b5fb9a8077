"""The ledger over HTTP: read access and proofs for auditors; no route changes or removes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shokei.api_support import ActorDep, UowDep
from shokei.audit import services
from shokei.audit.services import CheckpointView, ConsistencyProofView, InclusionProofView
from shokei.kernel.bounds import Count, Int64

router = APIRouter(prefix="/audit", tags=["audit"])
TreeSize = Annotated[Count | None, Query(description="Tree size; default: the whole ledger.")]


@router.get("/entries")
def list_entries(
    uow: UowDep, actor: ActorDep, after: Int64 = -1, limit: Count = 100, action: str | None = None
) -> list[dict[str, object]]:
    """Ledger entries in index order (auditors only); an entry about a case whose contents the
    reader may not read has its details redacted (`redacted`), its `leaf_hash` proves it."""
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
            "leaf_hash": e.leaf_hash,
            "redacted": e.redacted,
        }
        for e in entries
    ]


@router.get("/checkpoints")
def list_checkpoints(uow: UowDep, actor: ActorDep) -> list[CheckpointView]:
    """Every signed checkpoint, smallest first (auditors only)."""
    return services.list_checkpoints(uow, actor)


@router.post("/checkpoints", status_code=201)
def make_checkpoint(uow: UowDep, actor: ActorDep) -> CheckpointView:
    """Sign the ledger's current size and root (auditors and admins)."""
    return services.make_checkpoint(uow, actor)


@router.get("/proofs/inclusion/{index}")
def prove_inclusion(uow: UowDep, actor: ActorDep, index: Count, size: TreeSize = None) -> InclusionProofView:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries (auditors only)."""
    return services.prove_inclusion(uow, actor, index, size)


@router.get("/proofs/consistency")
def prove_consistency(
    uow: UowDep, actor: ActorDep, old: Annotated[Count, Query()], new: TreeSize = None
) -> ConsistencyProofView:
    """RFC 9162 consistency proof between tree sizes `old` and `new` (auditors only)."""
    return services.prove_consistency(uow, actor, old, new)
