"""Tables of the ownership feature."""

from __future__ import annotations
