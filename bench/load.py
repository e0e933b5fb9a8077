"""The web under load: Locust against `shokei serve --workers N` on PostgreSQL with the demo data.

A fresh database and data directory: `shokei init`, `shokei demo seed`, API tokens for the demo
users, then `shokei serve --workers N` on loopback and Locust, headless and bounded in time
(bench/locustfile.py: officials reading dashboards, case lists and pages, search and API reads;
a supplier handing in 5 MiB files; the successor downloading its copies). Prints p50/p95/p99 and
errors per group, and the server's RSS (all its processes) over the run. The database is dropped
afterwards.

Needs Locust: `pip install -c constraints.txt -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from bench.machine import describe

HERE = Path(__file__).resolve().parent
SHOKEI = [sys.executable, "-c", "from shokei.cli import main; main()"]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
USERS = ("manager", "negotiator", "supplier", "successor")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=PG_URL, help="a server where a database can be created")
    parser.add_argument("--workers", type=int, default=2, help="server processes (`serve --workers`)")
    parser.add_argument("--users", type=int, default=50, help="concurrent Locust users")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds under load (default 60)")
    parser.add_argument("--minutes", type=float, help="minutes under load (the full run: --minutes 10)")
    parser.add_argument(
        "--registry",
        type=int,
        default=100_000,
        help="companies added to the registry (national scale: 100,000)",
    )
    parser.add_argument(
        "--steady",
        action="store_true",
        help="count only once every user is spawned and logged in (Locust's --reset-stats): the "
        "steady state, without the log-ins' argon2id queue",
    )
    arguments = parser.parse_args()
    seconds = int(arguments.minutes * 60 if arguments.minutes else arguments.duration)
    try:
        import locust  # noqa: F401 - only to say how to install it
    except ImportError:
        print("Locust is missing: pip install -c constraints.txt -e '.[bench]'", file=sys.stderr)
        return 2
    print(describe())
    with (
        fresh_database(arguments.postgres_url) as url,
        tempfile.TemporaryDirectory(prefix="shokei-load-") as tmp,
    ):
        env = {
            **os.environ,
            "SHOKEI_DATA_DIR": str(Path(tmp) / "var"),
            "SHOKEI_DATABASE_URL": url,
            "SHOKEI_MAX_CASE_BYTES": str(1 << 40),  # uploads all go into one case
            "SHOKEI_LOG_FORMAT": "text",
            # 200 officials are 200 workstations: Locust stands in for a reverse proxy on loopback
            # and names each user's own address, as the login lockout counts failures per address
            # (20 at once from one address would be refused, as an attack would be).
            "SHOKEI_TRUSTED_PROXIES": "127.0.0.1",
        }
        started = time.perf_counter()
        setup = seed(env, arguments.users, arguments.registry)
        took = time.perf_counter() - started
        print(
            f"set-up (init, demo seed, tokens, {arguments.users} officials, "
            f"{arguments.registry:,} companies): {took:.1f} s"
        )
        port = free_port()
        with server(env, port, arguments.workers) as (process, base):
            setup.update(discover(base, setup))
            print(
                f"{len(setup['cases'])} cases, upload case {setup['upload_case']}, "
                f"{len(setup['copies'])} copies to download"
            )
            setup_file = Path(tmp) / "setup.json"
            setup_file.write_text(json.dumps(setup), encoding="utf-8")
            sampler = RssSampler(process.pid)
            sampler.start()
            load_before = os.getloadavg()
            cpu_before = (tree_cpu(process.pid), postgres_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN))
            stats = run_locust(
                base,
                setup_file=setup_file,
                tmp=Path(tmp),
                users=arguments.users,
                rate=arguments.spawn_rate,
                seconds=seconds,
                steady=arguments.steady,
            )
            load_after = os.getloadavg()
            cpu_after = (tree_cpu(process.pid), postgres_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN))
            sampler.stop()
        report(
            stats,
            samples=sampler.samples,
            arguments=arguments,
            seconds=seconds,
            load_before=load_before,
            load_after=load_after,
        )
        report_cpu(stats, cpu_before, cpu_after, seconds=seconds)
    return 0


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`, dropped afterwards."""
    name = f"shokei_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def shokei(env: dict[str, str], *arguments: str) -> Any:
    done = subprocess.run(
        [*SHOKEI, *arguments, "--json"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"shokei {' '.join(arguments)} failed: {done.stderr or done.stdout}")
    return json.loads(done.stdout)


def seed(env: dict[str, str], officials: int, registry: int) -> dict[str, Any]:
    shokei(env, "init")
    demo = shokei(env, "demo", "seed")
    passwords = {name: demo["logins"][name]["password"] for name in USERS}
    tokens = {name: shokei(env, "user", "token", name, "--as", "admin")["token"] for name in USERS}
    return {
        "passwords": passwords,
        "tokens": tokens,
        "officials": official_accounts(env, officials, registry),
    }


def official_accounts(env: dict[str, str], count: int, registry: int) -> list[dict[str, str]]:
    """`count` program managers with their TOTP secrets and `registry` more companies in the
    registry (bench/load_setup.py), in the installation `env` names."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.load_setup", str(count), str(registry)],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"creating the officials' accounts failed: {done.stderr}")
    return json.loads(done.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(env: dict[str, str], port: int, workers: int) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    log = open(Path(env["SHOKEI_DATA_DIR"]).parent / "serve.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*SHOKEI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not answers(f"{base}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start (see {log.name})")
            time.sleep(0.5)
        # Every worker answers /healthz before its first request needs the database; give each
        # a first request of its own.
        for _ in range(4 * workers):
            answers(f"{base}/login")
        yield process, base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def api(base: str, token: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Any:
    request = urllib.request.Request(f"{base}/api/v1{path}", data=body)
    request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def discover(base: str, setup: dict[str, Any]) -> dict[str, Any]:
    """The cases the official sees, the case in negotiation, a case of the supplier's that takes
    files, the successor's copies."""
    tokens = setup["tokens"]
    seen = api(base, tokens["manager"], "/cases")
    cases = [case["id"] for case in seen]
    negotiating = next((case["id"] for case in seen if case["state"] == "negotiating"), None)
    upload_case = None
    for case in api(base, tokens["supplier"], "/cases"):
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="probe.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\nprobe {boundary}\r\n--{boundary}--\r\n"
        ).encode()
        try:
            api(
                base,
                tokens["supplier"],
                f"/cases/{case['id']}/files",
                body,
                f"multipart/form-data; boundary={boundary}",
            )
        except urllib.error.HTTPError:
            continue
        upload_case = case["id"]
        break
    copies = []
    for case in api(base, tokens["successor"], "/cases"):
        try:
            copies += [
                copy["copy_id"] for copy in api(base, tokens["successor"], f"/cases/{case['id']}/copies")
            ]
        except urllib.error.HTTPError:
            continue
    return {"cases": cases, "upload_case": upload_case, "copies": copies, "negotiating_case": negotiating}


