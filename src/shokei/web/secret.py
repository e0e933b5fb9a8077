"""The key that signs web session cookies: created by `shokei init`, owner-only, never overwritten."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from shokei.settings import Settings

KEY_BYTES = 32
_log = logging.getLogger(__name__)


def session_key_path(settings: Settings) -> Path:
    # Apart from the vault and ledger keys: a leaked session key forges logins, not documents.
    return settings.data_dir / "web" / "session.key"


def ensure_session_key(settings: Settings) -> bool:
    """Create the session key if it is missing; True when it was created."""
    path = session_key_path(settings)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(KEY_BYTES).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def load_session_key(settings: Settings) -> bytes:
    """The key from the data dir; without one (tests, a data dir `shokei init` never saw) a key for
    this process only, so sessions end when it stops."""
    path = session_key_path(settings)
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) >= KEY_BYTES:
            return key
        raise ValueError(f"the session key {path} is shorter than {KEY_BYTES} bytes")
    _log.warning("no session key at %s (run `shokei init`): sessions last only as long as this process", path)
    return secrets.token_bytes(KEY_BYTES)
