"""Ingest benchmark: hand in ~2 GiB of mixed files on the embedded default (SQLite + vault).

Reports MB/s, files/s and peak RSS of `shokei docs submit` (a fresh process, start-up included,
as an official runs it) and, measured in the same run on the same files, the two limits it
cannot beat: copying them with `cp` followed by `sync` on the same disk, and the crypto pipeline
alone (the vault's SHA-256 of the plaintext, AES-256-GCM streaming encryption and SHA-256 of the
ciphertext over the same bytes, on all cores, no I/O). The limit is the lower of the two.
Targets (issue 22): large files >= 0.7x the limit; 2,048 x 256 KiB at >= 1,000 files/s and
>= 0.25x `cp` + `sync`; peak RSS < 250 MiB whatever the sizes.

    .venv/bin/python -m bench.ingest [--large-mib 512 --large-count 3 --small-kib 256 --small-count 2048]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import machine
from shokei.documents.vault.crypto import encrypt_stream, new_data_key

MiB = 1 << 20
BLOCK = 16 * MiB
STAMP = 16
TARGET_LARGE_RATIO = 0.7  # of the limit
TARGET_SMALL_FILES_S = 1000
TARGET_SMALL_COPY_RATIO = 0.25  # of cp + sync
TARGET_RSS_MIB = 250


@dataclass
class Measurement:
    label: str
    files: int
    total_bytes: int
    copy_seconds: float
    crypto_seconds: float
    ingest_seconds: float
    peak_rss_mib: float

    @property
    def ingest_mb_s(self) -> float:
        return self.total_bytes / MiB / self.ingest_seconds

    @property
    def copy_mb_s(self) -> float:
        return self.total_bytes / MiB / self.copy_seconds

    @property
    def crypto_mb_s(self) -> float:
        return self.total_bytes / MiB / self.crypto_seconds

    @property
    def limit_mb_s(self) -> float:
        return min(self.copy_mb_s, self.crypto_mb_s)

    @property
    def copy_ratio(self) -> float:
        return self.ingest_mb_s / self.copy_mb_s

    @property
    def limit_ratio(self) -> float:
        return self.ingest_mb_s / self.limit_mb_s

    @property
    def files_s(self) -> float:
        return self.files / self.ingest_seconds


class _Content(io.RawIOBase):
    """File `n`'s bytes, generated as they are read: incompressible without paying for
    os.urandom on every byte, every chunk distinct so no two files are alike."""

    def __init__(self, block: bytes, n: int, size: int) -> None:
        self._block, self._n, self._left, self._chunk, self._offset = block, n, size, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._left, BLOCK - self._offset)
        buffer[:count] = self._block[self._offset : self._offset + count]
        if self._offset < STAMP:  # the chunk's first bytes name the file and the chunk
            head = min(STAMP - self._offset, count)
            stamp = f"{self._n:08d}{self._chunk:08d}".encode()
            buffer[:head] = stamp[self._offset : self._offset + head]
        self._left -= count
        self._offset += count
        if self._offset == BLOCK:
            self._offset, self._chunk = 0, self._chunk + 1
        return count


def _write_files(folder: Path, block: bytes, count: int, size: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        with (folder / f"file-{n:05d}.bin").open("wb") as handle:
            shutil.copyfileobj(_Content(block, n, size), handle, MiB)


class _HashingSink:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: memoryview) -> int:
        self.digest.update(data)
        return len(data)


class _HashingSource:
    def __init__(self, source: _Content) -> None:
        self._source, self.digest = source, hashlib.sha256()

    def readinto(self, buffer: memoryview) -> int:
        count = self._source.readinto(buffer)
        self.digest.update(buffer[:count])
        return count


def _crypto_pipeline(block: bytes, count: int, size: int) -> float:
    """Seconds for what a put computes, over the same bytes, on all cores, with no I/O: SHA-256
    of the plaintext, streaming AES-256-GCM (HKDF per file), SHA-256 of the ciphertext."""

    def seal(n: int) -> str:
        plaintext = _HashingSource(_Content(block, n, size))
        ciphertext = _HashingSink()
        encrypt_stream(new_data_key(), b"bench", plaintext, ciphertext)
        return plaintext.digest.hexdigest() + ciphertext.digest.hexdigest()

    started = time.perf_counter()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for _ in pool.map(seal, range(count)):
            pass
    return time.perf_counter() - started


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
    block = os.urandom(BLOCK)
    _write_files(source, block, count, size)
    subprocess.run(["sync"], check=True)
    copy_seconds = _copy_and_sync(source, work / f"{label}-copy")
    shutil.rmtree(work / f"{label}-copy")
    subprocess.run(["sync"], check=True)
    crypto_seconds = _crypto_pipeline(block, count, size)
    seconds, rss = _ingest(environment, _open_case(environment), source)
    shutil.rmtree(source)
    return Measurement(label, count, count * size, copy_seconds, crypto_seconds, seconds, rss)


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


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
    print(f"machine: {machine.describe()}; load average at the end {_load()}")
    print(
        f"{'set':6} {'files':>6} {'MiB':>7} {'ingest MB/s':>12} {'files/s':>8} {'cp+sync MB/s':>13} "
        f"{'crypto MB/s':>12} {'/cp+sync':>9} {'/limit':>7} {'peak RSS MiB':>13}"
    )
    for m in results:
        print(
            f"{m.label:6} {m.files:6d} {m.total_bytes / MiB:7.0f} {m.ingest_mb_s:12.1f} "
            f"{m.files_s:8.1f} {m.copy_mb_s:13.1f} {m.crypto_mb_s:12.1f} {m.copy_ratio:9.2f} "
            f"{m.limit_ratio:7.2f} {m.peak_rss_mib:13.1f}"
        )
    large, small = results
    print(
        f"large files: {large.limit_ratio:.2f}x the limit (target >= {TARGET_LARGE_RATIO}); "
        f"small files: {small.files_s:.0f} files/s (target >= {TARGET_SMALL_FILES_S}), "
        f"{small.copy_ratio:.2f}x cp+sync (target >= {TARGET_SMALL_COPY_RATIO}); "
        f"peak RSS {max(m.peak_rss_mib for m in results):.0f} MiB (target < {TARGET_RSS_MIB})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
