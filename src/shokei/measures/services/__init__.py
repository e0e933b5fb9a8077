"""Measures use cases, one module per concern; this package's names are what other code imports.

- `decisions`: deciding an escalated case's measure (the case moves with it), reading one.
- `facilities`: state-held facilities: acquisition on the budget's facilities line, entrustment,
  transfer, the list and the annual report.
- `records`: the measure's row as the others load and change it; `access`: who may do what.
"""

from shokei.measures.services.decisions import decide_measure, get_measure
from shokei.measures.services.facilities import (
    acquire_facility,
    entrust_facility,
    facilities_of_company,
    facility_report,
    file_facility_report,
    get_facility,
    list_facilities,
    transfer_facility,
)

__all__ = [
    "acquire_facility",
    "decide_measure",
    "entrust_facility",
    "facilities_of_company",
    "facility_report",
    "file_facility_report",
    "get_facility",
    "get_measure",
    "list_facilities",
    "transfer_facility",
]
