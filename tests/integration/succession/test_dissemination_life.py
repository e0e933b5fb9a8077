"""A dissemination request finishes its life (issue 15): rejected with a reason, or approved and
then accepted by the subcontractor's user before its copy can be downloaded."""

from __future__ import annotations

from pathlib import Path

from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import Cli
from tests.integration.succession.conftest import make_eligible
from tests.integration.succession.test_recall_cli import _released


def test_reject_then_approve_accept_and_download(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path
) -> None:
    office, _case, (first, _second) = _released(uow, cli, sample_files)
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    sub_number = sub.corporate_number or ""
    factories.user(uow, Role.SUCCESSOR, sub_number, "sub")

    def ask(purpose: str) -> str:
        made = cli(
            "handover",
            "disseminate",
            first,
            "--to",
            sub_number,
            "--purpose",
            purpose,
            "--as",
            "successor",
            "--json",
        ).json()
        return str(made["id"])  # type: ignore[index]

    first_request = ask("試作")
    assert (
        cli("handover", "reject-dissemination", first_request, "--reason", "x", "--as", "successor").exit_code
        == 3
    )
    rejected = cli(
        "handover",
        "reject-dissemination",
        first_request,
        "--reason",
        "目的が不明確",
        "--as",
        "manager",
        "--json",
    ).json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "目的が不明確")  # type: ignore[index]
    assert cli("handover", "approve-dissemination", first_request, "--as", "manager").exit_code == 4
    assert cli("handover", "accept-dissemination", first_request, "--as", "sub").exit_code == 4

    second_request = ask("治具の製作")
    assert (
        cli("handover", "accept-dissemination", second_request, "--as", "sub").exit_code == 4
    )  # not approved
    approved = cli("handover", "approve-dissemination", second_request, "--as", "manager", "--json").json()
    sub_copy = approved["copy_id"]  # type: ignore[index]
    assert approved["parent_copy_id"] == first  # type: ignore[index]
    assert sub_copy != first
    out = tmp_path / "sub.pdf"
    assert cli("handover", "download", sub_copy, "--out", str(out), "--as", "sub").exit_code == 4
    assert (
        cli("handover", "accept-dissemination", second_request, "--as", "successor").exit_code == 3
    )  # not its
    assert (
        cli("handover", "accept-dissemination", second_request, "--as", "sub", "--json").json()["status"]
        == "accepted"
    )  # type: ignore[index]
    assert cli("handover", "download", sub_copy, "--out", str(out), "--as", "sub").exit_code == 0
    assert out.stat().st_size > 0
