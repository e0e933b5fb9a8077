"""Text fingerprints for tracing files whose identification is gone: MinHash over 5-character shingles.

Text is normalised (NFKC, case-folded, whitespace removed, stamp lines dropped) and cut into
overlapping 5-character shingles, which suits Japanese (no spaces between words) and survives
re-flowed lines. 128 MinHash values estimate the Jaccard similarity of two shingle sets: the
share of equal values. A fingerprint is 1 KiB, stored per copy by the integration.

The scheme is versioned (`SCHEME`): shingle size, count and seeds are part of it, and
fingerprints of different schemes are never compared. Seeds come from BLAKE2b, not from a
random generator whose stream could change between numpy versions.

For PDF and office files the text is the extracted text; for STEP, IGES and ASCII DXF it is the
file itself (geometry written as text), which finds a copy whose header was rewritten but not
a model exported again by another CAD system.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shokei.formats.extract import extract
from shokei.formats.marking.base import MARKER_PREFIX
from shokei.formats.sniff import DocumentType, detect_type_path

SCHEME = "minhash-char5-128-v1"
SHINGLE_CHARS = 5
PERMUTATIONS = 128
MAX_TEXT_CHARS = 1_000_000
MAX_RAW_BYTES = 8 * 1024 * 1024  # CAD files are fingerprinted on their first 8 MiB
MIN_SHINGLES = 20  # fewer distinct shingles than this is too little text to compare
_CHUNK = 8192
_ROLLING_BASE = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_STAMP_LINE = re.compile(r"^\s*(Copy ID: |貸与先)|" + re.escape(MARKER_PREFIX), re.MULTILINE)
_RAW_TEXT_TYPES = frozenset({DocumentType.STEP, DocumentType.IGES, DocumentType.DXF})
_EXTRACTED_TEXT_TYPES = frozenset({DocumentType.PDF, DocumentType.DOCX, DocumentType.XLSX, DocumentType.TEXT})

UInt64Array = npt.NDArray[np.uint64]


def _seeds() -> UInt64Array:
    words = [
        int.from_bytes(hashlib.blake2b(f"shokei-minhash-{index}".encode(), digest_size=8).digest(), "big")
        for index in range(PERMUTATIONS)
    ]
    return np.array(words, dtype=np.uint64)


_SEEDS = _seeds()


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    """MinHash values of a text's shingle set under one named scheme."""

    scheme: str
    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """1 KiB for storage: the values as big-endian 64-bit words (the scheme is stored apart)."""
        return np.array(self.values, dtype=">u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, scheme: str = SCHEME) -> TextFingerprint:
        """The inverse of `to_bytes`."""
        return cls(scheme, tuple(int(value) for value in np.frombuffer(data, dtype=">u8")))

    def similarity(self, other: TextFingerprint) -> float:
        """Estimated Jaccard similarity (0-1) of the two shingle sets; 0 across schemes."""
        if self.scheme != other.scheme or len(self.values) != len(other.values):
            return 0.0
        return sum(1 for mine, theirs in zip(self.values, other.values, strict=True) if mine == theirs) / len(
            self.values
        )


def normalise_text(text: str) -> str:
    """NFKC, case-folded, without whitespace and without Shokei's own stamp lines."""
    kept = [line for line in text.splitlines() if not _STAMP_LINE.search(line)]
    folded = unicodedata.normalize("NFKC", "\n".join(kept)).casefold()
    return "".join(folded.split())


def _mix(values: UInt64Array) -> UInt64Array:
    """SplitMix64's finaliser: spreads every input bit over the whole word (wraps mod 2**64)."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX_1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX_2
    return values ^ (values >> np.uint64(31))


def _shingle_hashes(text: str) -> UInt64Array:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    count = len(codes) - SHINGLE_CHARS + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    rolling = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):  # a polynomial hash of each window, all windows at once
        rolling = rolling * _ROLLING_BASE + codes[offset : offset + count]
    return np.unique(_mix(rolling))


def _min_hashes(shingles: UInt64Array) -> UInt64Array:
    minimum = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(shingles), _CHUNK):
        chunk = shingles[start : start + _CHUNK, None]
        minimum = np.minimum(minimum, _mix(chunk ^ _SEEDS[None, :]).min(axis=0))
    return minimum


def fingerprint_text(text: str) -> TextFingerprint | None:
    """The fingerprint of `text` (its first `MAX_TEXT_CHARS`), or None when there is too little."""
    shingles = _shingle_hashes(normalise_text(text[:MAX_TEXT_CHARS]))
    if len(shingles) < MIN_SHINGLES:
        return None
    return TextFingerprint(SCHEME, tuple(int(value) for value in _min_hashes(shingles)))


def document_text(path: Path) -> str:
    """The text a file is fingerprinted on: extracted text, or the CAD file's own text."""
    kind = detect_type_path(path)
    if kind in _EXTRACTED_TEXT_TYPES:
        return extract(path, kind, max_text_chars=MAX_TEXT_CHARS).text
    if kind in _RAW_TEXT_TYPES:
        with path.open("rb") as stream:
            raw = stream.read(MAX_RAW_BYTES)
        if kind is DocumentType.DXF and raw.startswith(b"AutoCAD Binary DXF"):
            return extract(path, kind, max_text_chars=MAX_TEXT_CHARS).text
        return raw.decode("latin-1")
    return ""


def fingerprint_file(path: Path) -> TextFingerprint | None:
    """The fingerprint of a file's text (see `document_text`), or None for too little text."""
    return fingerprint_text(document_text(path))
