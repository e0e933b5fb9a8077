"""Appenders for the concurrency tests, importable by a spawned process (no pytest here)."""

from __future__ import annotations

from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier

from shokei.audit import services as audit
from shokei.audit.domain import CheckpointPolicy, LedgerConfig
from shokei.audit.notes import NoteSigner
from shokei.clock import SystemClock
from shokei.db import make_engine
from shokei.kernel import Actor, AuditEvent, Role
from shokei.kernel.unit_of_work import UnitOfWork

WRITER = Actor(7001, "concurrent-writer", Role.INTAKE_OFFICER)


def writer_event(writer: int, number: int) -> AuditEvent:
    return AuditEvent(
        action="case:inventory:add",
        subject_type="writer",
        subject_id=f"{writer}-{number}",
        at=datetime.now(UTC),
        actor=WRITER,
        after={"writer": writer, "number": number},
    )


def append_one_by_one(uow: UnitOfWork, writer: int, count: int) -> None:
    for number in range(count):
        with uow.transaction() as session:
            audit.record(session, writer_event(writer, number))


def append_from_process(
    url: str, keys: tuple[str, str], origin: str, writer: int, count: int, start: Barrier
) -> None:
    """A separate OS process with its own engine, as a second application server would be."""
    engine = make_engine(url)
    try:
        ledger = LedgerConfig(origin, keys[1], NoteSigner.parse(keys[0]), CheckpointPolicy(10, 0))
        uow = UnitOfWork(engine, SystemClock(), ledger=ledger)
        start.wait(timeout=120)
        append_one_by_one(uow, writer, count)
    finally:
        engine.dispose()
