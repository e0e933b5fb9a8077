"""The copy register as trace sees it: a small port the integration backs with the database.

`InMemoryKnownCopies` is the reference implementation (tests, and tracing against an exported
register); the database adapter answers the same three questions with indexed queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from shokei.succession.fingerprint import TextFingerprint


@dataclass(frozen=True, slots=True)
class KnownCopy:
    """One issued copy, as recorded at release."""

    copy_id: str
    document_id: str
    recipient_corporate_number: str
    recipient_name: str
    sha256: str  # of the copy as issued (the marked file, or the ZIP)
    document_sha256: str  # of the original document it was made from
    delivered_unchanged: bool = False  # a ZIP delivery: the recipient also holds the original bytes
    fingerprint: TextFingerprint | None = None
    parent_copy_id: str | None = None  # a subcontractor's copy names the successor's copy


class KnownCopies(Protocol):
    """What `trace` asks the register."""

    def by_copy_id(self, copy_id: str) -> KnownCopy | None:
        """The copy with this id, or None."""
        ...

    def by_sha256(self, sha256: str) -> Sequence[KnownCopy]:
        """Copies whose issued file or whose original document has this SHA-256 (hex)."""
        ...

    def with_fingerprints(self) -> Iterable[KnownCopy]:
        """Every copy that has a text fingerprint (the similarity search walks these)."""
        ...

    def every_copy(self) -> Iterable[KnownCopy]:
        """Every registered copy (OCR readings are matched against all their ids)."""
        ...


class InMemoryKnownCopies:
    """`KnownCopies` over a list held in memory."""

    def __init__(self, copies: Iterable[KnownCopy] = ()) -> None:
        self._by_id: dict[str, KnownCopy] = {}
        for copy in copies:
            self.add(copy)

    def add(self, copy: KnownCopy) -> None:
        """Register one more copy; a copy id is registered once."""
        if copy.copy_id in self._by_id:
            raise ValueError(f"copy {copy.copy_id} is already registered")
        self._by_id[copy.copy_id] = copy

    def by_copy_id(self, copy_id: str) -> KnownCopy | None:
        """The copy with this id, or None."""
        return self._by_id.get(copy_id)

    def by_sha256(self, sha256: str) -> Sequence[KnownCopy]:
        """Copies whose issued file or original document has this SHA-256."""
        wanted = sha256.lower()
        return [copy for copy in self._by_id.values() if wanted in (copy.sha256, copy.document_sha256)]

    def with_fingerprints(self) -> Iterable[KnownCopy]:
        """Every copy with a fingerprint."""
        return [copy for copy in self._by_id.values() if copy.fingerprint is not None]

    def every_copy(self) -> Iterable[KnownCopy]:
        """Every registered copy."""
        return list(self._by_id.values())


def lineage(copy_id: str, known: KnownCopies) -> tuple[KnownCopy, ...]:
    """The copies from the first issued one down to `copy_id` (empty when it is unknown).

    MoD's copy to the successor comes first, a subcontractor's copy of it after. A cycle in the
    register (corrupt data) stops the walk instead of looping.
    """
    chain: list[KnownCopy] = []
    seen: set[str] = set()
    current = known.by_copy_id(copy_id)
    while current is not None and current.copy_id not in seen:
        chain.append(current)
        seen.add(current.copy_id)
        current = known.by_copy_id(current.parent_copy_id) if current.parent_copy_id else None
    return tuple(reversed(chain))
