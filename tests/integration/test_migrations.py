"""The schema users get is the one Alembic builds, and the models never drift from it."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from shokei.all_models import metadata
from shokei.migrate import alembic_config, current_revision, head_revision


def test_database_is_at_head_and_models_match_migrations(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.check(config)  # raises when autogenerate would find a difference
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_the_schema_check_reads_the_revisions_alembic_does(engine: Engine) -> None:
    """Every command checks the schema without importing Alembic: the head read from the
    migration files and the revision read from the database must be Alembic's own."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        assert current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
