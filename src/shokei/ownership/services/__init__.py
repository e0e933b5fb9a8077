"""Ownership use cases: imports and export, ownership events, foreign control, alerts, matches.

Each use case authorises, loads, decides (domain and engine), saves and audits in one
transaction. Figures are computed as of the clock's today, from the interests in force, over
the entities concerned only: for a control query an entity and everything above it; for an
ownership event the company changed, everything below it, and all their holders.

The use cases live in one module per group; this package is where other features (and the
adapters) find them all:

- `entities`: `add_entity`, `get_entity`;
- `registers`: `import_bods`, `import_csv`, `export_bods`;
- `control`: `foreign_control_of`, and for the risk watchlist `foreign_exposure` (every registry
  company) and `company_foreign_exposure` (one), read by `exposure`;
- `events`: `record_interest_change` (an ownership event);
- `alerts`: `list_alerts`, `get_thresholds`, `set_thresholds`, and the evaluation every change
  runs to raise and resolve alerts;
- `matches`: `list_match_candidates`, `decide_match`;
- `support`: what they share.
"""

from __future__ import annotations

from shokei.ownership.schemas import (
    AlertView,
    CompanyForeignExposure,
    ControlView,
    EntityView,
    ExportReport,
    ImportReport,
    InterestChangeView,
    MatchCandidateView,
    MatchDecision,
    ThresholdsChange,
    ThresholdsView,
)
from shokei.ownership.services.alerts import get_thresholds, list_alerts, set_thresholds
from shokei.ownership.services.control import (
    TOP_CHAINS,
    TOP_OWNERS,
    company_foreign_exposure,
    exposure_for_invariants,
    foreign_control_of,
    foreign_exposure,
)
from shokei.ownership.services.entities import add_entity, get_entity
from shokei.ownership.services.events import record_interest_change, record_reported_interest
from shokei.ownership.services.handling import acknowledge_alert, close_alert
from shokei.ownership.services.matches import ACCEPTED, REJECTED, decide_match, list_match_candidates
from shokei.ownership.services.registers import PUBLISHER, export_bods, import_bods, import_csv

__all__ = [
    "ACCEPTED",
    "PUBLISHER",
    "REJECTED",
    "TOP_CHAINS",
    "TOP_OWNERS",
    "AlertView",
    "CompanyForeignExposure",
    "ControlView",
    "EntityView",
    "ExportReport",
    "ImportReport",
    "InterestChangeView",
    "MatchCandidateView",
    "MatchDecision",
    "ThresholdsChange",
    "ThresholdsView",
    "acknowledge_alert",
    "add_entity",
    "close_alert",
    "company_foreign_exposure",
    "decide_match",
    "export_bods",
    "exposure_for_invariants",
    "foreign_control_of",
    "foreign_exposure",
    "get_entity",
    "get_thresholds",
    "import_bods",
    "import_csv",
    "list_alerts",
    "list_match_candidates",
    "record_interest_change",
    "record_reported_interest",
    "set_thresholds",
]
