"""The README's walkthrough, run as a reader would paste it: every ```sh block, in order, in one
bash with `set -euo pipefail`, in an empty directory, through the installed `shokei` command (a
real process per command, so a lazily loaded command that misses a table fails here too)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _walkthrough() -> str:
    blocks = SHELL_BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 5, "the README's walkthrough blocks are marked ```sh"
    return "\n".join(blocks)


def test_the_readme_walkthrough_runs_pasted_into_an_empty_directory(tmp_path: Path) -> None:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("SHOKEI_", "PYTEST"))
    }
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    script = tmp_path / "walkthrough.sh"
    script.write_text("set -euo pipefail\n" + _walkthrough(), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        ["bash", str(script)],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    printed = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"the walkthrough stopped:\n{printed}"
    # What the walkthrough set out to show, read back from what it printed.
    assert "case 1: certificate recorded, case closed" in result.stdout
    assert re.search(r"copy: SK1-[0-9A-F]{12} \(hash, confidence 1\.00\)", result.stdout)
    assert "承継工業株式会社 (2401234567891)" in result.stdout
    assert (work / "var").is_dir()
    assert (work / "copy.zip").stat().st_size > 0
    verified = subprocess.run(
        ["shokei", "audit", "verify", "--json", "--as", "auditor"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert '"ok": true' in verified.stdout
