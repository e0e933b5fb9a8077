"""Succession use cases, one module per group; this module is the feature's service surface.

Adapters (CLI, API, pages) and other features import `shokei.succession.services`; the use
cases live in:

- `selection`: ranking, portfolio assignment proposals, selection, inbox, acceptance of terms;
- `release`: release of the successor's copies (or the record of a hand-over on paper),
  download, listing, the copies vault check and the certificate of destruction that closes
  the case;
- `dissemination`: the register of further transfers to subcontractors;
- `tracing`: `trace` over the register of issued copies;
- `recall`: copy status (issued, recalled, destroyed), recall, return and the outstanding recalls;
- `holdings`: the holdings register of a company (copies, cases as supplier, successor or
  subcontractor), and its summary for alerts;
- `holders`: continuous eligibility of the companies that hold copies or succeed in an open
  case (`protect_holder` suspends one that became ineligible; `holder_refusals`);
- `candidates`, `ownership_source`: the facts eligibility and ranking read (supply relationships
  through `supply_chain.services.systems_supplied`);
- `common`, `copying`: what they share.
"""

from __future__ import annotations

from shokei.secrets.domain import NotCertifiedForSecrets
from shokei.succession.candidate_page import candidate_page
from shokei.succession.candidates import DirectForeignShares
from shokei.succession.common import SIGNING_KEY_FILE, copies_vault, copy_associated_data, signing_key
from shokei.succession.dissemination import (
    accept_dissemination,
    approve_dissemination,
    reject_dissemination,
    request_dissemination,
)
from shokei.succession.handover_status import copy_detail, handover_status, held_copies
from shokei.succession.holders import holder_refusals, protect_holder
from shokei.succession.holdings import (
    company_holdings,
    document_holders,
    flag_subcontracted_cases,
    holdings_summary,
)
from shokei.succession.recall import (
    outstanding_recalls,
    recall_company_copies,
    recall_copy,
    return_copy,
)
from shokei.succession.release import (
    check_copies,
    copies_holder,
    download_copy,
    list_copies,
    record_destruction_certificate,
    record_hand_over,
    release_copies,
    stream_copy,
)
from shokei.succession.selection import (
    accept_terms,
    inbox,
    propose_assignment,
    rank_candidates,
    select_successor,
)
from shokei.succession.tracing import DatabaseKnownCopies, trace_file
from shokei.succession.tracing.evidence import admit_trace, export_found_file, trace_found_file

__all__ = [
    "SIGNING_KEY_FILE",
    "DatabaseKnownCopies",
    "DirectForeignShares",
    "NotCertifiedForSecrets",
    "accept_dissemination",
    "accept_terms",
    "admit_trace",
    "approve_dissemination",
    "candidate_page",
    "check_copies",
    "company_holdings",
    "copies_holder",
    "copies_vault",
    "copy_associated_data",
    "copy_detail",
    "document_holders",
    "download_copy",
    "export_found_file",
    "flag_subcontracted_cases",
    "handover_status",
    "held_copies",
    "holder_refusals",
    "holdings_summary",
    "inbox",
    "list_copies",
    "outstanding_recalls",
    "propose_assignment",
    "protect_holder",
    "rank_candidates",
    "recall_company_copies",
    "recall_copy",
    "record_destruction_certificate",
    "record_hand_over",
    "reject_dissemination",
    "release_copies",
    "request_dissemination",
    "return_copy",
    "select_successor",
    "signing_key",
    "stream_copy",
    "trace_file",
    "trace_found_file",
]
