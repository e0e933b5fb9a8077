"""Accounts' own rules; roles, permissions and the acting user are the kernel's (`shokei.kernel`)."""

from __future__ import annotations

from typing import Protocol

from shokei.errors import N_, BadInput, Text


class Sealer(Protocol):
    """Seals small secrets (TOTP seeds) under the installation's keys, bound to their record by
    the associated data. The composition root gives one (`Shokei.sealer`: the vault's master
    keys); accounts never holds a key itself."""

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes: ...

    def open(self, sealed: bytes, associated_data: bytes) -> bytes: ...


def validate_username(name: str) -> str:
    """Usernames are short ASCII handles: they appear in the ledger forever."""
    cleaned = name.strip()
    if not (1 <= len(cleaned) <= 64) or not all(c.isascii() and (c.isalnum() or c in "._-") for c in cleaned):
        raise BadInput(
            Text(
                N_("invalid username %(name)s: use 1-64 ASCII letters, digits, '.', '_' or '-'"),
                {"name": repr(name)},
            )
        )
    return cleaned


def validate_email(address: str) -> str:
    """One plain mailbox `local@domain` (notices are e-mailed there): no display name, no spaces,
    no header-breaking characters."""
    cleaned = address.strip()
    local, at, domain = cleaned.rpartition("@")
    forbidden = set(' \t\r\n<>,;"()[]\\')
    if not (at and local and "." in domain.strip(".") and len(cleaned) <= 254) or forbidden & set(cleaned):
        raise BadInput(
            Text(
                N_("invalid e-mail address %(address)s: use one plain address such as name@example.go.jp"),
                {"address": repr(address)},
            )
        )
    return cleaned
