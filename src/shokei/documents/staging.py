"""The one pattern of every use case that does file I/O between transactions.

**prepare → produce files → commit and re-check**

1. *prepare*: one short transaction authorises, checks the state the use case needs and reads
   what the files are made from; nothing is written.
2. *produce files*: outside any transaction (files may be large, the work slow), plaintext
   goes only to owner-only scratch directories that are removed when the phase ends, also on
   error; the results are encrypted into a vault as *staged* blobs that nothing refers to yet.
3. *commit and re-check*: one transaction checks again everything phase 1 decided on (a
   concurrent change in between is refused with `Conflict`), then records the rows that refer
   to the staged blobs, with their ledger entries.

A blob is durable before the row that refers to it commits, so a crash leaves at worst an
orphan blob (reported by fsck), never a row without its blob. Phase 3 marks its blobs
`referenced` inside its transaction, once the re-check passed and the rows are added; blobs
still unmarked when phase 2's block ends (the re-check refused, a duplicate, an error) are
discarded at once, so a refused file leaves nothing behind. A commit that fails after the
marking leaves an orphan for fsck rather than ever deleting a blob a row may refer to. Submission
(`documents.submission`), release and dissemination (`succession`) follow this pattern;
`staged_blobs` is the part they share.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from shokei.documents.vault import StoredBlob, Vault


class StagedBlobs:
    """Blobs put during phase 2; each is discarded unless `referenced` says a commit kept it."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._pending: dict[str, StoredBlob] = {}

    def put(self, source: BinaryIO, associated_data: bytes) -> StoredBlob:
        stored = self.vault.put(source, associated_data)
        self._pending[stored.blob_id] = stored
        return stored

    def add_durable(self, blobs: list[StoredBlob]) -> list[StoredBlob]:
        """Blobs made durable together (`Vault.make_durable`), pending like those of `put`."""
        for stored in blobs:
            self._pending[stored.blob_id] = stored
        return blobs

    def referenced(self, *blobs: StoredBlob) -> None:
        """Rows referring to these blobs are in the committing transaction: keep the blobs."""
        for blob in blobs:
            self._pending.pop(blob.blob_id, None)

    def discard(self, *blobs: StoredBlob) -> None:
        """These blobs will never be referred to (a duplicate, a refused file): remove them now."""
        for blob in blobs:
            if self._pending.pop(blob.blob_id, None) is not None:
                self.vault.discard_unreferenced(blob.blob_id)

    def discard_pending(self) -> None:
        self.discard(*self._pending.values())


@contextmanager
def staged_blobs(vault: Vault) -> Iterator[StagedBlobs]:
    """Phase 2's blobs: whatever no commit referenced is discarded when the block ends."""
    staged = StagedBlobs(vault)
    try:
        yield staged
    finally:
        staged.discard_pending()
