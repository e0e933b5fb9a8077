"""Ledger test wiring: a unit of work that signs checkpoints, and events to append."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shokei.audit import services as audit
from shokei.audit.domain import CheckpointPolicy, LedgerConfig
from shokei.audit.notes import NoteSigner, generate_signer
from shokei.clock import FixedClock
from shokei.kernel import Actor, AuditEvent, Role
from shokei.kernel.unit_of_work import UnitOfWork

ORIGIN = "test.shokei.example/ledger"
KEY_NAME = "test-ledger"
AUDITOR = Actor(9001, "ledger-auditor", Role.AUDITOR)
EXAMINER = Actor(9002, "ledger-examiner", Role.EXAMINER)


@pytest.fixture(scope="session")
def ledger_keys() -> tuple[str, str]:
    """(signer key text, verifier key text)."""
    return generate_signer(KEY_NAME)


def ledger_config(keys: tuple[str, str], every_entries: int = 10, every_minutes: int = 0) -> LedgerConfig:
    signer, verifier = keys
    policy = CheckpointPolicy(every_entries, every_minutes)
    return LedgerConfig(ORIGIN, verifier, NoteSigner.parse(signer), policy)


@pytest.fixture
def signed_uow(uow: UnitOfWork, ledger_keys: tuple[str, str]) -> UnitOfWork:
    """The test database with the ledger key: a checkpoint is signed every 10 entries."""
    return UnitOfWork(uow.engine, uow.clock, ledger=ledger_config(ledger_keys))


def event(clock: FixedClock, number: int, actor: Actor | None = EXAMINER) -> AuditEvent:
    return AuditEvent(
        action="case:status:change",
        subject_type="case",
        subject_id=str(number),
        at=clock.now() + timedelta(seconds=number),
        actor=actor,
        before={"state": "under_examination"},
        after={"state": "protection_required"},
        details={"reason": f"固有技術 {number}"},
    )


def append(uow: UnitOfWork, count: int, per_transaction: int = 1) -> None:
    """Append `count` events, `per_transaction` at a time, as services would."""
    clock = uow.clock
    assert isinstance(clock, FixedClock)
    with uow.transaction() as session:
        start = audit.ledger_size(session)
    for begin in range(start, start + count, per_transaction):
        with uow.transaction() as session:
            audit.record_many(
                session, [event(clock, n) for n in range(begin, min(begin + per_transaction, start + count))]
            )
