"""Tables of the purchase feature."""

from __future__ import annotations
