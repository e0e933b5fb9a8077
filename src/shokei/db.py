"""Database wiring: one declarative Base, engines tuned per backend, and the unit of work.

SQLite is the embedded default: foreign keys on, WAL, a busy timeout, and every transaction
opened with BEGIN IMMEDIATE so writers queue instead of failing half-way. PostgreSQL is production.
The unit of work every use case runs in is the kernel's (`shokei.kernel.unit_of_work`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, but INTEGER on SQLite so it stays the rowid alias (autoincrement).
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


class _JsonDocument(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL (what `JSON().with_variant(JSONB(), "postgresql")`
    declares), with SQLAlchemy's PostgreSQL dialect imported only when the database is
    PostgreSQL: declaring the variant loaded it in every command, ≈ 10 % of a `case show` on
    SQLite. The migrations declare the same types (tests/integration/test_migrations.py compares)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB  # noqa: PLC0415 - see the docstring

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


JsonDoc = _JsonDocument()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_unless_present(session: Session, model: type[Base], **values: Any) -> None:
    """Insert a row unless its key is taken. Two transactions creating one row at once: the
    second insert waits for the first to commit and then does nothing (no IntegrityError)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 - only on PostgreSQL (_JsonDocument)

        session.execute(insert(model).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)
