"""One process of the approval race: its own engine and connections, approving its cases in
threads the moment every process is ready (spawned, so nothing is shared with the parent)."""

from __future__ import annotations

import threading
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from shokei.accounts import services as accounts
from shokei.clock import FixedClock
from shokei.db import make_engine
from shokei.errors import ShokeiError
from shokei.kernel.bus import MessageBus
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.purchase import services as purchase
from shokei.purchase.domain import BudgetExhausted

APPROVED = "approved"


def attempt(uow: UnitOfWork, manager_name: str, case_id: int) -> str:
    """'approved', or the budget-exhausted message; anything else is a failure of the test."""
    try:
        purchase.approve_purchase(uow, accounts.actor_for_username(uow, manager_name), case_id)
    except BudgetExhausted as error:
        return error.message
    except ShokeiError as error:
        return f"UNEXPECTED {type(error).__name__}: {error.message}"
    return APPROVED


def approve_in_process(
    database_url: str,
    now: str,
    manager_name: str,
    case_ids: list[int],
    start: Barrier,
    results: Queue[tuple[int, str]],
) -> None:
    # Five connections for ten threads: the race also queues for connections, as a server would,
    # and four processes stay well inside PostgreSQL's connection limit.
    engine = make_engine(database_url, pool_size=5, max_overflow=0)
    uow = UnitOfWork(engine, FixedClock(datetime.fromisoformat(now)), bus=wire(MessageBus()))
    ready = threading.Barrier(len(case_ids) + 1)

    def run(case_id: int) -> None:
        ready.wait()
        results.put((case_id, attempt(uow, manager_name, case_id)))

    threads = [threading.Thread(target=run, args=(case_id,)) for case_id in case_ids]
    for thread in threads:
        thread.start()
    start.wait()  # every process has its threads up: go
    ready.wait()
    for thread in threads:
        thread.join()
    engine.dispose()
