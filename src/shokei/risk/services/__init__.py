"""Risk use cases: record financial indicators and company events, score every company, keep runs.

The use cases live in one module per group; this package is where other features (and the
adapters) find them all:

- `facts`: `record_event`, `record_financials`, `list_events` (this feature's own tables);
- `watchlist`: `watchlist` (every company scored and ranked), `company_risk` (one);
- `runs`: `latest_recorded_run`, `history` (recorded scoring runs read back);
- `support`: what they share, `load_policy` and `POLICY_PATH` among it.
"""

from __future__ import annotations

from shokei.risk.services.facts import list_events, note_survey_unanswered, record_event, record_financials
from shokei.risk.services.runs import history, latest_recorded_run
from shokei.risk.services.supplier_base import export_supplier_base, system_supplier_base
from shokei.risk.services.support import POLICY_PATH, load_policy
from shokei.risk.services.watchlist import company_risk, watchlist

__all__ = [
    "POLICY_PATH",
    "company_risk",
    "export_supplier_base",
    "history",
    "latest_recorded_run",
    "list_events",
    "load_policy",
    "note_survey_unanswered",
    "record_event",
    "record_financials",
    "system_supplier_base",
    "watchlist",
]
