"""Issue 23, findings 7 and 8 on the command line: the account commands, their refusals (exit 3),
one-time secrets kept owner-only and printed only to a terminal, and an owner-only data dir."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.conftest import Cli

SECRETS_FILE = "one-time-secrets.txt"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _secrets(data_dir: Path) -> list[list[str]]:
    return [line.split("\t") for line in (data_dir / SECRETS_FILE).read_text().splitlines()]


def test_init_keeps_the_admin_password_out_of_a_pipe_and_the_data_owner_only(cli: Cli, cli_env: Path) -> None:
    cli_env.mkdir(mode=0o755)
    cli_env.chmod(0o755)  # a data dir left open by hand
    result = cli("init", "--json")
    assert result.json()["admin_password"] is None  # type: ignore[index]
    assert _mode(cli_env) == 0o700
    (name, kind, password), *_ = _secrets(cli_env)
    assert (name, kind) == ("admin", "password")
    assert password not in result.stdout
    assert _mode(cli_env / SECRETS_FILE) == 0o600
    database = cli_env / "shokei.db"
    if database.exists():  # SQLite: the database file (on PostgreSQL the server keeps it)
        assert _mode(database) == 0o600
    human = cli("user", "add", "alice", "--role", "auditor", "--as", "admin")
    assert human.exit_code == 0
    assert _secrets(cli_env)[-1][:2] == ["alice", "password"]
    assert _secrets(cli_env)[-1][2] not in human.stdout
    assert str(cli_env / SECRETS_FILE) in human.stdout


def test_a_data_dir_opened_later_is_narrowed_before_any_command(cli: Cli, cli_env: Path) -> None:
    cli("init")
    cli_env.chmod(0o755)
    assert cli("user", "list", "--as", "admin").exit_code == 0
    assert _mode(cli_env) == 0o700


def _setup(cli: Cli) -> None:
    cli("init")
    for name, role in [("pm", "program_manager"), ("shadow", "examiner"), ("other", "negotiator")]:
        assert cli("user", "add", name, "--role", role, "--as", "admin").exit_code == 0


def test_the_two_person_rule_on_the_command_line(cli: Cli) -> None:
    _setup(cli)
    refused = cli("user", "approve", "shadow", "--as", "admin")
    assert refused.exit_code == 3
    assert cli("user", "approve", "shadow").exit_code == 3  # the operator approves only a first manager
    assert cli("user", "approve", "pm").exit_code == 0
    assert cli("user", "approve", "pm").exit_code == 3  # an approved manager exists: no longer the operator's
    assert cli("user", "approve", "pm", "--as", "admin").exit_code == 3
    assert cli("user", "approve", "shadow", "--as", "pm").exit_code == 0
    users = {u["username"]: u for u in cli("user", "list", "--as", "admin", "--json").json()}  # type: ignore[union-attr]
    assert users["shadow"]["content_approved"] is True
    assert users["other"]["content_approved"] is False


def test_disable_enable_reset_and_tokens_on_the_command_line(cli: Cli, cli_env: Path) -> None:
    _setup(cli)
    assert cli("user", "disable", "other", "--as", "pm").exit_code == 3
    assert cli("user", "disable", "other", "--as", "admin").exit_code == 0
    assert cli("user", "list", "--as", "other").exit_code == 3  # a disabled user cannot act
    assert cli("user", "enable", "other", "--as", "admin").exit_code == 0
    reset = cli("user", "reset-password", "other", "--as", "admin", "--json").json()
    assert reset["password"] is None  # type: ignore[index]
    assert _secrets(cli_env)[-1][:2] == ["other", "one-time password"]
    # A token for another user needs an admin; the user's own needs the user.
    assert cli("user", "token", "other", "--as", "shadow").exit_code == 3
    assert cli("user", "token", "other").exit_code == 2  # say who you are
    token = cli("user", "token", "other", "--as", "admin", "--json").json()["token"]  # type: ignore[index]
    assert token.startswith("shk_")
    (listed,) = cli("user", "tokens", "other", "--as", "other", "--json").json()  # type: ignore[misc]
    assert listed["expires_at"].startswith("2")
    assert listed["active"] is True
    assert cli("user", "tokens", "other", "--as", "shadow").exit_code == 3
    assert cli("user", "revoke-token", str(listed["id"]), "--as", "shadow").exit_code == 3
    assert cli("user", "revoke-token", str(listed["id"]), "--as", "admin").exit_code == 0
    (revoked,) = cli("user", "tokens", "other", "--as", "admin", "--json").json()  # type: ignore[misc]
    assert revoked["active"] is False


def test_mfa_enroll_keeps_the_uri_out_of_a_pipe(cli: Cli, cli_env: Path) -> None:
    _setup(cli)
    result = cli("user", "mfa", "enroll", "shadow", "--as", "admin")
    assert result.exit_code == 0
    name, kind, uri = _secrets(cli_env)[-1]
    assert (name, kind) == ("shadow", "otpauth")
    assert uri.startswith("otpauth://totp/")
    assert uri not in result.stdout
    assert cli("user", "mfa", "enroll", "pm", "--as", "shadow").exit_code == 3
    shown = json.loads(cli("user", "list", "--as", "admin", "--json").stdout)
    assert {u["username"]: u["mfa_enrolled"] for u in shown}["shadow"] is True
