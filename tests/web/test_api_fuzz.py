"""A bounded schemathesis run over the whole JSON API, as an anonymous client, a company user and
an official: any 5xx, or a response that breaks the documented schema, fails the test.

Deterministic (Hypothesis derandomized; the roles, then the operations, walked in schema order)
and bounded (a few cases per operation, a few hundred per role), so it runs inside the normal
suite on both databases."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office

EXAMPLES_PER_OPERATION = 3
ROLES = ("anonymous", "supplier", "manager")
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def world(uow: UnitOfWork, app: FastAPI) -> tuple[FastAPI, dict[str, str]]:
    office = Office(uow)
    office.open_case()
    tokens = {name: accounts.issue_token(uow, office.admin, name).secret for name in ROLES[1:]}
    return app, tokens


def test_no_server_error_and_no_schema_violation_for_any_role(world: tuple[FastAPI, dict[str, str]]) -> None:
    # One test walks the roles in turn (not one per role): the data they share lives exactly as
    # long as the test, whichever worker runs it.
    app, tokens = world
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        failures += _run_as(schema, role, headers)
    assert not failures, "\n\n".join(failures)


def _run_as(schema: Any, role: str, headers: dict[str, str]) -> list[str]:
    """Every operation, a few generated cases each, as one role: the failures found."""
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as is
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.monotonic()
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation is tried; all failures listed
            failures.append(f"{role} {operation.label}: {error}"[:3000])
        timings.append((round(time.monotonic() - started, 2), operation.label))
    print(f"{role}: {calls} calls; slowest operations: {sorted(timings, reverse=True)[:5]}")
    assert calls >= 100  # the run did cover the API
    return failures
