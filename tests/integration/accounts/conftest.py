from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from shokei.accounts import services as accounts
from shokei.documents.vault import KeyringSealer, MasterKeyring, create_master_key


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about who may do what, not about argon2's cost."""
    monkeypatch.setattr(
        accounts.records, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def sealer(tmp_path: Path) -> KeyringSealer:
    """The installation's sealer, as `Shokei.sealer` builds it: a real master key in a 0600 file."""
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    create_master_key(keys / "master.key")
    return KeyringSealer(MasterKeyring.from_directory(keys))
