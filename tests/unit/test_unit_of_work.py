"""The unit of work: the outermost `with` owns the transaction, inner ones join it; a failure that
leaves any of them rolls the whole of it back, and after-commit handlers run only once it has
committed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from shokei.errors import Conflict
from shokei.kernel.bus import Command, Event, MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork

_metadata = MetaData()
_rows = Table("rows", _metadata, Column("n", Integer, primary_key=True))


@dataclass(frozen=True)
class Added(Event):
    n: int


@pytest.fixture
def uow() -> Iterator[UnitOfWork]:
    engine = create_engine("sqlite://")  # in memory, one connection per thread: kept between blocks
    _metadata.create_all(engine)
    yield UnitOfWork(engine, bus=MessageBus())
    engine.dispose()


def _add(uow: UnitOfWork, n: int) -> None:
    with uow:
        uow.session.execute(insert(_rows).values(n=n))
        uow.publish(Added(n))


def _stored(uow: UnitOfWork) -> list[int]:
    with uow:
        return list(uow.session.execute(select(_rows.c.n).order_by(_rows.c.n)).scalars())


def test_inner_blocks_join_the_outer_transaction_and_commit_with_it(uow: UnitOfWork) -> None:
    seen: list[tuple[int, list[int]]] = []
    uow.bus.subscribe(Added, lambda u, e: seen.append((e.n, _stored(u))), phase=Phase.AFTER_COMMIT)
    with uow:
        session = uow.session
        _add(uow, 1)
        _add(uow, 2)
        assert uow.session is session  # joined, not a transaction of its own
        assert seen == []  # nothing has committed yet
    assert not uow.in_transaction
    assert seen == [(1, [1, 2]), (2, [1, 2])]  # after the commit, each seeing both rows


def test_a_failure_leaving_an_inner_block_rolls_back_the_whole_transaction(uow: UnitOfWork) -> None:
    seen: list[int] = []
    uow.bus.subscribe(Added, lambda u, e: seen.append(e.n), phase=Phase.AFTER_COMMIT)

    def add_two_then_fail() -> None:
        with uow:
            _add(uow, 1)
            with uow:
                _add(uow, 2)
                raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        add_two_then_fail()
    assert not uow.in_transaction
    assert _stored(uow) == []
    assert seen == []  # after-commit handlers never run for a rolled-back transaction


def test_an_in_transaction_handler_that_refuses_undoes_the_change(uow: UnitOfWork) -> None:
    def refuse(u: UnitOfWork, event: Added) -> None:
        if event.n == 2:
            raise ValueError("no twos")

    uow.bus.subscribe(Added, refuse, phase=Phase.IN_TRANSACTION)
    _add(uow, 1)
    with pytest.raises(ValueError, match="no twos"):
        _add(uow, 2)
    assert _stored(uow) == [1]


@dataclass(frozen=True)
class Ask(Command):
    n: int


def test_a_command_no_feature_handles_is_refused_with_its_route_or_is_a_wiring_error(uow: UnitOfWork) -> None:
    with pytest.raises(Conflict, match="use the other door"):
        uow.handle(Ask(1), unwired="use the other door")
    with pytest.raises(LookupError, match="no feature handles Ask"):
        uow.handle(Ask(1))
    uow.bus.register(Ask, lambda _uow, command: command.n * 2)
    assert uow.handle(Ask(21), unwired="unused") == 42
