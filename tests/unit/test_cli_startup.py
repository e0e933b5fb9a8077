"""`shokei` imports a feature only when one of its commands runs: `shokei --help` lists every
group and command from the manifest, in the order and with the help they always had, loading no
feature, no database and no web code; `shokei case --help` loads the cases' CLI only."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.cli_probe import run_probed

# `shokei --help` before its groups were loaded lazily (features' commands, the root's own, then
# the features' groups, each in the manifest's cli order).
LISTED = [
    "impact", "spof", "trace", "duties", "worker", "backup", "restore", "init", "serve", "run",
    "user", "company", "case", "demo", "audit", "docs", "vault", "supply", "survey",
    "ownership", "alerts", "risk", "system", "exam", "purchase", "budget", "successor", "handover",
    "measure", "facility", "secret", "incident", "deadlines", "inbox", "report", "db",
]  # fmt: skip

def _run(*args: str) -> tuple[str, int | None, list[str]]:
    return run_probed(list(args), {"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def _listed(help_text: str) -> list[str]:
    section = help_text.split("Commands")[1]
    return [line.split()[1] for line in section.splitlines() if line.startswith("│ ") and line[2] != " "]


def test_help_lists_every_group_in_order_and_imports_no_feature() -> None:
    output, status, modules = _run("--help")
    assert status == 0
    assert _listed(output) == LISTED
    heavy = {"sqlalchemy", "fastapi", "numpy", "scipy", "pydantic", "alembic", "uvicorn", "starlette"}
    assert not {module.split(".")[0] for module in modules} & heavy
    loaded = {module for module in modules if module.startswith("shokei.")}
    # shokei.cli_remote: the few lines that decide whether a command runs here or through the API;
    # shokei.cli_help: the help pages' classes (the catalogue is read only for a Japanese page).
    shell = {"shokei.cli", "shokei.cli_support", "shokei.cli_help", "shokei.cli_remote", "shokei.errors"}
    shell |= {"shokei.manifest"}
    assert loaded <= shell | {
        module for module in loaded if module.startswith("shokei.kernel")
    }


def test_a_group_imports_its_own_feature_cli_only() -> None:
    output, status, modules = _run("case", "--help")
    assert status == 0
    assert "Usage: shokei case" in output
    clis = {module for module in modules if module.endswith(".cli") and module.startswith("shokei.")}
    assert clis == {"shokei.cli", "shokei.cases.cli"}


def test_a_group_another_feature_extends_imports_both() -> None:
    """Succession adds `company holdings` to the companies' group (declared in the manifest)."""
    output, status, modules = _run("company", "--help")
    assert status == 0
    assert "holdings" in output
    clis = {module for module in modules if module.endswith(".cli") and module.startswith("shokei.")}
    assert clis == {"shokei.cli", "shokei.companies.cli", "shokei.succession.cli"}


def test_the_listing_is_the_same_once_every_group_is_loaded() -> None:
    from shokei.cli import app

    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], terminal_width=200).stdout
    for name in LISTED:
        assert runner.invoke(app, [name, "--help"], terminal_width=200).exit_code == 0, name
    assert runner.invoke(app, ["--help"], terminal_width=200).stdout == lazy
    assert _listed(lazy) == LISTED


def test_a_mistyped_command_is_still_suggested_from_every_group() -> None:
    from shokei.cli import app

    result = CliRunner().invoke(app, ["compny"])
    assert result.exit_code == 2
    assert "Did you mean 'company'?" in result.stderr
