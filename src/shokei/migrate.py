"""Schema management through Alembic: the only way tables are created, for users and tests alike.

Checking that a database is at the current schema (every command does, before its work) needs no
Alembic: the revision a database is at is one row of `alembic_version`, and the head is read from
the migration files' `revision` / `down_revision` lines. Alembic (and Mako with it) is imported
only to upgrade.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"
# The module-level `revision = "0026"` and `down_revision = "0025"` (or None) of a migration file.
_REVISION = re.compile(r"""^revision(?:\s*:[^=]*)?\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision(?:\s*:[^=]*)?\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - only upgrades pay for Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command  # noqa: PLC0415 - only upgrades pay for Alembic

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never upgraded), as Alembic records it."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(revisions) > 1:
        raise RuntimeError(f"the database is at several heads ({', '.join(sorted(revisions))})")
    return revisions[0] if revisions else None


def head_revision(engine: Engine | None = None) -> str | None:
    """The latest revision of the migration files (the one no other revises)."""
    return _head_of(tuple(sorted(VERSIONS_DIR.glob("*.py"))))


@cache
def _head_of(files: tuple[Path, ...]) -> str | None:
    revisions: dict[str, str | None] = {}
    for path in files:
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is not None:
            revisions[revision.group(1)] = down.group(1) if down is not None else None
    revised = set(revisions.values())
    heads = sorted(revision for revision in revisions if revision not in revised)
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None
