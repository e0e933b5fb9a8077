"""What every change leaves in the ledger: the audit event, the same for every feature.

Part of the kernel. The audit feature appends events (`audit.services.record`); use cases
record them through their unit of work (`uow.record`, or `uow.record_many` for a batch built
beforehand), in the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shokei.kernel.actors import Actor
from shokei.kernel.bus import Event

SYSTEM_ACTOR_NAME = "system"


@dataclass(frozen=True, slots=True)
class AuditEvent(Event):
    """`action` is a namespaced tag such as `case:status:change`."""

    action: str
    subject_type: str
    subject_id: str
    at: datetime
    actor: Actor | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def actor_name(self) -> str:
        return self.actor.username if self.actor else SYSTEM_ACTOR_NAME

    def leaf_document(self, index: int) -> dict[str, Any]:
        """The JSON document hashed into the ledger leaf at `index` (the audit feature writes it
        as RFC 8785 canonical bytes)."""
        actor = (
            {"id": self.actor.user_id, "name": self.actor.username, "role": str(self.actor.role)}
            if self.actor
            else {"id": None, "name": SYSTEM_ACTOR_NAME, "role": None}
        )
        if self.actor is not None and self.actor.via is not None:
            actor["via"] = self.actor.via
        return {
            "index": index,
            "at": self.at.isoformat(),
            "actor": actor,
            "action": self.action,
            "subject": {"type": self.subject_type, "id": self.subject_id},
            "before": self.before,
            "after": self.after,
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class AuditBatch(Event):
    """Events appended together, in order, at consecutive indices (one lock of the ledger head)."""

    events: Sequence[AuditEvent]
