"""`shokei ARGS` in a fresh interpreter, reporting the modules it imported: how the tests hold a
command to loading only what it needs."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from shokei.cli import main
sys.argv = ["shokei", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exit:
    status = exit.code
sys.stdout.flush()
print("\\n" + json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def run_probed(args: list[str], env: dict[str, str]) -> tuple[str, int | None, list[str]]:
    """The command's output, its exit status (None when it returned normally) and every module
    its process imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    output, _, last = done.stdout.rstrip("\n").rpartition("\n")
    probe = json.loads(last)
    return output, probe["status"], probe["modules"]
