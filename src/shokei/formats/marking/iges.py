"""IGES copies: the copy id in the Global section's file name field, the Start section and a
general note (entity 212, `iges_note`) the model shows.

IGES is 80-column records: columns 1-72 data, 73 the section letter (S, G, D, P, T), 74-80 a
sequence number. A copy appends its lines to the Start section (human-readable notes), rewrites
the Global section with the file name field (3) carrying the marker and the author (21) and
organisation (22) fields replaced as the `StripPolicy` says, renumbers those two sections and
updates the Terminate record's counts. Directory and Parameter records point at each other by
their own sequence numbers, so they are copied byte for byte; the note's records follow the last
of each. Record layout (newline or fixed
80-byte records, LF or CRLF, zero- or blank-padded numbers) is kept as the file had it.

Only ASCII is written into the Global section: a Hollerith count is a byte count and IGES has
no declared character set, so the recipient is named by corporate number there, not by name.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shokei.formats.extract.base import decode_legacy_bytes
from shokei.formats.marking.base import (
    NO_COPYING_EN,
    CopyLabel,
    CopyNotMarkable,
    CopyResult,
    FoundMark,
    Mark,
    StripPolicy,
    atomic_destination,
    find_markers,
    last_path_component,
    recorded_values,
    sha256_file,
)
from shokei.formats.marking.iges_note import NoteRecords, is_note_directory, note_ids, note_records

RECORD = 80
DATA = 72
SEQUENCE_WIDTH = 7
FILE_NAME_FIELD = 3  # zero-based positions in the Global section (IGES 5.3 fields 4, 21, 22)
AUTHOR_FIELD = 20
ORGANIZATION_FIELD = 21
_HOLLERITH = re.compile(r"\s*(\d+)H")
_TERMINATE_SECTIONS = "SGDP"


@dataclass(frozen=True, slots=True)
class _Layout:
    """How the records are laid out: line ending (b"" for fixed-length) and number padding."""

    newline: bytes
    zero_padded: bool

    def sequence(self, number: int) -> str:
        return f"{number:0{SEQUENCE_WIDTH}d}" if self.zero_padded else f"{number:>{SEQUENCE_WIDTH}d}"


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str  # as written (Hollerith with its count, numbers as they are)
    value: str  # a Hollerith string's characters, or the raw text


@dataclass(frozen=True, slots=True)
class _GlobalSection:
    tokens: list[_Token]
    parameter_delimiter: str
    record_delimiter: str


# --- records ----------------------------------------------------------------------------------


def _layout(head: bytes) -> _Layout:
    first_newline = head.find(b"\n")
    if 0 <= first_newline <= RECORD + 1:
        newline = b"\r\n" if head[:first_newline].endswith(b"\r") else b"\n"
        first = head[:first_newline].rstrip(b"\r")
    else:
        newline, first = b"", head[:RECORD]
    if len(first) != RECORD or first[72:73] not in (b"S", b"G"):
        raise CopyNotMarkable("not an IGES file with 80-column records")
    return _Layout(newline, first[73:74] == b"0")


def _records(stream: BinaryIO, layout: _Layout) -> Iterator[bytes]:
    """Each record's bytes as written, without its line ending (pad with `_padded` to read it)."""
    if not layout.newline:
        while record := stream.read(RECORD):
            yield record
        return
    for line in stream:
        yield line.rstrip(b"\r\n")


def _padded(record: bytes) -> bytes:
    # Some writers trim trailing blanks; the columns are still there in the format's eyes.
    return record.ljust(RECORD)


def _record(data: str, letter: str, number: int, layout: _Layout) -> bytes:
    return (data.ljust(DATA) + letter + layout.sequence(number)).encode("latin-1") + layout.newline


# --- the Global section -----------------------------------------------------------------------


def _read_token(text: str, position: int, delimiters: tuple[str, str]) -> tuple[_Token, int]:
    hollerith = _HOLLERITH.match(text, position)
    if hollerith is not None:
        start = hollerith.end()
        end = start + int(hollerith.group(1))
        return _Token(f"{hollerith.group(1)}H{text[start:end]}", text[start:end]), end
    end = position
    while end < len(text) and text[end] not in delimiters:
        end += 1
    raw = text[position:end].strip()
    return _Token(raw, raw), end


