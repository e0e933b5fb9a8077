"""Custody figures of a fiscal year replayed from the ledger: documents held, copies out,
ownership alerts, and measures taken.

Read: `document:file:submit` (`details.type`, `details.size`); `handover:copy:issue`, `:recall`
and `:return` (the holder's certificate of destruction), by copy; `ownership:alert:raise`,
`:acknowledge`, `:resolve` (the holding fell below the threshold) and `:close` (an official
ended its handling), by alert; and every event tagged `measure:*`, whatever feature records it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from shokei.reporting.domain.events import Event

MEASURE_PREFIX = "measure:"


class Documents:
    """Documents held at the year's end (submitted by then), by type, with their volume."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.held = self.submitted = self.size = 0
        self.by_type: Counter[str] = Counter()
        self.bytes_by_type: Counter[str] = Counter()

    def read(self, event: Event) -> None:
        if event.action != "document:file:submit":
            return
        kind, size = str(event.details.get("type") or "unknown"), int(event.details.get("size") or 0)
        self.held += 1
        self.submitted += event.fiscal_year == self.year
        self.size += size
        self.by_type[kind] += 1
        self.bytes_by_type[kind] += size

    def figures(self) -> dict[str, Any]:
        return {
            "held": self.held,
            "submitted": self.submitted,
            "bytes": self.size,
            "by_type": dict(sorted(self.by_type.items())),
            "bytes_by_type": dict(sorted(self.bytes_by_type.items())),
        }


class Copies:
    """Copies issued, recalled and destroyed in the year; outstanding: issued by the year's end
    and not destroyed (a recalled copy not yet returned is still out)."""

    _STATUS: ClassVar[dict[str, str]] = {
        "handover:copy:issue": "issued",
        "handover:copy:recall": "recalled",
        "handover:copy:return": "destroyed",
    }

    def __init__(self, year: int) -> None:
        self.year = year
        self.status: dict[str, str] = {}
        self.in_year: Counter[str] = Counter()

    def read(self, event: Event) -> None:
        status = self._STATUS.get(event.action)
        if status is None:
            return
        self.status[event.subject_id] = status
        self.in_year[status] += event.fiscal_year == self.year

    def figures(self) -> dict[str, int]:
        return {
            "issued": self.in_year["issued"],
            "recalled": self.in_year["recalled"],
            "destroyed": self.in_year["destroyed"],
            "outstanding": sum(status != "destroyed" for status in self.status.values()),
        }


class Alerts:
    """Ownership alerts raised, acknowledged, resolved (below the threshold again) and closed (by
    an official) in the year; open: raised by the year's end and neither resolved nor closed."""

    _KINDS: ClassVar[dict[str, str]] = {
        "ownership:alert:raise": "raised",
        "ownership:alert:acknowledge": "acknowledged",
        "ownership:alert:resolve": "resolved",
        "ownership:alert:close": "closed",
    }

    def __init__(self, year: int) -> None:
        self.year = year
        self.in_year: Counter[str] = Counter()
        self.open: set[str] = set()

    def read(self, event: Event) -> None:
        kind = self._KINDS.get(event.action)
        if kind is None:
            return
        self.in_year[kind] += event.fiscal_year == self.year
        if kind == "raised":
            self.open.add(event.subject_id)
        elif kind in ("resolved", "closed"):
            self.open.discard(event.subject_id)

    def figures(self) -> dict[str, int]:
        return {kind: self.in_year[kind] for kind in self._KINDS.values()} | {"open": len(self.open)}


class Measures:
    """Measures taken in the year: ledger events tagged `measure:*`, by tag."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.by_tag: Counter[str] = Counter()

    def read(self, event: Event) -> None:
        if event.action.startswith(MEASURE_PREFIX) and event.fiscal_year == self.year:
            self.by_tag[event.action] += 1

    def figures(self) -> dict[str, Any]:
        return {"taken": sum(self.by_tag.values()), "by_tag": dict(sorted(self.by_tag.items()))}
