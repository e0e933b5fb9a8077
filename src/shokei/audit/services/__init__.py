"""Appending to, proving, verifying and exporting the audit ledger; this package's names are what
other code imports (`ledger`: append, checkpoints, proofs, verification; `reading`: entries as a
reader may see them; `export`: the outside auditor's export and the ledger as figures are
computed from it)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shokei.audit.models import APPLICATION_PRIVILEGES as LEDGER_TABLE_PRIVILEGES
from shokei.audit.services.ledger import (
    TAIL_SEAL_SECONDS,
    CheckpointView,
    ConsistencyProofView,
    InclusionProofView,
    SigningKeyUnavailable,
    configured_ledger,
    ledger_size,
    list_checkpoints,
    make_checkpoint,
    prove_consistency,
    prove_inclusion,
    record,
    record_many,
    seal_tail,
    verify_ledger,
)
from shokei.audit.services.reading import AuditEntryView, entries_for_subject, list_entries

if TYPE_CHECKING:
    from shokei.audit.services.case_entries import entries_about, entries_about_case
    from shokei.audit.services.export import (
        ExportSummary,
        LedgerHead,
        export_ledger,
        ledger_documents,
        ledger_head,
    )

# Imported on first use (PEP 562): the export brings the offline verifier and the case entries'
# readers, which a command that only reads a case (`shokei case show`) never calls.
_LAZY = {
    "entries_about": "case_entries",
    "entries_about_case": "case_entries",
    "ExportSummary": "export",
    "LedgerHead": "export",
    "export_ledger": "export",
    "ledger_documents": "export",
    "ledger_head": "export",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "LEDGER_TABLE_PRIVILEGES",
    "TAIL_SEAL_SECONDS",
    "AuditEntryView",
    "CheckpointView",
    "ConsistencyProofView",
    "ExportSummary",
    "InclusionProofView",
    "LedgerHead",
    "SigningKeyUnavailable",
    "configured_ledger",
    "entries_about",
    "entries_about_case",
    "entries_for_subject",
    "export_ledger",
    "ledger_documents",
    "ledger_head",
    "ledger_size",
    "list_checkpoints",
    "list_entries",
    "make_checkpoint",
    "prove_consistency",
    "prove_inclusion",
    "record",
    "record_many",
    "seal_tail",
    "verify_ledger",
]
