"""Alembic environment: runs against the connection or URL that shokei.migrate hands over."""

from __future__ import annotations

from alembic import context

from shokei.all_models import metadata
from shokei.db import make_engine

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


# Search structures built by raw SQL in migrations (FTS5 virtual tables, trigram indexes): not models.
_UNMODELLED_PREFIXES = ("document_search", "ix_document_texts_body_trgm")


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and name is not None and name.startswith(_UNMODELLED_PREFIXES))


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
