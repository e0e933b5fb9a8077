"""No code path updates or deletes a ledger row: every statement Shokei sends is recorded while
a whole office works, checkpoints, proves, verifies and exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import event

from shokei.audit import services as audit
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office

LEDGER_TABLES = re.compile(r"\b(audit_entries|audit_nodes|audit_checkpoints)\b")
WRITES = re.compile(r"^\s*(UPDATE|DELETE|TRUNCATE|DROP|ALTER|INSERT\s+OR\s+REPLACE)\b", re.IGNORECASE)


def test_the_application_only_inserts_into_and_reads_the_ledger(
    signed_uow: UnitOfWork, tmp_path: Path
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(signed_uow.engine, "before_cursor_execute", record)
    try:
        office = Office(signed_uow)
        office.to_successor_selection(office.open_case(documents=3).id)
        audit.make_checkpoint(signed_uow, office.auditor)
        audit.prove_inclusion(signed_uow, office.auditor, 3)
        audit.prove_consistency(signed_uow, office.auditor, 2, 9)
        assert audit.verify_ledger(signed_uow, office.auditor).ok
        audit.export_ledger(signed_uow, office.auditor, tmp_path / "export")
    finally:
        event.remove(signed_uow.engine, "before_cursor_execute", record)

    touching = [s for s in statements if LEDGER_TABLES.search(s)]
    assert any(s.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES") for s in touching)
    assert any(s.lstrip().upper().startswith("INSERT INTO AUDIT_NODES") for s in touching)
    assert any(s.lstrip().upper().startswith("INSERT INTO AUDIT_CHECKPOINTS") for s in touching)
    assert [s for s in touching if WRITES.search(s)] == []
    head_writes = {s.split("SET")[0].strip() for s in statements if re.match(r"\s*UPDATE\s+audit_head", s)}
    assert head_writes == {"UPDATE audit_head"}  # the one counter that moves
