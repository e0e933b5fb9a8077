"""The unit of work: one transaction per use case, joined by every use case it calls.

    with uow:                      # opens a transaction, or joins the one already open
        case = uow.session.get(...)
        uow.record("case:status:change", "case", case.id, actor, before=..., after=...)
        uow.record_many([event, *more])  # audit events built beforehand, appended in order
        uow.publish(CaseMoved(...))

The outermost `with` commits (or rolls back) and only then runs the after-commit handlers of the
events published inside it. A concurrent change of a versioned row (SQLAlchemy's
`StaleDataError`) becomes `Conflict` once, at that outermost exit. So a use case is callable
alike from an adapter (it opens the transaction) and from another feature's use case (it joins
it): there are no "_in" twins that take the caller's session. A joined block has no rollback of
its own: an exception leaving it rolls back the whole transaction only if it propagates out of the
outermost `with`; a caller that catches it and carries on commits whatever the failed block had
written (wrap such a call in `uow.session.begin_nested()` to undo just that part).

`transaction()` is the same thing yielding the session, for code that reads better that way.
The open transaction is per execution context (thread or task), so one unit of work serves
concurrent requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from shokei.clock import Clock, SystemClock
from shokei.errors import N_, Conflict, Text
from shokei.kernel.actors import Actor
from shokei.kernel.bus import Command, Event, MessageBus, Phase, default_bus
from shokei.kernel.ledger import AuditBatch, AuditEvent

_CONCURRENT_CHANGE = Text(N_("the record was changed by someone else at the same time; reload and retry"))


@dataclass
class _Open:
    session: Session
    depth: int = 1
    events: list[Event] = field(default_factory=list)


class UnitOfWork:
    """A session factory plus the ports every use case needs (clock, ledger config, bus)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        ledger: object | None = None,
        bus: MessageBus | None = None,
        *,
        ledger_source: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        # audit.domain.LedgerConfig (keys, checkpoint policy), or `ledger_source` that reads it
        # when an entry is first appended: a command that only reads never loads the ledger's
        # code and keys. Sessions carry `ledger_of` to the ledger.
        self._ledger = ledger
        self._ledger_source = ledger_source
        self.bus = bus or default_bus
        self._sessions = sessionmaker(engine, expire_on_commit=False, info={"ledger_of": self.ledger_of})
        self._open: ContextVar[_Open | None] = ContextVar(f"uow-{id(self)}", default=None)

    @property
    def ledger(self) -> object | None:
        return self.ledger_of()

    def ledger_of(self) -> object | None:
        if self._ledger is None and self._ledger_source is not None:
            self._ledger, self._ledger_source = self._ledger_source(), None
        return self._ledger

    # -- the transaction --------------------------------------------------------------------

    def __enter__(self) -> UnitOfWork:
        current = self._open.get()
        if current is not None:
            current.depth += 1
            return self
        session = self._sessions()
        session.begin()
        self._open.set(_Open(session))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        current = self._open.get()
        assert current is not None, "unit of work exited more often than entered"
        current.depth -= 1
        if current.depth:
            return
        self._open.set(None)
        try:
            self._finish(current.session, failed=kind is not None)
        except StaleDataError:
            raise Conflict(_CONCURRENT_CHANGE) from None
        if kind is StaleDataError:
            raise Conflict(_CONCURRENT_CHANGE) from error
        if kind is None:
            self.bus.dispatch_after_commit(self, current.events)

    @staticmethod
    def _finish(session: Session, *, failed: bool) -> None:
        try:
            if failed:
                session.rollback()
            else:
                session.commit()
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self:
            yield self.session

    @property
    def session(self) -> Session:
        current = self._open.get()
        if current is None:
            raise RuntimeError("no transaction is open: use `with uow:` first")
        return current.session

    @property
    def in_transaction(self) -> bool:
        return self._open.get() is not None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- what a use case leaves behind --------------------------------------------------------

    def record(
        self,
        action: str,
        subject_type: str,
        subject_id: object,
        actor: Actor | None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event to the ledger in this transaction (the audit feature writes it)."""
        event = AuditEvent(
            action, subject_type, str(subject_id), self.clock.now(), actor, before, after, details or {}
        )
        self._require_ledger(AuditEvent)
        self._run_in_transaction(event)

    def record_many(self, events: Iterable[AuditEvent]) -> None:
        """Append audit events built by the use case (in order, one append) in this transaction."""
        batch = AuditBatch(tuple(events))
        if not batch.events:
            return
        self._require_ledger(AuditBatch)
        self._run_in_transaction(batch)

    def _require_ledger(self, kind: type[AuditEvent] | type[AuditBatch]) -> None:
        if not self.bus.has_subscribers(kind, Phase.IN_TRANSACTION):
            raise RuntimeError("the ledger is not wired: call shokei.manifest.wire() at start-up")

    def publish(self, event: Event) -> None:
        """Run the event's in-transaction handlers now and its after-commit handlers after commit."""
        current = self._open.get()
        if current is None:
            raise RuntimeError("events are published inside a transaction")
        self._run_in_transaction(event)
        current.events.append(event)

    def handle(self, command: Command, *, unwired: Text | None = None) -> Any:
        """Ask the feature that owns `command` to carry it out (in this transaction if one is open).

        `unwired` is the refusal (Conflict) when no feature handles it here, e.g. where to make the
        request instead; without it, a missing handler is a wiring mistake (LookupError)."""
        if unwired is not None and not self.bus.handles(type(command)):
            raise Conflict(unwired)
        return self.bus.handle(self, command)

    def _run_in_transaction(self, event: Any) -> None:
        for handler in self.bus.handlers(event, Phase.IN_TRANSACTION):
            handler(self, event)
