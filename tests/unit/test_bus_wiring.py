"""The bus runs deferred subscriptions once, at the first lookup, before answering it: a process
that publishes nothing never imports the handlers' features, and one that does sees them all."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest

from shokei.kernel.bus import Command, Event, MessageBus, Phase
from shokei.manifest import wire


@dataclass(frozen=True)
class Happened(Event):
    pass


@dataclass(frozen=True)
class DoIt(Command):
    pass


def _handler(uow: object, message: object) -> str:
    return "done"


def test_deferred_subscriptions_run_once_at_the_first_lookup() -> None:
    bus, calls = MessageBus(), []

    def subscribe(bus: MessageBus) -> None:
        calls.append(1)
        bus.subscribe(Happened, _handler, phase=Phase.IN_TRANSACTION)
        bus.register(DoIt, _handler)

    bus.defer(subscribe)
    assert calls == []
    assert bus.handlers(Happened(), Phase.IN_TRANSACTION) == [_handler]
    assert bus.has_subscribers(Happened, Phase.IN_TRANSACTION)
    assert bus.handles(DoIt)
    assert bus.handle(None, DoIt()) == "done"
    assert calls == [1]


def test_a_failed_subscription_is_raised_again_at_the_next_lookup() -> None:
    bus, attempts = MessageBus(), []

    def subscribe(bus: MessageBus) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ImportError("broken handler module")
        bus.register(DoIt, _handler)

    bus.defer(subscribe)
    with pytest.raises(ImportError):
        bus.handles(DoIt)
    assert bus.handles(DoIt)
    assert attempts == [1, 1]


def test_other_threads_wait_for_the_whole_wiring() -> None:
    bus, seen = MessageBus(), []

    def subscribe(bus: MessageBus) -> None:
        bus.subscribe(Happened, _handler, phase=Phase.AFTER_COMMIT)
        time.sleep(0.05)  # a slow import, with the first subscription already in place
        bus.register(DoIt, _handler)

    bus.defer(subscribe)
    threads = [threading.Thread(target=lambda: seen.append(bus.handles(DoIt))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * 4


def test_wire_gives_a_fresh_bus_every_feature_handler_on_first_use() -> None:
    from shokei.cases.domain import DetermineCase
    from shokei.kernel import AuditEvent

    bus = wire(MessageBus())
    assert bus.has_subscribers(AuditEvent, Phase.IN_TRANSACTION)  # the ledger
    assert bus.handles(DetermineCase)  # examination's
