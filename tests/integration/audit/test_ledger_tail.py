"""The ledger's unsigned tail: reported by `verify`, signed by `seal_tail` once it has waited, and
a truncation behind a checkpoint published outside the database caught by `verify --against`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from shokei.audit import services as audit
from shokei.audit.domain import UnsignedTail
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import TEST_NOW, Cli
from tests.factories import Office
from tests.integration.audit.conftest import AUDITOR, append


def _at(uow: UnitOfWork, seconds: float) -> UnitOfWork:
    """The same ledger seen by a clock `seconds` after the test's "now"."""
    return UnitOfWork(uow.engine, FixedClock(TEST_NOW + timedelta(seconds=seconds)), ledger=uow.ledger)


def _truncate_to(uow: UnitOfWork, size: int) -> None:
    """What an administrator could do: drop the newest entries, their nodes and the checkpoints
    that sign them, and move the head back."""
    with uow.engine.begin() as connection:
        connection.execute(text('DELETE FROM audit_entries WHERE "index" >= :s'), {"s": size})
        nodes = connection.execute(text('SELECT level, "index" FROM audit_nodes')).all()
        for level, index in nodes:
            if (index + 1) << level > size:
                connection.execute(
                    text('DELETE FROM audit_nodes WHERE level = :l AND "index" = :i'),
                    {"l": level, "i": index},
                )
        connection.execute(text("DELETE FROM audit_checkpoints WHERE size > :s"), {"s": size})
        connection.execute(text("UPDATE audit_head SET size = :s"), {"s": size})


def test_verify_reports_the_unsigned_tail_and_seal_tail_signs_it_once_it_has_waited(
    signed_uow: UnitOfWork,
) -> None:
    append(signed_uow, 25)  # checkpoints at 10 and 20; entry n is stamped "now" + n seconds
    report = audit.verify_ledger(_at(signed_uow, 120), AUDITOR)
    assert report.ok, report.problems
    assert report.signed_size == 20
    # Entry 20, the oldest unsigned, was stamped at +20 s: 100 s old at +120 s.
    assert report.unsigned_tail == UnsignedTail(entries=5, oldest_seconds=100.0)

    assert audit.seal_tail(_at(signed_uow, 49), older_than_seconds=30) is None  # waited 29 s
    sealed = audit.seal_tail(_at(signed_uow, 50), older_than_seconds=30)  # waited 30 s
    assert sealed is not None
    assert sealed.size == 25
    assert audit.seal_tail(_at(signed_uow, 500)) is None  # nothing unsigned any more
    after = audit.verify_ledger(_at(signed_uow, 120), AUDITOR)
    assert after.ok, after.problems
    assert (after.signed_size, after.unsigned_tail) == (25, UnsignedTail(entries=0, oldest_seconds=None))


def test_a_truncation_behind_a_published_checkpoint_is_caught_only_against_it(
    signed_uow: UnitOfWork,
) -> None:
    append(signed_uow, 25)
    published = audit.make_checkpoint(signed_uow, AUDITOR).note  # a witness keeps this note
    append(signed_uow, 3)
    _truncate_to(signed_uow, 22)

    alone = audit.verify_ledger(signed_uow, AUDITOR)
    assert alone.ok  # what the database still holds is self-consistent: this is the gap closed
    assert alone.size == 22

    against = audit.verify_ledger(signed_uow, AUDITOR, against=[published])
    assert not against.ok
    assert "published checkpoint 25: signs 25 entries but the ledger holds 22" in against.problems
    assert against.first_bad_index == 22


def test_a_forged_published_checkpoint_is_refused(signed_uow: UnitOfWork) -> None:
    append(signed_uow, 12)
    note = audit.make_checkpoint(signed_uow, AUDITOR).note
    forged = note.replace("\n12\n", "\n13\n")
    report = audit.verify_ledger(signed_uow, AUDITOR, against=[forged])
    assert not report.ok
    assert report.problems[0].startswith("published checkpoint: the signed note does not verify")


def test_cli_publish_and_verify_against(uow: UnitOfWork, cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    Office(uow)  # the auditor
    note = tmp_path / "witness" / "checkpoint.txt"
    note.parent.mkdir()
    published = cli("audit", "publish", str(note), "--as", "admin", "--json").json()
    assert isinstance(published, dict)
    assert note.read_text(encoding="utf-8").startswith("shokei.mod.go.jp/ledger\n")
    verified = cli("audit", "verify", "--against", str(note), "--as", "auditor", "--json")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True
    assert report["signed_size"] == published["size"]
    assert report["unsigned_tail"]["entries"] == report["size"] - published["size"]
