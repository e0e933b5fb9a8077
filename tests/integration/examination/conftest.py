from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from shokei.accounts import services as accounts
from shokei.examination.policies import SHIPPED_POLICY
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.examination.flow import Desk

SHIPPED = Path(__file__).resolve().parents[3] / "src" / "shokei" / "examination" / "policy" / SHIPPED_POLICY

PolicyWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """At production cost Argon2 makes every factory user cost ~0.3 s (8 per office); these tests
    are not about passwords, so they hash at the algorithm's minimum cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts.records, "_hasher", cheap)


@pytest.fixture
def desk(uow: UnitOfWork) -> Desk:
    return Desk(uow)


@pytest.fixture
def use_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PolicyWriter:
    """Put a policy file in force: the shipped text with some lines replaced."""

    def write(*replacements: tuple[str, str], name: str = "policy.toml") -> Path:
        text = SHIPPED.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("SHOKEI_EXAMINATION_POLICY", str(path))
        return path

    return write