def parse_global(text: str) -> _GlobalSection:
    """The Global section as tokens, keeping each parameter as written."""
    parameter, record = ",", ";"
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        token, position = _read_token(text, position, (parameter, record))
        if len(tokens) == 0 and token.value:  # fields 1 and 2 may redefine the delimiters
            parameter = token.value[0]
        elif len(tokens) == 1 and token.value:
            record = token.value[0]
        tokens.append(token)
        while position < len(text) and text[position] == " ":
            position += 1
        delimiter = text[position] if position < len(text) else record
        position += 1
        if delimiter == record:
            break
    return _GlobalSection(tokens, parameter, record)


def _hollerith(value: str) -> _Token:
    return _Token(f"{len(value)}H{value}" if value else "", value)


def _global_lines(section: _GlobalSection) -> list[str]:
    """The parameters laid out in 72 columns, breaking after delimiters where possible."""
    last = len(section.tokens) - 1
    pieces = [
        token.raw + (section.record_delimiter if index == last else section.parameter_delimiter)
        for index, token in enumerate(section.tokens)
    ]
    lines = [""]
    for piece in pieces:
        _place(lines, piece)
    return lines


def _place(lines: list[str], piece: str) -> None:
    """Append `piece` to the last line, or to a new one; only a long string is split."""
    if len(lines[-1]) + len(piece) > DATA and len(piece) <= DATA:
        lines.append("")
    rest = piece
    while len(lines[-1]) + len(rest) > DATA:  # a string longer than a record: IGES lets it span
        room = DATA - len(lines[-1])
        lines[-1] += rest[:room]
        rest = rest[room:]
        lines.append("")
    lines[-1] += rest


def _with_copy_fields(
    section: _GlobalSection, label: CopyLabel, policy: StripPolicy
) -> tuple[_GlobalSection, dict[str, str]]:
    tokens = section.tokens + [_Token("", "")] * max(0, ORGANIZATION_FIELD + 1 - len(section.tokens))
    original = {
        "iges.global.file_name": tokens[FILE_NAME_FIELD].value,
        "iges.global.author": tokens[AUTHOR_FIELD].value,
        "iges.global.organization": tokens[ORGANIZATION_FIELD].value,
    }
    name = original["iges.global.file_name"]
    if policy.strip_local_paths:
        name = last_path_component(name)
    tokens[FILE_NAME_FIELD] = _hollerith(f"{name} {label.marker}".strip())
    if policy.replace_authorship:
        tokens[AUTHOR_FIELD] = _hollerith(policy.author)
        tokens[ORGANIZATION_FIELD] = _hollerith(policy.organization)
    recorded = {key: decode_legacy_bytes(value.encode("latin-1")) for key, value in original.items()}
    return _GlobalSection(tokens, section.parameter_delimiter, section.record_delimiter), recorded_values(
        recorded
    )


# --- the copy ---------------------------------------------------------------------------------


def start_lines(label: CopyLabel) -> list[str]:
    """The Start-section notes a copy appends (at most 72 columns each)."""
    note = (
        f"Shokei hand-over copy {label.marker} issued {label.issued_on.isoformat()} "
        f"to corporate no. {label.recipient_corporate_number}. {NO_COPYING_EN}."
    )
    return textwrap.wrap(note, DATA, break_long_words=False, break_on_hyphens=False)


def _terminate(record: bytes, counts: dict[str, int], layout: _Layout) -> bytes:
    text = record.decode("latin-1")
    fields = []
    for index, letter in enumerate(_TERMINATE_SECTIONS):
        original = text[index * 8 + 1 : index * 8 + 8]
        padded = original.startswith("0")
        fields.append(letter + (f"{counts[letter]:07d}" if padded else f"{counts[letter]:>7d}"))
    return (("".join(fields) + text[32:DATA]).ljust(DATA) + text[DATA:RECORD]).encode(
        "latin-1"
    ) + layout.newline


@dataclass
class _Sections:
    start: list[str]
    global_text: str
    first_other: bytes  # the first D record (or whatever follows G)


def _read_front(records: Iterator[bytes]) -> _Sections:
    start: list[str] = []
    global_parts: list[str] = []
    for raw in records:
        record = _padded(raw)
        letter, data = record[72:73], record[:DATA].decode("latin-1")
        if letter == b"S" and not global_parts:
            start.append(data.rstrip())
        elif letter == b"G":
            global_parts.append(data)
        elif global_parts:
            return _Sections(start, "".join(global_parts), raw)
        else:
            raise CopyNotMarkable(f"unexpected IGES record {letter!r} before the Global section")
    raise CopyNotMarkable("the IGES file ends before its Directory section")


