"""Appending to, proving, verifying and exporting the audit ledger; this package's names are what
other code imports (`ledger`: append, checkpoints, proofs, verification; `reading`: entries as a
reader may see them; `export`: the outside auditor's export and the ledger as figures are
computed from it)."""

from shokei.audit.models import APPLICATION_PRIVILEGES as LEDGER_TABLE_PRIVILEGES
from shokei.audit.services.case_entries import entries_about, entries_about_case
from shokei.audit.services.export import (
    ExportSummary,
    LedgerHead,
    export_ledger,
    ledger_documents,
    ledger_head,
)
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
