"""The audit ledger at national scale: appends, a full verification and inclusion proofs.

Run: `.venv/bin/python -m bench.ledger [--entries 1000000] [--backend sqlite|postgresql|both]`.
Appends go through `audit.services.record_many`, `--batch` events per transaction (as a bulk
use case would), with automatic signed checkpoints at the production policy (every 1,000
entries). Then `verify_ledger` recomputes and checks the whole log, and `--proofs` random
inclusion proofs are served by `prove_inclusion`, each in its own transaction like an API call.
SQLite lives in a temporary directory; on PostgreSQL a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shokei.audit import services as audit
from shokei.audit.domain import CheckpointPolicy, LedgerConfig
from shokei.audit.notes import NoteSigner, generate_signer
from shokei.db import make_engine
from shokei.kernel import Actor, AuditEvent, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.migrate import upgrade_to_head

TARGET_APPENDS_PER_SECOND = 5_000
TARGET_VERIFY_SECONDS_PER_MILLION = 20.0
TARGET_PROOF_MS = 5.0
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ORIGIN = "bench.shokei.example/ledger"
AUDITOR = Actor(1, "bench-auditor", Role.AUDITOR)
EXAMINER = Actor(2, "bench-examiner", Role.EXAMINER)
START = datetime(2026, 4, 1, tzinfo=UTC)

# The units of work built below use the default bus: wire the features' handlers into it.
wire()


@dataclass
class Figures:
    backend: str
    entries: int
    append_seconds: float
    verify_seconds: float
    verify_cpu_seconds: float
    verify_ok: bool
    proof_ms: list[float]
    proof_hashes: list[int]

    @property
    def appends_per_second(self) -> float:
        return self.entries / self.append_seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.proof_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def event(index: int) -> AuditEvent:
    """A transition as cases.services writes it: snapshots before and after, Japanese text."""
    before = {
        "state": "under_examination",
        "version": 3,
        "successor_company_id": None,
        "agreed_amount_yen": None,
    }
    after = {**before, "state": "protection_required", "version": 4}
    return AuditEvent(
        action="case:status:change",
        subject_type="case",
        subject_id=str(index % 10_000),
        at=START + timedelta(milliseconds=index),
        actor=EXAMINER,
        before=before,
        after=after,
        details={"transition": "determine_protection_required", "reason": "固有技術 (潜水艦用アンテナ)"},
    )


def append(uow: UnitOfWork, entries: int, batch: int) -> float:
    started = time.perf_counter()
    for begin in range(0, entries, batch):
        events = [event(index) for index in range(begin, min(begin + batch, entries))]
        with uow.transaction() as session:
            audit.record_many(session, events)
        if begin and begin % 100_000 == 0:
            rate = begin / (time.perf_counter() - started)
            load = os.getloadavg()[0]
            print(f"  {begin:>9,} appended ({rate:,.0f}/s, load average {load:.1f})", flush=True)
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the verification workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def verify(uow: UnitOfWork, workers: int | None) -> tuple[float, float, bool]:
    started, cpu = time.perf_counter(), cpu_seconds()
    report = audit.verify_ledger(uow, AUDITOR, workers=workers)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if not report.ok:
        print(f"  verification FAILED: {report.problems[:3]}", file=sys.stderr)
    return seconds, cpu, report.ok


def prove(uow: UnitOfWork, entries: int, count: int) -> tuple[list[float], list[int]]:
    chooser = random.Random(20260401)
    durations, sizes = [], []
    for _ in range(count):
        index = chooser.randrange(entries)
        started = time.perf_counter()
        proof = audit.prove_inclusion(uow, AUDITOR, index, entries)
        durations.append((time.perf_counter() - started) * 1000)
        sizes.append(len(proof.proof))
    return durations, sizes


def run(backend: str, url: str, args: argparse.Namespace) -> Figures:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        signer, verifier = generate_signer("bench-ledger")
        ledger = LedgerConfig(ORIGIN, verifier, NoteSigner.parse(signer), CheckpointPolicy(1000, 60))
        uow = UnitOfWork(engine, ledger=ledger)
        print(f"[{backend}] appending {args.entries:,} entries, {args.batch} per transaction", flush=True)
        append_seconds = append(uow, args.entries, args.batch)
        print(f"[{backend}] verifying", flush=True)
        verify_seconds, verify_cpu, ok = verify(uow, args.workers)
        print(f"[{backend}] {args.proofs:,} inclusion proofs", flush=True)
        durations, sizes = prove(uow, args.entries, args.proofs)
        return Figures(
            backend, args.entries, append_seconds, verify_seconds, verify_cpu, ok, durations, sizes
        )
    finally:
        engine.dispose()


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="shokei-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'ledger.db'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    server = make_url(server_url)
    name = f"shokei_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(figures: Figures) -> None:
    million = figures.entries / 1_000_000
    verify_per_million = figures.verify_seconds / million
    p99 = figures.percentile_ms(0.99)
    rows = [
        ("entries", f"{figures.entries:,}", ""),
        (
            "appends/s",
            f"{figures.appends_per_second:,.0f}",
            f"{figures.appends_per_second / TARGET_APPENDS_PER_SECOND:.1f}x the 5,000/s target",
        ),
        (
            "full verify",
            f"{figures.verify_seconds:.1f} s ({'ok' if figures.verify_ok else 'FAILED'})",
            f"{TARGET_VERIFY_SECONDS_PER_MILLION / verify_per_million:.1f}x inside 20 s per 1M "
            f"({verify_per_million:.1f} s per 1M)",
        ),
        (
            "verify CPU",
            f"{figures.verify_cpu_seconds:.1f} s",
            f"{figures.verify_cpu_seconds / os.cpu_count() / million:.1f} s per 1M if the "
            f"{os.cpu_count()} CPUs were all ours",
        ),
        ("proof mean", f"{statistics.fmean(figures.proof_ms):.2f} ms", ""),
        ("proof p99", f"{p99:.2f} ms", f"{TARGET_PROOF_MS / p99:.1f}x inside 5 ms"),
        ("proof max", f"{max(figures.proof_ms):.2f} ms", ""),
        (
            "proof size",
            f"{statistics.fmean(figures.proof_hashes):.1f} hashes mean, {max(figures.proof_hashes)} max",
            f"{32 * max(figures.proof_hashes)} bytes max",
        ),
    ]
    print(f"\n[{figures.backend}]  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for name, value, ratio in rows:
        print(f"  {name:<12} {value:<40} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100, help="events per transaction")
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="verify processes (default: automatic)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server for a scratch database")
    args = parser.parse_args()
    results = []
    if args.backend in ("sqlite", "both"):
        with sqlite_database() as url:
            results.append(run("sqlite", url, args))
    if args.backend in ("postgresql", "both"):
        with postgres_database(args.postgres_url) as url:
            results.append(run("postgresql", url, args))
    for figures in results:
        report(figures)
    if not all(figures.verify_ok for figures in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
