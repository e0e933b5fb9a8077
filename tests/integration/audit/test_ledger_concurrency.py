"""Concurrent appenders (threads, and separate processes) still produce one gapless, verifiable log."""

from __future__ import annotations

import threading
from multiprocessing import get_context

from sqlalchemy import select

from shokei.audit import services as audit
from shokei.audit.models import AuditCheckpoint, AuditEntry
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.audit.conftest import AUDITOR, ORIGIN
from tests.integration.audit.ledger_writers import append_from_process, append_one_by_one

PER_WRITER = 15


def assert_one_gapless_verified_log(uow: UnitOfWork, writers: int) -> None:
    with uow.transaction() as session:
        rows = session.execute(
            select(AuditEntry.index, AuditEntry.subject_id).order_by(AuditEntry.index)
        ).all()
        checkpoints = list(session.execute(select(AuditCheckpoint.size)).scalars())
    assert [index for index, _ in rows] == list(range(writers * PER_WRITER))
    for writer in range(writers):
        # Each writer's entries all landed, once, in the order that writer made them.
        mine = [subject for _, subject in rows if subject.startswith(f"{writer}-")]
        assert mine == [f"{writer}-{number}" for number in range(PER_WRITER)]
    assert checkpoints, "automatic checkpoints were made while writers raced"
    report = audit.verify_ledger(uow, AUDITOR)
    assert report.ok, report.problems
    assert report.checkpoints_checked == len(checkpoints)


def test_threads_appending_at_once_make_one_gapless_log(signed_uow: UnitOfWork) -> None:
    writers, start = 8, threading.Barrier(8)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait(timeout=60)
            append_one_by_one(signed_uow, writer, PER_WRITER)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert_one_gapless_verified_log(signed_uow, writers)


def test_processes_appending_at_once_make_one_gapless_log(
    signed_uow: UnitOfWork, database_url: str, ledger_keys: tuple[str, str]
) -> None:
    context = get_context("spawn")
    writers = 4
    start = context.Barrier(writers)
    processes = [
        context.Process(
            target=append_from_process, args=(database_url, ledger_keys, ORIGIN, writer, PER_WRITER, start)
        )
        for writer in range(writers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    assert [process.exitcode for process in processes] == [0] * writers
    assert_one_gapless_verified_log(signed_uow, writers)
