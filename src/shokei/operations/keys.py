"""Key files in a backup: only with `--include-keys`, and then wrapped under a passphrase.

The passphrase is stretched with scrypt (n=2**15, r=8, p=1, a fresh salt) into an AES-256-GCM
key that seals one JSON document of the key files (by role, not by path: keys may live outside
the data dir). Without the passphrase the file is noise; a wrong one fails authentication.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shokei.errors import N_, BadInput, IntegrityFailure, Text
from shokei.settings import Settings
from shokei.web.secret import session_key_path

FORMAT = "shokei-backup-keys/1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def key_files(settings: Settings) -> dict[str, Path]:
    """Every secret the installation holds, by its role-relative name."""
    files = {f"vault/{path.name}": path for path in sorted(settings.keys_dir.glob("master*.key"))}
    files["vault/copy-code.key"] = settings.copy_code_key_path
    files["ledger/ledger.key"] = settings.ledger_key_path
    files["ledger/ledger.vkey"] = settings.ledger_verifier_path
    files["web/session.key"] = session_key_path(settings)
    return {name: path for name, path in files.items() if path.exists()}


def target_path(settings: Settings, name: str) -> Path:
    role, _, file_name = name.partition("/")
    if role == "vault" and file_name.startswith("master") and "/" not in file_name:
        return settings.keys_dir / file_name
    fixed = {
        "vault/copy-code.key": settings.copy_code_key_path,
        "ledger/ledger.key": settings.ledger_key_path,
        "ledger/ledger.vkey": settings.ledger_verifier_path,
        "web/session.key": session_key_path(settings),
    }
    if name not in fixed:
        raise IntegrityFailure(
            Text(N_("the backup's key bundle names an unknown key %(name)s"), {"name": repr(name)})
        )
    return fixed[name]


def wrap(files: dict[str, Path], passphrase: str) -> bytes:
    if len(passphrase) < 12:
        raise BadInput(Text(N_("the backup passphrase must be at least 12 characters")))
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    payload = json.dumps({name: base64.b64encode(path.read_bytes()).decode() for name, path in files.items()})
    sealed = AESGCM(_stretch(passphrase, salt)).encrypt(nonce, payload.encode(), FORMAT.encode())
    document = {
        "format": FORMAT,
        "kdf": {"name": "scrypt", **_SCRYPT, "salt": salt.hex()},
        "nonce": nonce.hex(),
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return json.dumps(document, indent=2).encode()


def unwrap(bundle: bytes, passphrase: str) -> dict[str, bytes]:
    document = json.loads(bundle)
    if document.get("format") != FORMAT:
        raise IntegrityFailure(Text(N_("the backup's key bundle is not in a format this version reads")))
    key = _stretch(passphrase, bytes.fromhex(document["kdf"]["salt"]))
    try:
        plain = AESGCM(key).decrypt(
            bytes.fromhex(document["nonce"]), base64.b64decode(document["ciphertext"]), FORMAT.encode()
        )
    except InvalidTag:
        raise BadInput(
            Text(N_("wrong passphrase for the backup's keys (or the bundle was altered)"))
        ) from None
    return {name: base64.b64decode(value) for name, value in json.loads(plain).items()}


def _stretch(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, **_SCRYPT).derive(passphrase.encode())
