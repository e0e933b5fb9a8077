"""PostgreSQL sessions killed (`pg_terminate_backend`) while requests run: every answer is a
200 or a clean 503 Problem Details, never a 500, and the service serves again at once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from tests.factories import Office

CLIENTS = 4
REQUESTS = 40
KILLS = 15


def test_killed_connections_under_load_give_503_not_500(
    uow: UnitOfWork, database_url: str, tmp_path: object
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    office = Office(uow)
    token = {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, 'intake').secret}"}
    case = office.open_case(documents=0)
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    shokei = Shokei(Settings(data_dir=tmp_path / "var"), uow)  # type: ignore[operator]
    statuses: Counter[int] = Counter()
    bodies: list[str] = []
    lock = threading.Lock()
    with TestClient(create_app(shokei)) as client:

        def load() -> None:
            for _ in range(REQUESTS):
                response = client.get(f"/api/v1/cases/{case.id}/documents/files", headers=token)
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code not in (200, 503):
                        bodies.append(response.text)

        workers = [threading.Thread(target=load) for _ in range(CLIENTS)]
        for worker in workers:
            worker.start()
        killed = 0
        with admin.connect() as connection:
            while any(worker.is_alive() for worker in workers) and killed < KILLS:
                killed += connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": url.database},
                ).scalar_one()
        for worker in workers:
            worker.join(timeout=120)
        after = client.get(f"/api/v1/cases/{case.id}/documents/files", headers=token)
    admin.dispose()
    assert bodies == []  # no 500s, nor anything else unexpected
    assert set(statuses) <= {200, 503}
    assert sum(statuses.values()) == CLIENTS * REQUESTS
    assert killed > 0, "no session was killed: the test did not test anything"
    assert after.status_code == 200  # recovered without a restart