def make_iges_copy(
    source: Path, label: CopyLabel, destination: Path, policy: StripPolicy | None = None
) -> CopyResult:
    """Write `label`'s copy of the IGES file `source` to `destination`."""
    chosen = policy or StripPolicy()
    with source.open("rb") as original, atomic_destination(destination) as temporary:
        layout = _layout(original.read(2 * RECORD + 4))
        original.seek(0)
        records = _records(original, layout)
        front = _read_front(records)
        section, recorded = _with_copy_fields(parse_global(front.global_text), label, chosen)
        start, global_lines = front.start + start_lines(label), _global_lines(section)
        delimiters = (section.parameter_delimiter, section.record_delimiter)
        with temporary.open("wb") as copy:
            _write_section(copy, "S", start, layout)
            _write_section(copy, "G", global_lines, layout)
            counts = {"S": len(start), "G": len(global_lines), "D": 0, "P": 0}
            note = _Note(label, delimiters, _count_parameters(source, layout))
            _copy_rest(copy, _chain(front.first_other, records), counts, layout, note)
    marks = (Mark.IGES_GLOBAL_FILE_NAME, Mark.IGES_START_SECTION, Mark.IGES_GENERAL_NOTE)
    return CopyResult(destination, sha256_file(destination), "iges", marks, recorded)


def _write_section(copy: BinaryIO, letter: str, lines: list[str], layout: _Layout) -> None:
    for number, data in enumerate(lines, start=1):
        copy.write(_record(data, letter, number, layout))


@dataclass(frozen=True, slots=True)
class _Note:
    label: CopyLabel
    delimiters: tuple[str, str]
    parameters_before: int  # the original's Parameter records: the note's data follows them


def _count_parameters(source: Path, layout: _Layout) -> int:
    with source.open("rb") as stream:
        return sum(1 for raw in _records(stream, layout) if _padded(raw)[72:73] == b"P")


def _copy_rest(
    copy: BinaryIO, rest: Iterator[bytes], counts: dict[str, int], layout: _Layout, note: _Note
) -> None:
    """Directory and Parameter records byte for byte, counted, the note's records after each
    section's last; the Terminate record updated."""
    records: NoteRecords | None = None
    earlier_notes = 0
    for raw in rest:
        letter = _padded(raw)[72:73].decode("latin-1")
        if letter == "D" and is_note_directory(_padded(raw)):
            earlier_notes += 1
        if letter in "PT" and records is None:  # the Directory section has ended
            number = counts.get("D", 0) + 1
            first_parameter = note.parameters_before + 1
            records = note_records(note.label, number, first_parameter, note.delimiters, earlier_notes)
            _append(copy, "D", records.directory, counts, layout)
        if letter == "T":
            assert records is not None
            _append(copy, "P", records.parameters, counts, layout)
            copy.write(_terminate(_padded(raw), counts, layout))
            continue
        counts[letter] = counts.get(letter, 0) + 1
        copy.write(raw + layout.newline)


def _append(
    copy: BinaryIO, letter: str, lines: Iterable[str], counts: dict[str, int], layout: _Layout
) -> None:
    for data in lines:
        counts[letter] = counts.get(letter, 0) + 1
        copy.write(_record(data, letter, counts[letter], layout))


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


# --- reading marks back -----------------------------------------------------------------------


def read_iges_marks(path: Path) -> list[FoundMark]:
    """Copy ids in the Start section, in the Global section's strings and in general notes."""
    try:
        with path.open("rb") as stream:
            layout = _layout(stream.read(2 * RECORD + 4))
            stream.seek(0)
            records = _records(stream, layout)
            front = _read_front(records)
            parameters = (
                record.decode("latin-1") for record in map(_padded, records) if record[72:73] == b"P"
            )
            note_copy_ids = list(dict.fromkeys(note_ids(parameters)))
    except (CopyNotMarkable, OSError):
        return []
    start_ids = find_markers("\n".join(front.start))
    global_ids = [
        copy_id for token in parse_global(front.global_text).tokens for copy_id in find_markers(token.value)
    ]
    return [
        *(FoundMark(copy_id, Mark.IGES_GLOBAL_FILE_NAME) for copy_id in dict.fromkeys(global_ids)),
        *(FoundMark(copy_id, Mark.IGES_START_SECTION) for copy_id in start_ids),
        *(FoundMark(copy_id, Mark.IGES_GENERAL_NOTE) for copy_id in note_copy_ids),
    ]
