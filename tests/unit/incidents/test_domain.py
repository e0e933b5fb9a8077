"""The incident state table, every pair of states, and the reporting clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shokei.errors import Conflict
from shokei.incidents.domain import IncidentState, opening_state, reporting_deadline, seconds_left, transition

S = IncidentState
ALLOWED = {
    (S.OPENED, S.HOLDER_IDENTIFIED),
    (S.OPENED, S.CONTAINED),
    (S.OPENED, S.CLOSED),
    (S.OPENED, S.UNRESOLVED),
    (S.HOLDER_IDENTIFIED, S.CONTAINED),
    (S.HOLDER_IDENTIFIED, S.CLOSED),
    (S.HOLDER_IDENTIFIED, S.UNRESOLVED),
    (S.CONTAINED, S.CLOSED),
    (S.CONTAINED, S.UNRESOLVED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_is_allowed_exactly_when_the_table_says(current: S, target: S) -> None:
    if (current, target) in ALLOWED:
        assert transition(current, target) is target
    else:
        with pytest.raises(Conflict):
            transition(current, target)


def test_an_incident_opens_with_its_holder_identified_when_the_trace_names_one() -> None:
    assert (opening_state(True), opening_state(False)) == (S.HOLDER_IDENTIFIED, S.OPENED)


def test_the_clock_runs_72_hours_and_goes_negative_when_overdue() -> None:
    opened = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    deadline = reporting_deadline(opened, 72)
    assert deadline == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert seconds_left(deadline, datetime(2026, 12, 4, 8, 0, tzinfo=UTC)) == 3600
    assert seconds_left(deadline.replace(tzinfo=None), datetime(2026, 12, 4, 10, 0, tzinfo=UTC)) == -3600
    with pytest.raises(ValueError, match="positive"):
        reporting_deadline(opened, 0)
