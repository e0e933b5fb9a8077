"""A log longer than one verification chunk (2**14 entries): chunk roots combine into the nodes
above them, checkpoints straddle chunk boundaries, and tampering is named in any chunk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from shokei.audit import services as audit
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.audit.conftest import AUDITOR, append, ledger_config

CHUNK = 1 << 14
SIZE = 2 * CHUNK + 1234
BATCH = 997  # a checkpoint after every batch: 34 of them, some inside and some across chunks


def execute(uow: UnitOfWork, statement: str, **parameters: Any) -> Any:
    with uow.engine.begin() as connection:
        return connection.execute(text(statement), parameters)


def test_a_log_of_several_chunks_verifies_and_names_tampering_in_any_of_them(
    uow: UnitOfWork, ledger_keys: tuple[str, str]
) -> None:
    ledger = UnitOfWork(uow.engine, uow.clock, ledger=ledger_config(ledger_keys, every_entries=BATCH))
    append(ledger, SIZE, per_transaction=BATCH)
    clean = audit.verify_ledger(ledger, AUDITOR, workers=0)
    assert clean.ok, clean.problems
    assert (clean.size, clean.checkpoints_checked, clean.signed_size) == (
        SIZE,
        SIZE // BATCH,
        SIZE // BATCH * BATCH,
    )
    assert audit.verify_ledger(ledger, AUDITOR, workers=2) == clean

    top = 'level = 15 AND "index" = 0'  # above the chunks: recomputed from the chunk roots
    execute(ledger, f"UPDATE audit_nodes SET hash = :h WHERE {top}", h=bytes(32))
    execute(ledger, "UPDATE audit_entries SET actor_name = 'mallory' WHERE \"index\" = 33000")
    execute(ledger, 'DELETE FROM audit_entries WHERE "index" = 33500')
    report = audit.verify_ledger(ledger, AUDITOR, workers=0)
    assert report.first_bad_index == 0
    assert report.problems == [
        "entry 33000: column actor_name is 'mallory' but the leaf says 'ledger-examiner'",
        "entry 33500 is missing (deleted, or its index was changed)",
        "tree node (level 15, index 0) over entries 0-32767 differs from the hash of its entries",
        f"checkpoint {34 * BATCH}: the signed root does not match the tree recomputed from the entries; "
        f"the first altered entry lies in [{33 * BATCH}, {34 * BATCH})",
    ]
    assert report.signed_size == 33 * BATCH
