"""`verify_ledger` against every kind of tampering done directly in the database.

Each test builds a signed ledger of 40 entries (checkpoints at 10, 20, 30, 40), tampers with
it the way a database administrator could, and expects verification to fail naming the
first bad index.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import rfc8785
from sqlalchemy import Connection, text

from shokei.audit import services as audit
from shokei.audit.domain import LedgerVerification, UnsignedTail
from shokei.audit.merkle import CompactRange, StoredNode, leaf_hash
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.audit.conftest import AUDITOR, append

SIZE = 40
VICTIM = 17


@pytest.fixture
def ledger(signed_uow: UnitOfWork) -> UnitOfWork:
    append(signed_uow, SIZE, per_transaction=2)  # checkpoints fall due at 10, 20, 30, 40
    clean = audit.verify_ledger(signed_uow, AUDITOR)
    assert clean.ok, clean.problems
    assert (clean.size, clean.checkpoints_checked, clean.signed_size) == (SIZE, 4, 40)
    return signed_uow


def tamper(uow: UnitOfWork, *statements: tuple[str, dict[str, Any]]) -> None:
    with uow.engine.begin() as connection:
        for statement, parameters in statements:
            connection.execute(text(statement), parameters)


def row(uow: UnitOfWork, index: int) -> dict[str, Any]:
    with uow.engine.connect() as connection:
        found = connection.execute(text('SELECT * FROM audit_entries WHERE "index" = :i'), {"i": index})
        return dict(found.mappings().one())


def failed(uow: UnitOfWork, **options: Any) -> LedgerVerification:
    report = audit.verify_ledger(uow, AUDITOR, **options)
    assert not report.ok
    assert report.problems
    return report


COLUMN_EDITS: dict[str, Callable[[dict[str, Any]], object]] = {
    "at": lambda r: r["at"] + timedelta(seconds=1) if not isinstance(r["at"], str) else "2030-01-01 00:00:00",
    "actor_id": lambda r: 4242,
    "actor_name": lambda r: "mallory",
    "action": lambda r: "case:status:erase",
    "subject_type": lambda r: "company",
    "subject_id": lambda r: "999",
    "leaf": lambda r: r["leaf"].replace(b"ledger-examiner", b"ledger-examinee"),
}


@pytest.mark.parametrize("column", sorted(COLUMN_EDITS))
def test_editing_any_column_of_an_entry_is_named(ledger: UnitOfWork, column: str) -> None:
    value = COLUMN_EDITS[column](row(ledger, VICTIM))
    tamper(ledger, (f'UPDATE audit_entries SET {column} = :v WHERE "index" = :i', {"v": value, "i": VICTIM}))
    report = failed(ledger)
    assert report.first_bad_index == VICTIM
    assert any(f"entry {VICTIM}" in problem for problem in report.problems)


def test_moving_an_entry_to_another_index_is_named(ledger: UnitOfWork) -> None:
    tamper(ledger, ('UPDATE audit_entries SET "index" = 1000 WHERE "index" = :i', {"i": VICTIM}))
    report = failed(ledger)
    assert report.first_bad_index == VICTIM
    assert f"entry {VICTIM} is missing (deleted, or its index was changed)" in report.problems
    assert any("entry 1000 lies outside the ledger" in problem for problem in report.problems)


def test_deleting_an_entry_is_named(ledger: UnitOfWork) -> None:
    tamper(ledger, ('DELETE FROM audit_entries WHERE "index" = :i', {"i": VICTIM}))
    assert failed(ledger).first_bad_index == VICTIM


def test_deleting_the_newest_entry_is_named(ledger: UnitOfWork) -> None:
    tamper(ledger, ('DELETE FROM audit_entries WHERE "index" = :i', {"i": SIZE - 1}))
    assert failed(ledger).first_bad_index == SIZE - 1


def test_swapping_two_entries_is_named(ledger: UnitOfWork) -> None:
    first, second = row(ledger, VICTIM), row(ledger, 23)
    columns = [c for c in first if c != "index"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    tamper(
        ledger,
        (f'UPDATE audit_entries SET {assignments} WHERE "index" = :index', {**second, "index": VICTIM}),
        (f'UPDATE audit_entries SET {assignments} WHERE "index" = :index', {**first, "index": 23}),
    )
    report = failed(ledger)
    assert report.first_bad_index == VICTIM
    assert any(problem.startswith("entry 23:") for problem in report.problems)


def forged_entry(uow: UnitOfWork, index: int) -> dict[str, Any]:
    forged = row(uow, 3)
    document = json.loads(forged["leaf"])
    document["index"] = index
    return {**forged, "index": index, "leaf": rfc8785.dumps(document)}


INSERT_ENTRY = (
    'INSERT INTO audit_entries ("index", at, actor_id, actor_name, action, subject_type, subject_id, leaf) '
    "VALUES (:index, :at, :actor_id, :actor_name, :action, :subject_type, :subject_id, :leaf)"
)


def test_appending_behind_the_services_back_is_named(ledger: UnitOfWork) -> None:
    tamper(ledger, (INSERT_ENTRY, forged_entry(ledger, SIZE)))
    report = failed(ledger)
    assert report.first_bad_index == SIZE
    assert any(f"entry {SIZE} lies outside the ledger" in problem for problem in report.problems)


def test_appending_and_moving_the_head_behind_the_services_back_is_named(ledger: UnitOfWork) -> None:
    tamper(
        ledger,
        (INSERT_ENTRY, forged_entry(ledger, SIZE)),
        ("UPDATE audit_head SET size = :s", {"s": SIZE + 1}),
    )
    report = failed(ledger)
    assert report.first_bad_index == SIZE
    assert f"entry {SIZE}: its leaf hash is missing from the stored tree" in report.problems


def rebuild_tree(connection: Connection) -> None:
    """What a careful forger does after editing a leaf: recompute and rewrite every node."""
    leaves = connection.execute(text('SELECT leaf FROM audit_entries ORDER BY "index"')).scalars()
    border, nodes = CompactRange(), list[StoredNode]()
    for leaf in leaves:
        border.append_recording(leaf_hash(leaf), nodes)
    connection.execute(text("DELETE FROM audit_nodes"))
    connection.execute(
        text('INSERT INTO audit_nodes (level, "index", hash) VALUES (:l, :i, :h)'),
        [{"l": level, "i": index, "h": value} for level, index, value in nodes],
    )


def test_a_consistent_forgery_is_caught_by_the_signed_checkpoints(ledger: UnitOfWork) -> None:
    victim = row(ledger, VICTIM)
    document = json.loads(victim["leaf"])
    document["details"]["reason"] = "問題なし"  # the forger rewrites history, canonically
    tamper(
        ledger,
        (
            'UPDATE audit_entries SET leaf = :l WHERE "index" = :i',
            {"l": rfc8785.dumps(document), "i": VICTIM},
        ),
    )
    with ledger.engine.begin() as connection:
        rebuild_tree(connection)
    report = failed(ledger)
    # Each entry and node agrees with the others; only the signatures know better: the
    # checkpoint at 10 still holds, those at 20, 30 and 40 do not.
    assert report.first_bad_index == 10
    assert report.signed_size == 10
    assert sum("signed root does not match" in problem for problem in report.problems) == 3


def test_editing_a_stored_tree_node_is_named(ledger: UnitOfWork) -> None:
    tamper(ledger, ('UPDATE audit_nodes SET hash = :h WHERE level = 2 AND "index" = 4', {"h": bytes(32)}))
    report = failed(ledger)
    assert report.first_bad_index == 16
    assert (
        "tree node (level 2, index 4) over entries 16-19 differs from the hash of its entries"
        in report.problems
    )


def test_a_stray_node_beyond_the_head_is_named(ledger: UnitOfWork) -> None:
    tamper(
        ledger,
        ('INSERT INTO audit_nodes (level, "index", hash) VALUES (0, :i, :h)', {"i": SIZE, "h": bytes(32)}),
    )
    assert failed(ledger).first_bad_index == SIZE


def test_a_forged_checkpoint_signature_is_reported(ledger: UnitOfWork) -> None:
    with ledger.engine.connect() as connection:
        note = connection.execute(text("SELECT note FROM audit_checkpoints WHERE size = 20")).scalar_one()
    forged = note.replace("\n20\n", "\n21\n")
    tamper(ledger, ("UPDATE audit_checkpoints SET note = :n WHERE size = 20", {"n": forged}))
    report = failed(ledger)
    assert report.first_bad_index is None  # the checkpoint row was altered, not an entry
    assert report.signed_size == 40
    assert any("checkpoint 20: the signed note does not verify" in problem for problem in report.problems)


def test_a_checkpoint_row_that_disagrees_with_its_note_is_reported(ledger: UnitOfWork) -> None:
    tamper(ledger, ("UPDATE audit_checkpoints SET root = :r WHERE size = 30", {"r": bytes(32)}))
    report = failed(ledger)
    assert any("checkpoint 30: the stored row disagrees with its signed note" in p for p in report.problems)


def test_a_checkpoint_cannot_be_checked_without_the_verifier_key(ledger: UnitOfWork) -> None:
    keyless = UnitOfWork(ledger.engine, ledger.clock)
    report = failed(keyless)
    assert (
        report.problems[0]
        == "checkpoint 10: no verifier key is configured, so its signature cannot be checked"
    )


def test_parallel_verification_reports_the_same(ledger: UnitOfWork) -> None:
    tamper(ledger, ('DELETE FROM audit_entries WHERE "index" = :i', {"i": VICTIM}))
    in_process = failed(ledger, workers=0)
    in_workers = failed(ledger, workers=2)
    assert in_workers == in_process
    assert in_workers.first_bad_index == VICTIM


def test_an_empty_ledger_verifies(uow: UnitOfWork) -> None:
    report = audit.verify_ledger(uow, Actor(1, "auditor", Role.AUDITOR))
    assert report == LedgerVerification(
        ok=True,
        size=0,
        checkpoints_checked=0,
        signed_size=0,
        first_bad_index=None,
        problems=[],
        unsigned_tail=UnsignedTail(entries=0, oldest_seconds=None),
    )


def unreadable_values(uow: UnitOfWork) -> dict[str, str]:
    """Values a database administrator can store that no append writes: SQLite keeps any text
    in any column; PostgreSQL's timestamptz takes infinity, which no datetime can hold."""
    if uow.dialect == "postgresql":
        return {"at": "'infinity'"}
    return {"at": "'not a time'", "actor_id": "'mallory'", "leaf": "CAST(leaf AS TEXT)"}


def test_values_no_append_could_write_are_named_not_fatal(ledger: UnitOfWork) -> None:
    original = row(ledger, VICTIM)
    for column, value in unreadable_values(ledger).items():
        tamper(ledger, (f'UPDATE audit_entries SET {column} = {value} WHERE "index" = :i', {"i": VICTIM}))
        report = failed(ledger)
        assert report.first_bad_index == VICTIM, (column, report.problems)
        named = [
            problem for problem in report.problems if problem.startswith(f"entry {VICTIM}: column {column}")
        ]
        assert named, (column, report.problems)
        restore = {"v": original[column], "i": VICTIM}
        tamper(ledger, (f'UPDATE audit_entries SET {column} = :v WHERE "index" = :i', restore))
        assert audit.verify_ledger(ledger, AUDITOR).ok
