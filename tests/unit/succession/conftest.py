"""Fixtures for the succession tests (plain inputs live in `support.py`)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    """The manifest signing key for one test session."""
    return Ed25519PrivateKey.generate()
