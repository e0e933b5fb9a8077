"""Plain text: decoded with the encodings Japanese offices actually use, bounded.

A byte-order mark decides when present (UTF-8, UTF-16). Otherwise strict UTF-8, then cp932
(Windows Shift_JIS), then EUC-JP; Latin-1 last, which always decodes, so that nothing is lost
even when the guess is wrong (the metadata says which encoding was used).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from shokei.formats.extract.base import Extraction, Flag

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CANDIDATES = ("utf-8", "cp932", "euc_jp")
_FALLBACK = "latin-1"
_MAX_BYTES_PER_CHAR = 4  # UTF-8's worst case: reading this many bytes per wanted character


def detect_encoding(data: bytes) -> str:
    """The first encoding that decodes `data` strictly (a cut-off last character is forgiven)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    for encoding in _CANDIDATES:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(data, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return _FALLBACK


def extract_text(path: Path, max_text_chars: int) -> Extraction:
    """The file's text (up to `max_text_chars`), its encoding and line count."""
    byte_budget = max_text_chars * _MAX_BYTES_PER_CHAR
    with path.open("rb") as stream:
        data = stream.read(byte_budget + 1)
    cut_short = len(data) > byte_budget
    data = data[:byte_budget]
    encoding = detect_encoding(data)
    text = data.decode(encoding, errors="replace")
    if cut_short and text.endswith("\ufffd"):
        text = text[:-1]  # the byte budget split the last character, it is not damage
    result = Extraction(metadata={"encoding": encoding})
    if len(text) > max_text_chars or cut_short:
        text = text[:max_text_chars]
        result.flag(Flag.TRUNCATED)
    result.text = text
    result.metadata["line_count"] = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    return result
