"""The risk tests act as the same officials as the ownership tests."""

from __future__ import annotations

import pytest

from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.ownership.conftest import Office


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)
