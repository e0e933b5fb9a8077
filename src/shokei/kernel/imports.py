"""A feature's services imported when a handler first calls them, not when it subscribes.

Every command that writes publishes (at least its ledger entries), and the bus then subscribes
every feature's handlers (`shokei.manifest.wire`). A handlers module that imported its feature's
services at the top made every write load every feature: the succession stack with SciPy's
optimiser, ownership, the format readers (≈ 0.6–1 s of a `docs submit` or `case open`). Handlers
modules import their event types and `on_first_use(...)` their services; type checkers see the
real module (`if TYPE_CHECKING: from shokei.x import services`)."""

from __future__ import annotations

import importlib
from typing import Any


class _OnFirstUse:
    __slots__ = ("_module",)

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        # After the first call a lookup in sys.modules; the import lock makes the first one
        # safe from the server's request threads.
        return getattr(importlib.import_module(self._module), name)

    def __repr__(self) -> str:
        return f"<{self._module}, imported on first use>"


def on_first_use(module: str) -> Any:
    """`module`, imported when one of its attributes is first read."""
    return _OnFirstUse(module)
