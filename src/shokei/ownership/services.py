"""Ownership use cases: imports and export, ownership events, foreign control, alerts, matches.

Each use case authorises, loads, decides (domain and engine), saves and audits in one
transaction. Figures are computed as of the clock's today, from the interests in force, over
the entities concerned only: for a control query an entity and everything above it; for an
ownership event the company changed, everything below it, and all their holders.

The use cases live in one module per group; this module is where other features (and the
adapters) find them all:

- `entity_services`: `add_entity`, `get_entity`;
- `import_services`: `import_bods`, `import_csv`, `export_bods`;
- `control_services`: `foreign_control_of`, and for the risk watchlist `foreign_exposure` (every
  registry company) and `company_foreign_exposure` (one);
- `event_services`: `record_interest_change` (an ownership event);
- `alert_services`: `list_alerts`, `get_thresholds`, `set_thresholds`;
- `match_services`: `list_match_candidates`, `decide_match`;
- `service_support`: what they share.
"""

from __future__ import annotations

from shokei.ownership.alert_services import get_thresholds, list_alerts, set_thresholds
from shokei.ownership.control_services import (
    TOP_CHAINS,
    TOP_OWNERS,
    company_foreign_exposure,
    foreign_control_of,
    foreign_exposure,
)
from shokei.ownership.entity_services import add_entity, get_entity
from shokei.ownership.event_services import record_interest_change
from shokei.ownership.import_services import PUBLISHER, export_bods, import_bods, import_csv
from shokei.ownership.match_services import ACCEPTED, REJECTED, decide_match, list_match_candidates
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
    "add_entity",
    "company_foreign_exposure",
    "decide_match",
    "export_bods",
    "foreign_control_of",
    "foreign_exposure",
    "get_entity",
    "get_thresholds",
    "import_bods",
    "import_csv",
    "list_alerts",
    "list_match_candidates",
    "record_interest_change",
    "set_thresholds",
]
