"""One line describing the machine a benchmark ran on (for the report's header)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """CPU count and model, physical memory, Python version."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    return f"{os.cpu_count()} x {model}, {memory:.0f} GiB RAM, Python {platform.python_version()}"
