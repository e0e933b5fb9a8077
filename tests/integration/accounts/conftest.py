from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from shokei.accounts import services as accounts


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about who may do what, not about argon2's cost."""
    monkeypatch.setattr(
        accounts.records, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
