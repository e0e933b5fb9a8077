"""The CLI through the API (SHOKEI_API_URL + SHOKEI_TOKEN): an official with a token works from
a machine that has neither the data dir nor the database; the server's services decide, in the
user's language; the ledger tells the token's own acts from the operator's local `--as`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office
from tests.live_server import LiveServer, serving


@pytest.fixture
def server(uow: UnitOfWork, tmp_path: Path) -> Iterator[LiveServer]:
    with serving(uow, tmp_path / "server-var") as live:
        yield live


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


def remote(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: LiveServer, token: str | None) -> Cli:
    """A shell on another machine: no data dir, a database URL that cannot be opened."""
    monkeypatch.setenv("SHOKEI_API_URL", server.url)
    if token is None:
        monkeypatch.delenv("SHOKEI_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SHOKEI_TOKEN", token)
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "no-data-dir-here"))
    monkeypatch.setenv("SHOKEI_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'none.db'}")
    monkeypatch.delenv("SHOKEI_USER", raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    return Cli()


def token_for(uow: UnitOfWork, office: Office, username: str) -> str:
    return accounts.issue_token(uow, office.admin, username).secret


def test_an_official_reads_and_moves_a_case_through_the_api(
    uow: UnitOfWork, office: Office, server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = office.open_case(documents=1)
    shell = remote(monkeypatch, tmp_path, server, token_for(uow, office, "intake"))

    shown = shell("case", "show", str(case.id), "--json").json()
    assert isinstance(shown, dict)
    assert shown["id"] == case.id
    assert shown["state"] == "notified"
    assert [line["title"] for line in shown["inventory"]] == ["部品図 1"]

    listed = shell("case", "list", "--json").json()
    assert isinstance(listed, list)
    assert case.id in [row["id"] for row in listed]

    human = shell("case", "show", str(case.id))
    assert human.exit_code == 0, human.stderr
    assert "notified" in human.stdout

    assert shell("incident", "list", "--open", "--json").json() == []
    assert shell("incident", "show", "424242", "--json").exit_code == 3

    assert not (tmp_path / "no-data-dir-here").exists()


def test_the_server_refuses_in_the_users_language_with_the_cli_exit_codes(
    uow: UnitOfWork, office: Office, server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = office.open_case(documents=1)
    shell = remote(monkeypatch, tmp_path, server, token_for(uow, office, "successor"))

    refused = shell("case", "transition", str(case.id), "start_examination", "--json")
    assert refused.exit_code == 3
    assert refused.stdout == ""

    missing = shell("case", "show", "987654", "--json")
    assert missing.exit_code == 3

    bad = shell("case", "offer", str(case.id), "--amount", "-5", "--json")
    assert bad.exit_code in (2, 3)


def test_a_wrong_or_missing_token_is_refused_and_a_server_only_command_is_named(
    uow: UnitOfWork, office: Office, server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shell = remote(monkeypatch, tmp_path, server, "shk_not-a-real-token")
    assert shell("case", "list", "--json").exit_code == 3

    shell = remote(monkeypatch, tmp_path, server, None)
    no_token = shell("case", "list", "--json")
    assert no_token.exit_code == 2
    assert "SHOKEI_TOKEN" in no_token.stderr

    shell = remote(monkeypatch, tmp_path, server, token_for(uow, office, "admin"))
    server_only = shell("user", "list", "--json")
    assert server_only.exit_code == 2
    assert "user list" in server_only.stderr
    assert "SHOKEI_API_URL" in server_only.stderr


def test_the_ledger_tells_a_tokens_act_from_the_operators_local_as(
    uow: UnitOfWork,
    office: Office,
    server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
) -> None:
    case = office.open_case(documents=1)
    shell = remote(monkeypatch, tmp_path, server, token_for(uow, office, "supplier"))
    added = shell("case", "add-document", str(case.id), "--title", "砲身部品図 第1葉", "--json").json()
    assert isinstance(added, dict)
    assert added["title"] == "砲身部品図 第1葉"

    monkeypatch.delenv("SHOKEI_API_URL")
    monkeypatch.setenv("SHOKEI_DATABASE_URL", database_url)
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "server-var"))
    promoted = Cli()("user", "role", "examiner", "--role", "negotiator", "--as", "admin", "--json")
    assert promoted.exit_code == 0, promoted.stderr

    entries = audit.list_entries(uow, office.auditor, limit=1000)
    [through_api] = [
        e for e in entries if e.action == "case:inventory:add" and e.event["after"]["id"] == added["id"]
    ]
    assert through_api.actor == "supplier"
    assert "via" not in through_api.event["actor"]
    [local] = [e for e in entries if e.actor == "admin" and e.index > through_api.index]
    assert local.event["actor"]["via"] == "local-cli"
