"""What the report reads of one ledger entry (audit's `leaf_document`), in Tokyo's calendar."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shokei.clock import JST
from shokei.purchase.domain import fiscal_year


@dataclass(frozen=True, slots=True)
class Event:
    """What the report reads of one ledger entry."""

    index: int
    at: datetime
    action: str
    subject_type: str
    subject_id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    details: Mapping[str, Any]

    @property
    def day(self) -> date:
        return self.at.astimezone(JST).date()

    @property
    def fiscal_year(self) -> int:
        return fiscal_year(self.day)


def events_of(documents: Iterable[Mapping[str, Any]]) -> Iterator[Event]:
    """Ledger leaf documents (audit's `leaf_document`) as events."""
    for document in documents:
        subject = document.get("subject") or {}
        yield Event(
            index=int(document["index"]),
            at=datetime.fromisoformat(str(document["at"])),
            action=str(document["action"]),
            subject_type=str(subject.get("type")),
            subject_id=str(subject.get("id")),
            before=document.get("before") or {},
            after=document.get("after") or {},
            details=document.get("details") or {},
        )
