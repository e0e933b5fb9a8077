"""Set-up shared by the integration tests of more than one feature: an installation over the test
database (`shokei`), and a copy of a real file released to the office's successor and downloaded
(`released_copy`), as the leak tests of succession and incidents start from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shokei.bootstrap import Shokei
from shokei.documents.vault import create_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from shokei.succession import services as succession
from shokei.succession.schemas import CopyView
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible

ReleaseCopy = Callable[[Office, Shokei, Path, Path], CopyView]


@pytest.fixture
def shokei(uow: UnitOfWork, tmp_path: Path) -> Shokei:
    settings = Settings(data_dir=tmp_path / "var")
    settings.keys_dir.mkdir(parents=True, mode=0o700)
    create_master_key(settings.master_key_path)
    return Shokei(settings, uow)


@pytest.fixture
def released_copy(uow: UnitOfWork) -> ReleaseCopy:
    """`released_copy(office, shokei, source, out)`: a case holding `source` goes to the office's
    (made eligible) successor, which accepts the terms; its one copy is released and downloaded
    to `out`."""

    def release(office: Office, shokei: Shokei, source: Path, out: Path) -> CopyView:
        make_eligible(uow, office, office.successor_company)
        case_id = case_with_documents(uow, office, shokei.vaults.documents, shokei.scratch_dir, source)
        number = office.successor_company.corporate_number or ""
        succession.select_successor(uow, office.manager, case_id, number, reason="最適")
        succession.accept_terms(uow, office.successor, case_id)
        [copy] = succession.release_copies(
            uow,
            shokei.vaults.documents,
            office.manager,
            case_id,
            copies=shokei.vaults.copies,
            scratch_dir=shokei.scratch_dir,
            key=shokei.handover_signing_key,
            code_key=shokei.copy_code_key,
        )
        succession.download_copy(uow, shokei.vaults.copies, office.successor, copy.copy_id, out)
        return copy

    return release
