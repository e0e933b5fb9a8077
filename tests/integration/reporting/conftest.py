from __future__ import annotations

import pytest

from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.examination.conftest import quick_password_hashing
from tests.integration.examination.flow import Desk

__all__ = ["quick_password_hashing"]  # autouse here too


@pytest.fixture
def desk(uow: UnitOfWork) -> Desk:
    return Desk(uow)
