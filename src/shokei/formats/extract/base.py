"""What every extractor returns, and the small helpers they share (text budget, legacy decoding)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

JSONValue: TypeAlias = str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None

MAX_LIST_ITEMS = 1000  # names, layers, products...: enough for an inventory, bounded for a hostile file
ERROR_MESSAGE_CHARS = 200


class Flag(StrEnum):
    """Conditions an examiner must see next to the extracted data."""

    ENCRYPTED = "encrypted"  # content is locked; nothing was guessed
    UNPARSEABLE = "unparseable"  # the file could not be read at all; metadata["error"] says why
    TRUNCATED = "truncated"  # a size bound stopped the reading: text or lists are incomplete
    PARTIAL = "partial"  # some parts failed (a page, a sheet) and were skipped
    DECOMPRESSION_BOMB = "decompression_bomb"  # declared size far beyond what is plausible
    TOO_LARGE = "too_large"  # refused before parsing: would not fit the memory budget


@dataclass
class Extraction:
    """Metadata (JSON-able), searchable text and flags extracted from one document."""

    metadata: dict[str, JSONValue] = field(default_factory=dict)
    text: str = ""
    flags: list[str] = field(default_factory=list)

    def flag(self, flag: Flag) -> None:
        """Add `flag` once."""
        if flag not in self.flags:
            self.flags.append(flag)


def failed_extraction(error: BaseException) -> Extraction:
    """The result for a file that could not be read: flagged, with the error class recorded."""
    return Extraction(
        metadata={"error": type(error).__name__, "error_message": str(error)[:ERROR_MESSAGE_CHARS]},
        flags=[Flag.UNPARSEABLE],
    )


class TextCollector:
    """Joins text pieces with newlines and stops at `max_chars`, remembering that it did."""

    def __init__(self, max_chars: int) -> None:
        if max_chars < 0:
            raise ValueError("max_chars must not be negative")
        self._max_chars = max_chars
        self._pieces: list[str] = []
        self._length = 0
        self.truncated = False

    @property
    def full(self) -> bool:
        """True once no more text will be accepted (the caller may stop reading)."""
        return self.truncated

    def add(self, piece: str) -> None:
        """Append `piece` (empty pieces are ignored); beyond the budget it is cut and flagged."""
        if not piece or self.truncated:
            return
        separator = 1 if self._pieces else 0
        room = self._max_chars - self._length - separator
        if len(piece) > room:
            self.truncated = True
            piece = piece[: max(room, 0)]
            if not piece:
                return
        self._pieces.append(piece)
        self._length += separator + len(piece)

    def text(self) -> str:
        """Everything collected so far."""
        return "\n".join(self._pieces)

    def finish(self, extraction: Extraction) -> None:
        """Store the text in `extraction`, flagging it truncated when the budget was hit."""
        extraction.text = self.text()
        if self.truncated:
            extraction.flag(Flag.TRUNCATED)


def decode_legacy_bytes(raw: bytes) -> str:
    """Decode bytes of unknown encoding the way Japanese CAD and office files need it.

    UTF-8 first; then cp932 (Shift_JIS as Windows writes it), accepted only when it yields
    Japanese characters and no private-use code points, because Latin-1 accented text often
    decodes as cp932 too (as half-width katakana or user-defined characters); Latin-1 last,
    which never fails.
    """
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        candidate = raw.decode("cp932")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
    return candidate if _looks_japanese(candidate) else raw.decode("latin-1")


def _looks_japanese(text: str) -> bool:
    non_ascii = [ch for ch in text if not ch.isascii()]
    if any("\ue000" <= ch <= "\uf8ff" or "\uff61" <= ch <= "\uff9f" for ch in non_ascii):
        return False  # user-defined area or half-width katakana: the usual Latin-1 misreadings
    return any(_is_japanese_char(ch) for ch in non_ascii)


def _is_japanese_char(ch: str) -> bool:
    return (
        "\u3040" <= ch <= "\u30ff"  # hiragana, katakana
        or "\u4e00" <= ch <= "\u9fff"  # CJK unified ideographs
        or "\u3000" <= ch <= "\u303f"  # CJK punctuation
        or "\uff01" <= ch <= "\uff60"  # full-width forms
    )


def bounded(items: list[str], limit: int = MAX_LIST_ITEMS) -> tuple[list[JSONValue], bool]:
    """The first `limit` distinct non-empty items in order, and whether any were dropped."""
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item)
    kept: list[JSONValue] = []
    kept.extend(list(seen)[:limit])  # list[str] is not a list[JSONValue] to mypy; extend is
    return kept, len(seen) > limit
