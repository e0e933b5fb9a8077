"""Tables of the supply_chain feature."""

from __future__ import annotations
