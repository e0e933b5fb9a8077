"""Accounts' own rules; roles, permissions and the acting user are the kernel's (`shokei.kernel`)."""

from __future__ import annotations

from shokei.errors import BadInput


def validate_username(name: str) -> str:
    """Usernames are short ASCII handles: they appear in the ledger forever."""
    cleaned = name.strip()
    if not (1 <= len(cleaned) <= 64) or not all(c.isascii() and (c.isalnum() or c in "._-") for c in cleaned):
        raise BadInput(f"invalid username {name!r}: use 1-64 ASCII letters, digits, '.', '_' or '-'")
    return cleaned
