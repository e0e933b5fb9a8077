"""What the reporting services return besides the report itself (a JSON document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class VerificationView(BaseModel):
    """`report verify`: ok when every figure equals its recomputation from the export."""

    ok: bool
    fiscal_year: int
    tree_size: int
    differences: list[dict[str, Any]]
