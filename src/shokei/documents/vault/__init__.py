"""The documents' vault: the storage port (`port`), its filesystem implementation
(`filesystem`) and the cryptography both rest on (`crypto`: master keys, data-key wrapping,
streaming AEAD).

Only the documents feature opens this package; other features reach a vault through
`shokei.documents.services` (the `Vault` port and `open_vault`).
"""

from __future__ import annotations

from shokei.documents.vault.crypto import (
    KeyringSealer,
    MasterKeyError,
    MasterKeyring,
    create_master_key,
    rewrap,
    rotate_master_key,
)
from shokei.documents.vault.filesystem import FilesystemVault
from shokei.documents.vault.port import (
    BlobMissing,
    BlobRef,
    BlobStatus,
    PendingBlob,
    StoredBlob,
    Vault,
    document_associated_data,
)

__all__ = [
    "BlobMissing",
    "BlobRef",
    "BlobStatus",
    "FilesystemVault",
    "KeyringSealer",
    "MasterKeyError",
    "MasterKeyring",
    "PendingBlob",
    "StoredBlob",
    "Vault",
    "create_master_key",
    "document_associated_data",
    "rewrap",
    "rotate_master_key",
]
