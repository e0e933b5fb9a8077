"""Shokei (承継): custody and succession of defense design documents."""

__version__ = "0.1.0"
