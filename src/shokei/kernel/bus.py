"""Domain events and the in-process message bus that carries reactions between features.

A use case records what happened (`uow.publish(CaseMoved(...))`); features that care subscribe
a handler once, at start-up, through the feature manifest. This is how a feature reacts to
another without importing it: the publisher knows nothing of its subscribers.

Two moments, as in the cosmicpython bus:
- `Phase.IN_TRANSACTION`: the handler runs at once, inside the publishing transaction, with the
  same unit of work. Use it for invariants: if the handler refuses, the whole change rolls back.
- `Phase.AFTER_COMMIT`: the handler runs once the outermost transaction has committed (and never
  if it rolled back), each in a transaction of its own. Use it for notifications; a failing
  handler is logged and does not undo what was committed.

Commands (a request with exactly one handler, such as a case move owned by another feature)
go through `handle`, which returns the handler's result.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class Event:
    """Base of every domain event: an immutable record of something that happened."""

    __slots__ = ()


class Command:
    """Base of every command: a request one feature asks another to carry out."""

    __slots__ = ()


class Phase(StrEnum):
    IN_TRANSACTION = "in_transaction"
    AFTER_COMMIT = "after_commit"


# A handler takes the unit of work (shokei.kernel.unit_of_work, which imports this module) and
# the message.
Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True, slots=True)
class _Subscription:
    handler: Handler
    phase: Phase


class MessageBus:
    """Who handles which event or command. Filled once at start-up (`shokei.manifest.wire`)."""

    def __init__(self) -> None:
        self._subscriptions: dict[type[Event], list[_Subscription]] = defaultdict(list)
        self._commands: dict[type[Command], Handler] = {}
        self._deferred: list[Callable[[MessageBus], None]] = []
        self._settled = True  # no deferred subscriptions left to run
        self._wiring: int | None = None  # the thread running them
        self._lock = threading.Lock()

    def defer(self, subscribe: Callable[[MessageBus], None]) -> None:
        """Run `subscribe(bus)` when the bus is first asked who handles something, not now: a
        process that never publishes (a read-only command, `--help`) never imports the handlers'
        features. Every lookup below runs the deferred subscriptions first, once."""
        with self._lock:
            self._deferred.append(subscribe)
            self._settled = False

    def _subscribed(self) -> None:
        if self._settled or self._wiring == threading.get_ident():
            return
        with self._lock:  # one thread subscribes; the others wait for the whole wiring
            self._wiring = threading.get_ident()
            try:
                while self._deferred:
                    self._deferred[0](self)
                    self._deferred.pop(0)  # kept until it succeeds: a failure is raised again
                self._settled = True
            finally:
                self._wiring = None

    def subscribe(self, event_type: type[Event], handler: Handler, *, phase: Phase) -> None:
        subscription = _Subscription(handler, phase)
        if subscription not in self._subscriptions[event_type]:
            self._subscriptions[event_type].append(subscription)

    def register(self, command_type: type[Command], handler: Handler) -> None:
        """The one handler of a command; registering a different one is a wiring mistake."""
        existing = self._commands.get(command_type)
        if existing is not None and existing is not handler:
            raise RuntimeError(f"{command_type.__name__} already has a handler")
        self._commands[command_type] = handler

    def handles(self, command_type: type[Command]) -> bool:
        self._subscribed()
        return command_type in self._commands

    def handle(self, uow: Any, command: Command) -> Any:
        self._subscribed()
        handler = self._commands.get(type(command))
        if handler is None:
            raise LookupError(f"no feature handles {type(command).__name__}")
        return handler(uow, command)

    def handlers(self, event: Event, phase: Phase) -> list[Handler]:
        self._subscribed()
        return [
            s.handler
            for kind in type(event).__mro__
            for s in self._subscriptions.get(kind, ())
            if s.phase is phase
        ]

    def has_subscribers(self, event_type: type[Event], phase: Phase) -> bool:
        self._subscribed()
        return any(s.phase is phase for s in self._subscriptions.get(event_type, ()))

    def dispatch_after_commit(self, uow: Any, events: list[Event]) -> None:
        for event in events:
            for handler in self.handlers(event, Phase.AFTER_COMMIT):
                try:
                    handler(uow, event)
                except Exception:
                    # A notification must never undo (or hide) a committed change.
                    log.exception("after-commit handler %s failed for %r", handler, event)


# The bus every unit of work uses unless given another: the composition root wires the features'
# handlers into it once per process (`shokei.manifest.wire()`).
default_bus = MessageBus()
