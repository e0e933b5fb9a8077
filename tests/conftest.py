"""Test wiring: a real database (SQLite, or PostgreSQL with SHOKEI_TEST_DATABASE=postgresql) built
by the Alembic migrations, emptied after every test that used it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from shokei.all_models import metadata
from shokei.clock import FixedClock
from shokei.db import make_engine
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.migrate import upgrade_to_head
from tests import real_files as real_files_folder
from tests import samples

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_FIXTURES = {"database_url", "engine", "uow", "cli_env", "api"}
# 2026-06-01 09:00 JST: inside FY2026, a fixed "now" so deadlines are reproducible.
TEST_NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)

# Every unit of work a test builds uses the default bus: wire the features' handlers into it once,
# as the composition root does at start-up.
wire()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if DB_FIXTURES & fixtures:
            item.add_marker(pytest.mark.db)
        if "real_files" in fixtures:
            item.add_marker(pytest.mark.real_files)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: a real-file test without the folder skips without building a database.
    if item.get_closest_marker(real_files_folder.MARKER):
        real_files_folder.real_files_dir()


_skipped_real_file_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and real_files_folder.MARKER in report.keywords:
        _skipped_real_file_tests.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # CI has the folder: there, a real-file test skipped for whatever reason is a lost test.
    if real_files_folder.required() and _skipped_real_file_tests and exitstatus == pytest.ExitCode.OK:
        listed = "\n  ".join(_skipped_real_file_tests)
        session.config.get_terminal_writer().line(
            f"\n{real_files_folder.REQUIRE_VARIABLE} is set and these real-file tests were skipped:"
            f"\n  {listed}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _backend() -> str:
    return os.environ.get("SHOKEI_TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _backend() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    server = make_url(os.environ.get("SHOKEI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"shokei_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.exit(f"PostgreSQL tests requested but the server is unreachable: {error}", returncode=3)
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


_migrated_tables_of: dict[int, list[str]] = {}


def _migrated_tables(engine: Engine) -> list[str]:
    """The metadata's tables that the migrations built, children first (the delete order); read
    once per engine: reflecting the schema costs a round trip per table on PostgreSQL."""
    key = id(engine)
    if key not in _migrated_tables_of:
        # Only tables the migrations built: a model whose migration is still being written must
        # not break every other test's teardown (test_migrations reports the drift instead).
        existing = set(inspect(engine).get_table_names())
        _migrated_tables_of[key] = [t.name for t in reversed(metadata.sorted_tables) if t.name in existing]
    return _migrated_tables_of[key]


# The sequences (serial and identity columns) owned by the named tables, back to their start
# (TRUNCATE ... RESTART IDENTITY's reset).
_RESTART_SEQUENCES = text(
    "SELECT setval(seq.oid::regclass, 1, false) FROM pg_class seq "
    "JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass "
    "JOIN pg_class tab ON dep.refobjid = tab.oid "
    "WHERE seq.relkind = 'S' AND tab.relname = ANY(:names)"
)


def _empty_all_tables(engine: Engine) -> None:
    tables = _migrated_tables(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # TRUNCATE of every table costs seconds per test (new files for each table and index);
            # a test fills a handful, so find those in one round trip and delete their rows.
            probe = " UNION ALL ".join(
                f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
            )
            filled = {row[0] for row in conn.execute(text(probe))}
            for name in tables:
                if name in filled:
                    conn.execute(text(f'DELETE FROM "{name}"'))
            # Every table's ids restart, as TRUNCATE's did: a row added and removed within a test
            # leaves its table empty but its sequence moved on.
            conn.execute(_RESTART_SEQUENCES, {"names": tables})
        else:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def uow(engine: Engine, clock: FixedClock) -> Iterator[UnitOfWork]:
    yield UnitOfWork(engine, clock)
    _empty_all_tables(engine)


@pytest.fixture(scope="session")
def real_files() -> Path:
    """The real public sample files (tests/README.md); skips the test when they are absent."""
    return real_files_folder.real_files_dir()


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of generated files, one per format and variant (tests/samples.py); read-only."""
    directory = tmp_path_factory.mktemp("samples")
    samples.write_standard_set(directory)
    return directory


class CliResult:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def json(self) -> object:
        import json

        assert self.exit_code == 0, self.stderr
        return json.loads(self.stdout)


class Cli:
    """Runs `shokei ...` in-process against the test database, like a shell would."""

    def __init__(self) -> None:
        from typer.testing import CliRunner

        from shokei.cli import app

        self.app, self.runner = app, CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        result = self.runner.invoke(self.app, list(args), input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli_env(uow: UnitOfWork, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOKEI_DATABASE_URL", database_url)
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOKEI_USER", raising=False)
    return tmp_path / "var"


@pytest.fixture
def cli(cli_env: Path) -> Cli:
    return Cli()


@pytest.fixture
def api(uow: UnitOfWork, tmp_path: Path) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from shokei.app import create_app
    from shokei.bootstrap import Shokei
    from shokei.settings import Settings

    app = create_app(Shokei(Settings(data_dir=tmp_path / "var"), uow))
    with TestClient(app) as client:
        yield client
