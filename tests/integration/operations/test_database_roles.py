"""`shokei db roles` applies the PostgreSQL roles of docs/deployment.md on a real server: after it,
the application role runs the use cases (rows written, the ledger appended, checkpointed and
verified) but PostgreSQL itself refuses it UPDATE, DELETE and TRUNCATE on the ledger tables and
any DDL; the owner re-applies the grants after a migration without being a superuser.

Roles are cluster-wide: the test makes its own database and uniquely named roles, and drops them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ProgrammingError

from shokei.audit import services as audit
from shokei.clock import FixedClock
from shokei.db import make_engine
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import TEST_NOW, Cli
from tests.factories import Office

LEDGER_TABLES = ("audit_entries", "audit_nodes", "audit_checkpoints", "audit_head")
INSUFFICIENT_PRIVILEGE = "42501"


def _refused(engine: Engine, statement: str) -> None:
    with pytest.raises(ProgrammingError) as refused, engine.begin() as connection:
        connection.execute(text(statement))
    assert refused.value.orig is not None
    assert getattr(refused.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, statement


@pytest.fixture
def installation(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, URL]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's (SQLite's refusal is tested below)")
    server = make_url(database_url)
    token = uuid.uuid4().hex[:10]
    name, owner, app = f"shokei_roles_{token}", f"shokei_owner_{token}", f"shokei_app_{token}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOKEI_USER", raising=False)
    urls = {
        "superuser": server.set(database=name),
        "owner": server.set(database=name, username=owner, password=None),
        "app": server.set(database=name, username=app, password=None),
    }
    try:
        yield {**urls, "names": (owner, app)}  # type: ignore[dict-item]
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{app}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


def _as(monkeypatch: pytest.MonkeyPatch, url: URL) -> None:
    monkeypatch.setenv("SHOKEI_DATABASE_URL", url.render_as_string(hide_password=False))


def test_the_application_role_runs_the_service_and_cannot_rewrite_the_ledger_or_change_the_schema(
    installation: dict[str, URL], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, app = installation["names"]  # type: ignore[misc]
    cli = Cli()
    _as(monkeypatch, installation["superuser"])
    assert cli("init").exit_code == 0

    printed = cli("db", "roles", "--owner", owner, "--app", app, "--print", "--json").json()
    assert isinstance(printed, dict)
    assert printed["applied"] is False
    assert f'CREATE ROLE "{app}" LOGIN' in printed["statements"]
    superuser = create_engine(installation["superuser"])
    with superuser.connect() as connection:  # --print changed nothing
        assert connection.execute(text(f"SELECT 1 FROM pg_roles WHERE rolname = '{app}'")).first() is None

    applied = cli("db", "roles", "--owner", owner, "--app", app, "--json").json()
    assert isinstance(applied, dict)
    assert applied["applied"] is True
    assert applied["statements"] == printed["statements"]

    with superuser.connect() as connection:  # what PostgreSQL itself now says
        owners = set(
            connection.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars()
        )
        assert owners == {owner}
        for table in LEDGER_TABLES:
            for privilege, expected in (
                ("SELECT", True),
                ("INSERT", True),
                ("DELETE", False),
                ("TRUNCATE", False),
            ):
                held = connection.execute(
                    text("SELECT has_table_privilege(:role, :table, :privilege)"),
                    {"role": app, "table": table, "privilege": privilege},
                ).scalar()
                assert held is expected, (table, privilege)
            update = connection.execute(
                text("SELECT has_table_privilege(:role, :table, 'UPDATE')"), {"role": app, "table": table}
            ).scalar()
            assert update is (table == "audit_head"), table
        assert not connection.execute(
            text("SELECT has_schema_privilege(:role, 'public', 'CREATE')"), {"role": app}
        ).scalar()
    superuser.dispose()

    # The service as the application role: use cases write rows and append to the ledger.
    app_engine = make_engine(installation["app"].render_as_string(hide_password=False))
    office = Office(UnitOfWork(app_engine, FixedClock(TEST_NOW)))
    case = office.open_case(documents=1)
    office.to_under_examination(case.id)
    with app_engine.begin() as connection:
        assert connection.execute(text("UPDATE companies SET name = name")).rowcount >= 2
    _as(monkeypatch, installation["app"])
    assert cli("audit", "checkpoint", "--as", "auditor", "--json").exit_code == 0
    verified = cli("audit", "verify", "--as", "auditor", "--json").json()
    assert isinstance(verified, dict)
    assert verified["ok"] is True
    assert verified["size"] > 5

    # ...and PostgreSQL refuses it every rewrite of the ledger and every change of the schema.
    for table, rewrite in (
        ("audit_entries", "UPDATE audit_entries SET actor_name = 'someone else'"),
        ("audit_nodes", "UPDATE audit_nodes SET hash = hash"),
        ("audit_checkpoints", "UPDATE audit_checkpoints SET note = ''"),
    ):
        _refused(app_engine, rewrite)
        _refused(app_engine, f"DELETE FROM {table}")
        _refused(app_engine, f"TRUNCATE {table}")
    _refused(app_engine, "DELETE FROM audit_head")
    _refused(app_engine, "CREATE TABLE shadow_ledger (id integer)")
    _refused(app_engine, "CREATE TEMPORARY TABLE scratch_ledger (id integer)")
    _refused(app_engine, "ALTER TABLE companies ADD COLUMN note text")
    _refused(app_engine, "DROP TABLE audit_checkpoints")
    _refused(app_engine, "UPDATE alembic_version SET version_num = version_num")
    app_engine.dispose()

    # After a migration the owner (no superuser) applies the grants again: nothing to create.
    _as(monkeypatch, installation["owner"])
    again = cli("db", "roles", "--owner", owner, "--app", app, "--json").json()
    assert isinstance(again, dict)
    assert not [s for s in again["statements"] if s.startswith(("CREATE ROLE", "ALTER"))]
    _as(monkeypatch, installation["app"])
    assert cli("audit", "verify", "--as", "auditor", "--json").exit_code == 0


def test_roles_on_sqlite_are_refused_as_bad_input(cli: Cli, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL case is tested above")
    assert cli("init").exit_code == 0
    refused = cli("db", "roles", "--owner", "shokei_owner", "--app", "shokei_app")
    assert refused.exit_code == 2
    assert "PostgreSQL" in refused.stderr


def test_the_ledger_tables_the_roles_protect_are_the_audit_features() -> None:
    assert set(audit.LEDGER_TABLE_PRIVILEGES) == set(LEDGER_TABLES)
