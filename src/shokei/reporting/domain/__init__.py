"""The program report's figures from the ledger's events alone (pure): `figures` computes and
compares them, one module per section says which events it reads."""

from shokei.reporting.domain.budget import BUDGET_FIGURES, BUDGET_LINE, line_of
from shokei.reporting.domain.cases import CLOSED_STATES, EXIT_REASONS, UNRECORDED
from shokei.reporting.domain.custody import MEASURE_PREFIX
from shokei.reporting.domain.events import Event, events_of
from shokei.reporting.domain.figures import LISTING, differences, program_figures

__all__ = [
    "BUDGET_FIGURES",
    "BUDGET_LINE",
    "CLOSED_STATES",
    "EXIT_REASONS",
    "LISTING",
    "MEASURE_PREFIX",
    "UNRECORDED",
    "Event",
    "differences",
    "events_of",
    "line_of",
    "program_figures",
]
