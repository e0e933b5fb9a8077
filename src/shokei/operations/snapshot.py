"""A consistent copy of the database, and what that copy refers to.

SQLite: the online backup API copies every page in one step under a read transaction, so the
copy is one committed state however busy the source is. PostgreSQL: a REPEATABLE READ
transaction exports its snapshot and `pg_dump --snapshot` dumps exactly that state, while the
same transaction reads the blob ids and the ledger size the dump holds. `pg_dump` must be at
least the server's major version (an older one cannot dump a newer server faithfully).

The vault is copied after the snapshot: blobs are written before the rows that refer to them
commit and are never changed or removed while referred to, so every blob the snapshot refers to
is on disk when it is copied. Blobs written later are simply not in this backup.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from shokei.errors import N_, BadInput, ShokeiError, Text


class ToolMissing(ShokeiError):
    exit_code = 1
    title = "Backup tool unavailable"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the copied database holds: the blobs its rows refer to and the ledger's size."""

    document_blobs: list[str]
    copy_blobs: list[str]
    ledger_size: int


def read_snapshot(connection: Connection) -> Snapshot:
    documents = [row[0] for row in connection.execute(text("SELECT blob_id FROM documents ORDER BY id"))]
    copies = [row[0] for row in connection.execute(text("SELECT blob_id FROM handover_copies ORDER BY id"))]
    # Found files kept as evidence of a leak live in the copies vault too.
    copies += [row[0] for row in connection.execute(text("SELECT blob_id FROM found_files ORDER BY id"))]
    size = connection.execute(text("SELECT size FROM audit_head")).scalar()
    return Snapshot(documents, copies, int(size or 0))


def sqlite_backup(engine: Engine, destination: Path) -> Snapshot:
    source_path = engine.url.database
    if not source_path:
        raise BadInput(Text(N_("only a SQLite database in a file can be backed up")))
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # all pages in one step: one consistent state
    finally:
        target.close()
        source.close()
    os.chmod(destination, 0o600)
    copy = create_engine(f"sqlite:///{destination}")
    try:
        with copy.connect() as connection:
            return read_snapshot(connection)
    finally:
        copy.dispose()


def sqlite_restore(snapshot_file: Path, url: str) -> None:
    target = Path(make_url(url).database or "")
    if target.exists() and target.stat().st_size > 0:
        raise BadInput(
            Text(
                N_("the database file %(target)s exists: restore only into an empty place"),
                {"target": target},
            )
        )
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(snapshot_file, target)
    os.chmod(target, 0o600)


def postgres_backup(engine: Engine, destination: Path) -> Snapshot:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        _require_client(connection, "pg_dump")
        exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        with _libpq(engine.url) as (target, env):
            command = [
                "pg_dump",
                "--format=custom",
                f"--snapshot={exported}",
                f"--file={destination}",
                target,
            ]
            _run(command, env)
        snapshot = read_snapshot(connection)
        connection.rollback()
    os.chmod(destination, 0o600)
    return snapshot


def postgres_restore(dump: Path, url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            _require_client(connection, "pg_restore")
            tables = connection.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            ).scalar_one()
        if tables:
            raise BadInput(Text(N_("the target database has tables: restore only into an empty database")))
        with _libpq(engine.url) as (target, env):
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={target}",
                    str(dump),
                ],
                env,
            )
    finally:
        engine.dispose()


def _require_client(connection: Connection, tool: str) -> None:
    if shutil.which(tool) is None:
        raise ToolMissing(
            Text(
                N_("%(tool)s is not installed: install the PostgreSQL client of the server's version"),
                {"tool": tool},
            )
        )
    server = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    client = int(found.group(1)) if found else 0
    if client < server:
        raise ToolMissing(
            Text(
                N_(
                    "%(tool)s %(client)s is older than the PostgreSQL %(server)s server: "
                    "use %(tool)s %(server)s or newer"
                ),
                {"tool": tool, "client": client, "server": server},
            )
        )


@contextmanager
def _libpq(url: URL) -> Iterator[tuple[str, dict[str, str]]]:
    """A libpq connection string without the password (that goes in PGPASSWORD, not argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    yield plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    # Fixed PostgreSQL client tools; arguments are paths and a URL, never a shell.
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ShokeiError(
            Text(
                N_("%(command)s failed: %(strip)s"),
                {"command": command[0], "strip": result.stderr.strip()[-500:]},
            )
        )
