"""A bounded schemathesis run over the whole JSON API, as an anonymous client, a company user and
an official: any 5xx, or a response that breaks the documented schema, fails the test.

Deterministic (Hypothesis derandomized, one test per role walking the operations in schema
order) and bounded (a few cases per operation, a few hundred per role), so it runs inside the
normal suite on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import time

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office
from tests.web.conftest import web_shokei

EXAMPLES_PER_OPERATION = 3
ROLES = ("anonymous", "supplier", "manager")
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    office = Office(uow)
    office.open_case()
    tokens = {name: accounts.issue_token(uow, office.admin, name).secret for name in ROLES[1:]}
    app = create_app(web_shokei(uow, tmp_path_factory.mktemp("fuzz") / "var"))
    yield app, tokens
    _empty_all_tables(engine)


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_no_schema_violation(world: tuple[FastAPI, dict[str, str]], role: str) -> None:
    app, tokens = world
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as is
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.monotonic()
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation is tried; all failures listed
            failures.append(f"{operation.label}: {error}"[:3000])
    slowest = sorted(timings, reverse=True)[:5]
    print(f"{role}: {calls} calls; slowest operations: {slowest}")  # noqa: T201 - shown with -s
    assert not failures, "\n\n".join(failures)
    assert calls >= 100
