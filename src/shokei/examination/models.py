"""Tables of the examination feature."""

from __future__ import annotations
