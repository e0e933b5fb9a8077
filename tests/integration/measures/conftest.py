from __future__ import annotations

from tests.integration.examination.conftest import quick_password_hashing

__all__ = ["quick_password_hashing"]  # autouse here too
