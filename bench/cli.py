"""Command start-up benchmark: wall time of `shokei --help` and `shokei case show N --json`.

Each is a fresh process, as an official's shell or script runs it, against a fresh embedded
installation (SQLite in a temporary directory, one company, one case). In the same run and
interleaved with them, round by round, the baseline `python -c "import sqlalchemy"` (what any
command that reads the database must load) and the bare interpreter `python -c pass`. Prints
min and median of each and each command's ratio to the baseline's. Target (issue 22): each
command under 0.4 s wall on a quiet machine.

`--against REV` also runs the same commands from the source tree of git revision REV (exported
with `git archive`, put first on PYTHONPATH), interleaved in the same rounds: before and after,
on the same machine at the same moment.

    .venv/bin/python -m bench.cli [--rounds 15] [--against main]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import machine

TARGET_SECONDS = 0.4
REPOSITORY = Path(__file__).resolve().parent.parent


def _shokei(environment: dict[str, str], *args: str) -> str:
    executable = str(Path(sys.executable).parent / "shokei")
    done = subprocess.run([executable, *args], env=environment, check=True, capture_output=True, text=True)
    return done.stdout


def _prepare(environment: dict[str, str]) -> str:
    """An initialised installation with one company and one case; the case's id."""
    _shokei(environment, "init")
    number = "1180301018771"
    _shokei(
        environment,
        "company",
        "add",
        "--corporate-number",
        number,
        "--name",
        "ベンチ工業株式会社",
        "--as",
        "admin",
    )
    _shokei(environment, "user", "add", "intake", "--role", "intake_officer", "--as", "admin")
    opened = _shokei(
        environment,
        *("case", "open", "--company", number, "--reason", "factory_closure", "--exit-date", "2027-03-31"),
        *("--as", "intake", "--json"),
    )
    return opened.split('"id": ')[1].split(",")[0]


def _export(revision: str, destination: Path) -> Path:
    """The source tree of `revision`, for PYTHONPATH."""
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
    return destination / "src"


def _wall(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--against", metavar="REV", help="also time the commands of this git revision")
    parser.add_argument("--workdir", type=Path, default=Path("var") / "bench")
    options = parser.parse_args(argv)
    options.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=options.workdir, prefix="cli-"))
    environment = {**os.environ, "SHOKEI_DATA_DIR": str(work / "data")}
    # PYTHONDONTWRITEBYTECODE: an installed `shokei` runs from compiled bytecode (pip compiles
    # it); with the variable set, every round would compile the sources again.
    for name in ("SHOKEI_DATABASE_URL", "SHOKEI_USER", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
        environment.pop(name, None)
    python, shokei = sys.executable, str(Path(sys.executable).parent / "shokei")
    try:
        case_id = _prepare(environment)
        trees = {"this tree": environment}
        if options.against:
            source = _export(options.against, work / "against")
            trees[options.against] = {**environment, "PYTHONPATH": str(source)}
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], environment),
            'python -c "import sqlalchemy" (baseline)': ([python, "-c", "import sqlalchemy"], environment),
        }
        for tree, tree_environment in trees.items():
            runs[f"shokei --help [{tree}]"] = ([shokei, "--help"], tree_environment)
            runs[f"shokei case show {case_id} --json [{tree}]"] = (
                [shokei, "case", "show", case_id, "--json", "--as", "intake"],
                tree_environment,
            )
        for command, run_environment in runs.values():  # warm the page cache and the bytecode
            _wall(command, run_environment)
        loads = [os.getloadavg()[0]]
        times: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(options.rounds):
            for label, (command, run_environment) in runs.items():
                times[label].append(_wall(command, run_environment))
            loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    baseline = times['python -c "import sqlalchemy" (baseline)']
    base_min, base_median = min(baseline), statistics.median(baseline)
    print(f"machine: {machine.describe()}")
    print(
        f"load average (1 min) during the run: {min(loads):.1f} - {max(loads):.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{options.rounds} rounds, interleaved; wall seconds, ratio = this / baseline")
    print(f"{'command':58} {'min':>7} {'median':>7} {'ratio min':>10} {'ratio med':>10}")
    for label, values in times.items():
        low, middle = min(values), statistics.median(values)
        print(f"{label:58} {low:7.3f} {middle:7.3f} {low / base_min:10.2f} {middle / base_median:10.2f}")
    print(f"target: each shokei command < {TARGET_SECONDS} s wall on a quiet machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
