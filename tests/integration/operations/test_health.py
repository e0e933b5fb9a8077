"""/healthz and /readyz, and the API during a database outage: 503 Problem Details, then on its
own again once the database is back. The outage is real: on PostgreSQL the test's own database
stops taking connections and its sessions are terminated; on SQLite the database file is
replaced by something that cannot be opened (the tests run as root, so a mode change would not)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.db import make_engine
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.migrate import upgrade_to_head
from shokei.settings import Settings

ALL_OK = {"database": "ok", "vault": "ok", "migrations": "ok"}


@contextmanager
def _sqlite_database(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    path = tmp_path / "outage.db"
    moved = tmp_path / "outage.db.away"

    def down() -> None:
        os.replace(path, moved)
        path.mkdir()  # "unable to open database file" for every new connection

    def up() -> None:
        path.rmdir()
        os.replace(moved, path)

    yield f"sqlite:///{path}", down, up


@contextmanager
def _postgres_database(server_url: str) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    server = make_url(server_url).set(database="postgres")
    name = f"shokei_outage_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")

    def run(statement: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(statement))

    def down() -> None:
        run(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        run(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    def up() -> None:
        run(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')

    run(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False), down, up
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_readyz_and_the_api_answer_503_during_a_database_outage_and_recover(
    database_url: str, tmp_path: Path
) -> None:
    postgres = database_url.startswith("postgresql")
    place = _postgres_database(database_url) if postgres else _sqlite_database(tmp_path)
    with place as (url, down, up):
        engine = make_engine(url)
        upgrade_to_head(engine)
        shokei = Shokei(Settings(data_dir=tmp_path / "var", database_url=url), UnitOfWork(engine))
        shokei.keyless_vaults  # noqa: B018 - makes the vault's folders, as `shokei init` would
        bogus = {"Authorization": "Bearer not-a-token"}
        with TestClient(create_app(shokei)) as client:
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert (ready.status_code, ready.json()) == (200, ALL_OK)
            assert client.get("/api/v1/cases", headers=bogus).status_code == 401  # the database answered

            down()
            if not postgres:
                engine.dispose()  # open SQLite connections keep the old file; new ones meet the outage
            assert client.get("/healthz").status_code == 200  # alive, if not ready
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.headers["retry-after"] == "5"
            checks = ready.json()
            assert set(checks) == {"database", "vault", "migrations"}
            assert checks["database"].startswith("unreachable: ")
            assert checks["vault"] == "ok"
            assert checks["migrations"] == "unknown: the database is unreachable"
            for _ in range(3):  # every request, not only the first after the outage
                refused = client.get("/api/v1/cases", headers=bogus)
                assert refused.status_code == 503
                assert refused.headers["content-type"] == "application/problem+json"
                assert refused.json()["title"] == "Database unavailable"

            up()
            ready = client.get("/readyz")
            assert (ready.status_code, ready.json()) == (200, ALL_OK)
            assert client.get("/api/v1/cases", headers=bogus).status_code == 401
        engine.dispose()


def test_readyz_says_which_check_failed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated
    shokei = Shokei(Settings(data_dir=tmp_path / "var"), UnitOfWork(engine))
    with TestClient(create_app(shokei)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("at none, head is ")
    assert checks["vault"].startswith("not writable: ")  # no vault folder: not initialised
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOKEI_DATABASE_URL", raising=False)
