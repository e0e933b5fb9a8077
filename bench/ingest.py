"""Ingest benchmark: hand in ~2 GiB of mixed files on the embedded default (SQLite + vault).

Reports MB/s, files/s and peak RSS of `shokei docs submit`, and the ratio to copying the same
files with `cp` followed by `sync` on the same disk, in one run. Targets (issue 3): ratio >= 0.8
for large files, peak RSS < 250 MiB whatever the file sizes.

    .venv/bin/python -m bench.ingest [--large-mib 512 --large-count 3 --small-kib 256 --small-count 2048]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import machine

MiB = 1 << 20
BLOCK = 16 * MiB
TARGET_RATIO = 0.8
TARGET_RSS_MIB = 250


@dataclass
class Measurement:
    label: str
    files: int
    total_bytes: int
    copy_seconds: float
    ingest_seconds: float
    peak_rss_mib: float

    @property
    def ingest_mb_s(self) -> float:
        return self.total_bytes / MiB / self.ingest_seconds

    @property
    def copy_mb_s(self) -> float:
        return self.total_bytes / MiB / self.copy_seconds

    @property
    def ratio(self) -> float:
        return self.ingest_mb_s / self.copy_mb_s


def _write_files(folder: Path, count: int, size: int) -> None:
    """Incompressible content without paying for os.urandom on every byte."""
    folder.mkdir(parents=True)
    block = bytearray(os.urandom(BLOCK))
    for n in range(count):
        with (folder / f"file-{n:05d}.bin").open("wb") as handle:
            remaining, chunk = size, 0
            while remaining:
                block[:16] = f"{n:08d}{chunk:08d}".encode()  # every chunk distinct: no two files alike
                piece = min(remaining, BLOCK)
                handle.write(block[:piece])
                remaining -= piece
                chunk += 1


def _copy_and_sync(source: Path, destination: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["cp", "-r", str(source), str(destination)], check=True)
    subprocess.run(["sync"], check=True)
    return time.perf_counter() - started


def _shokei(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    executable = str(Path(sys.executable).parent / "shokei")
    return subprocess.run([executable, *args], env=environment, check=True, capture_output=True, text=True)


def _prepare_office(environment: dict[str, str]) -> None:
    _shokei(environment, "init")
    _shokei(
        environment,
        "company",
        "add",
        "--corporate-number",
        "1180301018771",
        "--name",
        "ベンチ工業株式会社",
        "--as",
        "admin",
    )
    _shokei(environment, "user", "add", "intake", "--role", "intake_officer", "--as", "admin")


def _open_case(environment: dict[str, str]) -> str:
    opened = _shokei(
        environment,
        "case",
        "open",
        "--company",
        "1180301018771",
        "--reason",
        "factory_closure",
        "--exit-date",
        "2027-03-31",
        "--as",
        "intake",
        "--json",
    )
    return opened.stdout.split('"id": ')[1].split(",")[0]


def _ingest(environment: dict[str, str], case_id: str, folder: Path) -> tuple[float, float]:
    """Seconds and the child's peak RSS (MiB) of one `shokei docs submit`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    _shokei(environment, "docs", "submit", case_id, str(folder), "--as", "intake")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far: run the lean init first.
    return seconds, max(peak, before) / 1024


def _measure(label: str, work: Path, environment: dict[str, str], count: int, size: int) -> Measurement:
    source = work / f"{label}-source"
    _write_files(source, count, size)
    subprocess.run(["sync"], check=True)
    copy_seconds = _copy_and_sync(source, work / f"{label}-copy")
    shutil.rmtree(work / f"{label}-copy")
    seconds, rss = _ingest(environment, _open_case(environment), source)
    shutil.rmtree(source)
    return Measurement(label, count, count * size, copy_seconds, seconds, rss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--large-mib", type=int, default=512)
    parser.add_argument("--large-count", type=int, default=3)
    parser.add_argument("--small-kib", type=int, default=256)
    parser.add_argument("--small-count", type=int, default=2048)
    parser.add_argument("--workdir", type=Path, default=Path("var") / "bench")
    options = parser.parse_args(argv)
    options.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=options.workdir, prefix="ingest-"))
    environment = {**os.environ, "SHOKEI_DATA_DIR": str(work / "data")}
    environment.pop("SHOKEI_DATABASE_URL", None)
    try:
        _prepare_office(environment)
        results = [
            _measure("large", work, environment, options.large_count, options.large_mib * MiB),
            _measure("small", work, environment, options.small_count, options.small_kib * 1024),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine.describe()}")
    print(
        f"{'set':6} {'files':>6} {'MiB':>7} {'ingest MB/s':>12} {'files/s':>8} {'cp+sync MB/s':>13} "
        f"{'ratio':>6} {'peak RSS MiB':>13}"
    )
    for m in results:
        print(
            f"{m.label:6} {m.files:6d} {m.total_bytes / MiB:7.0f} {m.ingest_mb_s:12.1f} "
            f"{m.files / m.ingest_seconds:8.1f} {m.copy_mb_s:13.1f} {m.ratio:6.2f} {m.peak_rss_mib:13.1f}"
        )
    large = results[0]
    print(
        f"large-file ratio {large.ratio:.2f} (target >= {TARGET_RATIO}); "
        f"peak RSS {max(m.peak_rss_mib for m in results):.0f} MiB (target < {TARGET_RSS_MIB})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
