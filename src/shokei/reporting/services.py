"""Reporting use cases: the program report of a fiscal year, computed from the audit ledger at
its current checkpoint, and its verification against an exported ledger with no database.

The report states the tree size and root hash it was computed at (and the signed checkpoint
note, where this machine holds the ledger's key), so `verify_report` recomputes the very same
figures from the first `tree_size` entries of an `audit export` and names any that differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shokei.audit import services as audit
from shokei.audit.merkle import leaf_hash, root_from_leaf_hashes
from shokei.audit.notes import NoteVerificationError, open_note
from shokei.audit.offline import KEY_FILE, read_leaves, verify_export
from shokei.errors import N_, BadInput, Forbidden, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase.domain import check_fiscal_year
from shokei.reporting.domain import differences, program_figures
from shokei.reporting.schemas import VerificationView


def require_report_reader(actor: Actor) -> None:
    """Program reports are for program managers and auditors."""
    if not actor.can(Permission.REPORT_READ):
        raise Forbidden(
            Text(
                N_("program reports are for program managers and auditors; you are %(role)s"),
                {"role": role_name(actor.role)},
            )
        )


def program_report(uow: UnitOfWork, actor: Actor, *, fiscal_year: int) -> dict[str, Any]:
    """The fiscal year's program report (reporting.domain says what each figure counts), with
    the ledger checkpoint it was computed at. Program managers and auditors; the computation is
    itself recorded in the ledger, after the checkpoint it states."""
    require_report_reader(actor)
    check_fiscal_year(fiscal_year)
    head = audit.ledger_head(uow)
    figures = program_figures(audit.ledger_documents(uow, head.size), fiscal_year)
    checkpoint = {"tree_size": head.size, "root_hash": head.root, "signed_note": head.note}
    report = {"report": "program", "fiscal_year": fiscal_year, "checkpoint": checkpoint} | figures
    with uow:
        details = {"fiscal_year": fiscal_year, "tree_size": head.size, "root_hash": head.root}
        uow.record("reporting:program:compute", "report", f"program-{fiscal_year}", actor, details=details)
    return report


def verify_report(report: dict[str, Any], export: Path) -> VerificationView:
    """Recompute a program report's figures from an `audit export` directory (no database, no
    secret): the export must verify, the report's checkpoint must be the export's tree at that
    size, and every figure must equal its recomputation. Names each figure that differs."""
    problems: list[dict[str, Any]] = []
    checked = verify_export(export)
    if not checked.ok:
        problems.append({"figure": "export", "reported": None, "recomputed": checked.problems})
    checkpoint = report.get("checkpoint") or {}
    size = checkpoint.get("tree_size")
    year = report.get("fiscal_year")
    if not isinstance(size, int) or not isinstance(year, int):
        raise BadInput(Text(N_("not a program report: it needs fiscal_year and checkpoint.tree_size")))
    leaves = list(_leaves(export, size))
    if len(leaves) < size:
        problems.append({"figure": "checkpoint.tree_size", "reported": size, "recomputed": len(leaves)})
    root = root_from_leaf_hashes(leaf_hash(leaf) for leaf in leaves).hex()
    if root != checkpoint.get("root_hash"):
        problems.append(
            {"figure": "checkpoint.root_hash", "reported": checkpoint.get("root_hash"), "recomputed": root}
        )
    problems.extend(_note_problems(checkpoint, export, size, root))
    recomputed = program_figures((json.loads(leaf) for leaf in leaves), year)
    mine = {key: value for key, value in report.items() if key in recomputed}
    problems.extend(differences(mine, recomputed))
    return VerificationView(ok=not problems, tree_size=size, fiscal_year=year, differences=problems)


def _note_problems(checkpoint: dict[str, Any], export: Path, size: int, root: str) -> list[dict[str, Any]]:
    note = checkpoint.get("signed_note")
    if not note:
        return []
    try:
        signed = open_note(str(note), (export / KEY_FILE).read_text(encoding="utf-8").strip("\n"))
    except (NoteVerificationError, OSError, ValueError) as error:
        return [{"figure": "checkpoint.signed_note", "reported": "signed", "recomputed": str(error)}]
    if (signed.size, signed.root.hex()) != (size, root):
        return [
            {
                "figure": "checkpoint.signed_note",
                "reported": {"tree_size": signed.size, "root_hash": signed.root.hex()},
                "recomputed": {"tree_size": size, "root_hash": root},
            }
        ]
    return []


def _leaves(export: Path, size: int) -> Iterator[bytes]:
    """The first `size` leaves of the export (its format is the audit feature's)."""
    try:
        yield from read_leaves(export, size)
    except (OSError, ValueError) as error:
        raise BadInput(
            Text(
                N_("%(export)s is not a readable ledger export: %(error)s"),
                {"export": export, "error": error},
            )
        ) from None
