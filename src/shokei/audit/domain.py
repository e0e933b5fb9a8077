"""Audit events as pure data: what happened, who did it, to what, before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rfc8785

from shokei.accounts.domain import Actor

SYSTEM_ACTOR_NAME = "system"


@dataclass(frozen=True, slots=True)
class AuditEvent:
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

    def leaf_bytes(self, index: int) -> bytes:
        """RFC 8785 canonical JSON: the exact bytes hashed into the ledger leaf."""
        actor = (
            {"id": self.actor.user_id, "name": self.actor.username, "role": str(self.actor.role)}
            if self.actor
            else {"id": None, "name": SYSTEM_ACTOR_NAME, "role": None}
        )
        document: dict[str, Any] = {
            "index": index,
            "at": self.at.isoformat(),
            "actor": actor,
            "action": self.action,
            "subject": {"type": self.subject_type, "id": self.subject_id},
            "before": self.before,
            "after": self.after,
            "details": self.details,
        }
        return rfc8785.dumps(document)