class RssSampler:
    """The resident memory of the server and all its descendants, every second."""

    def __init__(self, pid: int) -> None:
        self.pid, self.samples = pid, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append((time.monotonic() - self._started, tree_rss(self.pid)))


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and its descendants (from /proc)."""
    return _tree(root)[0]


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by `root` and its living descendants."""
    return _tree(root)[1]


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes (its backends stay
    connected through the server's connection pools for the whole run)."""
    total = 0.0
    for _pid, comm, _parent, _rss, cpu in _processes():
        if comm in ("postgres", "postmaster"):
            total += cpu
    return total


def _tree(root: int) -> tuple[int, float]:
    children: dict[int, list[int]] = {}
    figures: dict[int, tuple[int, float]] = {}
    for pid, _comm, parent, rss, cpu in _processes():
        children.setdefault(parent, []).append(pid)
        figures[pid] = (rss, cpu)
    rss_total, cpu_total, stack = 0, 0.0, [root]
    while stack:
        pid = stack.pop()
        rss, cpu = figures.get(pid, (0, 0.0))
        rss_total, cpu_total = rss_total + rss, cpu_total + cpu
        stack += children.get(pid, [])
    return rss_total, cpu_total


def _processes() -> Iterator[tuple[int, str, int, int, float]]:
    """(pid, command name, parent pid, resident bytes, CPU seconds) of every process, from /proc."""
    page, ticks = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            status = (entry / "statm").read_text().split()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()  # fields[0] is the state (stat's 3rd field)
        cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        yield int(entry.name), comm, int(fields[1]), int(status[1]) * page, cpu


def run_locust(
    base: str, *, setup_file: Path, tmp: Path, users: int, rate: float, seconds: int, steady: bool
) -> list[dict[str, str]]:
    prefix = tmp / "locust"
    env = {**os.environ, "SHOKEI_LOAD_SETUP": str(setup_file)}
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", base, "--users", str(users), "--spawn-rate", str(rate), "--run-time", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30",
    ]  # fmt: skip
    if steady:
        command.append("--reset-stats")
    counted = ", counted once all are spawned" if steady else ""
    print(f"locust: {users} users, {rate:g}/s spawned, {seconds} s{counted}", flush=True)
    with open(tmp / "locust.log", "wb") as log:
        subprocess.run(command, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and len(failures.read_text(encoding="utf-8").splitlines()) > 1:
        shutil.copy(failures, Path.cwd() / "load-failures.csv")
        print("failures: copied to load-failures.csv")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report(
    stats: list[dict[str, str]],
    *,
    samples: list[tuple[float, int]],
    arguments: argparse.Namespace,
    seconds: int,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    print(
        f"\n{arguments.users} users, {arguments.workers} workers, {seconds} s; load average before "
        f"{load_before[0]:.1f}, after {load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f}"
    )
    header = ("group", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print(f"{header[0]:<30} " + " ".join(f"{name:>8}" for name in header[1:]))
    for row in sorted(stats, key=lambda row: (row["Name"] == "Aggregated", row["Name"])):
        group = f"{row['Type']} {row['Name']}".strip()
        figures = (
            row["Request Count"],
            row["Failure Count"],
            f"{float(row['Requests/s']):.1f}",
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Max Response Time']):.0f}",
        )
        print(f"{group:<30} " + " ".join(f"{figure:>8}" for figure in figures))
    if samples:
        mib = [rss / 2**20 for _, rss in samples]
        step = max(1, len(samples) // 10)
        over_time = ", ".join(f"{t:.0f}s {rss / 2**20:.0f}" for t, rss in samples[::step])
        print(
            f"server RSS (all processes), MiB: first {mib[0]:.0f}, min {min(mib):.0f}, "
            f"max {max(mib):.0f}, last {mib[-1]:.0f}"
        )
        print(f"  over time: {over_time}")


def report_cpu(
    stats: list[dict[str, str]],
    before: tuple[float, float, resource.struct_rusage],
    after: tuple[float, float, resource.struct_rusage],
    *,
    seconds: int,
) -> None:
    """Where the machine's CPU went during the run: the server (all its processes), PostgreSQL
    and Locust itself (the children this process waited for), against what the cores offer."""
    requests = sum(int(row["Request Count"]) for row in stats if row["Name"] == "Aggregated") or 1
    server, database = after[0] - before[0], after[1] - before[1]
    locust = (after[2].ru_utime + after[2].ru_stime) - (before[2].ru_utime + before[2].ru_stime)
    cores = os.cpu_count() or 1
    print(
        f"CPU seconds during the run: server {server:.0f} ({1000 * server / requests:.1f} ms a request), "
        f"PostgreSQL {database:.0f} ({1000 * database / requests:.1f} ms a request), Locust {locust:.0f}; "
        f"the machine offers {cores} × {seconds} = {cores * seconds} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
