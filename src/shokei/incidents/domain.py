"""Leak incidents: the states, the one guarded transition, and the reporting clock (pure).

opened → holder_identified → contained → closed, or unresolved from any open state. An
incident whose trace names a holder opens as `holder_identified` (the holder is suspended in the
same transaction); `contained` records an action taken (recall, referral); `closed` records the
outcome. The reporting clock (72 hours by default, DFARS 252.204-7012's period) runs from the
moment the incident is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shokei.clock import as_utc
from shokei.errors import N_, Conflict, Text
from shokei.kernel.bus import Event

DEFAULT_REPORTING_HOURS = 72


class IncidentState(StrEnum):
    OPENED = "opened"
    HOLDER_IDENTIFIED = "holder_identified"
    CONTAINED = "contained"
    CLOSED = "closed"
    UNRESOLVED = "unresolved"


TERMINAL = frozenset({IncidentState.CLOSED, IncidentState.UNRESOLVED})
TRANSITIONS: dict[IncidentState, frozenset[IncidentState]] = {
    IncidentState.OPENED: frozenset(
        {
            IncidentState.HOLDER_IDENTIFIED,
            IncidentState.CONTAINED,
            IncidentState.CLOSED,
            IncidentState.UNRESOLVED,
        }
    ),
    IncidentState.HOLDER_IDENTIFIED: frozenset(
        {IncidentState.CONTAINED, IncidentState.CLOSED, IncidentState.UNRESOLVED}
    ),
    IncidentState.CONTAINED: frozenset({IncidentState.CLOSED, IncidentState.UNRESOLVED}),
    IncidentState.CLOSED: frozenset(),
    IncidentState.UNRESOLVED: frozenset(),
}


def transition(current: IncidentState, target: IncidentState) -> IncidentState:
    """`target`, when the table allows the move from `current`; else Conflict."""
    if target not in TRANSITIONS[current]:
        raise Conflict(
            Text(
                N_("a leak incident cannot move from %(current)s to %(target)s"),
                {"current": current, "target": target},
            )
        )
    return target


def opening_state(holder_identified: bool) -> IncidentState:
    return IncidentState.HOLDER_IDENTIFIED if holder_identified else IncidentState.OPENED


def reporting_deadline(opened_at: datetime, hours: int) -> datetime:
    """When the report is due: `hours` after opening."""
    if hours <= 0:
        raise ValueError("the reporting period must be a positive number of hours")
    return opened_at + timedelta(hours=hours)


def seconds_left(deadline_at: datetime, now: datetime) -> int:
    """Whole seconds until the deadline (negative once it has passed); a naive time (SQLite gives
    them back so) is UTC, as every stored time is."""
    return int((as_utc(deadline_at) - as_utc(now)).total_seconds())


# -- events: a feature keeping deadlines starts and stops the reporting clock on them ----------


@dataclass(frozen=True, slots=True)
class IncidentOpened(Event):
    """A leak incident was opened (published in its transaction): its report is due by
    `deadline_at`."""

    incident_id: int
    deadline_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentSettled(Event):
    """A leak incident was contained or closed (published in its transaction): its reporting
    clock stops."""

    incident_id: int
    state: IncidentState
