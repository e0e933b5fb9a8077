"""`make bench`: every benchmark at its default (issue-sized) scale, one after another.

Each one also runs alone: `python -m bench.<name> --help`.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("cli", "ingest", "ledger", "supply_chain", "ownership", "trace")


def main() -> int:
    for name in sys.argv[1:] or BENCHMARKS:
        print(f"\n=== bench.{name} ===", flush=True)
        status = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode
        if status:
            return status
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
