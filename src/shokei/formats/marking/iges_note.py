"""The visible mark of an IGES copy: a general note (entity 212) labelled SHOKEI in the model.

Two text lines at the model's origin, in red, text height `HEIGHT` (model units): the stamp's
English line and the marker. The note's Directory entry comes after the file's last one and its
Parameter records after the last Parameter record, so every existing pointer stays valid and the
original D and P records are kept byte for byte; the Terminate counts include the note. A CAD
system that imports the copy shows the note as an annotation entity (status: annotation) and
can delete it like any other; the Start and Global marks are elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shokei.formats.marking.base import CopyLabel, find_markers
from shokei.formats.marking.pdf_stamp import english_stamp_line

GENERAL_NOTE = 212
_NOTE_DATA = re.compile(rf"\s*{GENERAL_NOTE}\D")
LABEL = "SHOKEI"
HEIGHT = 2.5
WIDTH_PER_HEIGHT = 0.6  # of a character: the box a system may fit the text into
COLOUR_RED = 2
ANNOTATION_STATUS = "00000100"  # visible, independent, annotation, global top down
PARAMETER_DATA = 64
FIELD = 8


@dataclass(frozen=True, slots=True)
class NoteRecords:
    """The note's records without section letter and sequence: (data, letter) pairs to number."""

    directory: tuple[str, str]  # the two Directory lines' 72 columns
    parameters: tuple[str, ...]  # the Parameter lines' 72 columns (data, blank, D pointer)


def _field(value: object) -> str:
    return str(value).rjust(FIELD)


def _strings(label: CopyLabel) -> list[str]:
    return [english_stamp_line(label), label.marker]


def note_records(
    label: CopyLabel, directory_number: int, parameter_number: int, delimiters: tuple[str, str], stacked: int
) -> NoteRecords:
    """The note numbered at D `directory_number` with its data from P `parameter_number`, below
    the `stacked` notes of earlier copies."""
    parameter, record = delimiters
    texts = _strings(label)
    values: list[str] = [str(GENERAL_NOTE), str(len(texts))]
    for line, text in enumerate(texts):
        values += [
            str(len(text)),
            f"{len(text) * HEIGHT * WIDTH_PER_HEIGHT:.1f}",
            f"{HEIGHT:.1f}",
            "1",  # font code 1: the default
            "1.5708",  # slant: upright (pi/2)
            "0.",  # rotation
            "0",  # no mirroring
            "0",  # horizontal
            "0.",
            f"{-2 * HEIGHT * (line + 2 * stacked) + 0.0:.1f}",  # never -0.0
            "0.",
            f"{len(text)}H{text}",
        ]
    data = parameter.join(values) + record
    chunks = [data[start : start + PARAMETER_DATA] for start in range(0, len(data), PARAMETER_DATA)]
    lines = tuple(chunk.ljust(PARAMETER_DATA) + " " + str(directory_number).rjust(7) for chunk in chunks)
    first = "".join(
        _field(value) for value in (GENERAL_NOTE, parameter_number, 0, 1, 0, 0, 0, 0, ANNOTATION_STATUS)
    )
    second = "".join(
        _field(value) for value in (GENERAL_NOTE, 0, COLOUR_RED, len(lines), 0, "", "", LABEL, 0)
    )
    return NoteRecords((first, second), lines)


def is_note_directory(record: bytes) -> bool:
    """Whether a Directory record (80 columns) is the second line of a copy's note."""
    return record[:8].strip() == str(GENERAL_NOTE).encode() and record[56:64].strip() == LABEL.encode()


def note_ids(parameter_records: Iterable[str]) -> Iterator[str]:
    """Copy ids in the general notes among Parameter records (72 columns each, in order)."""
    group: list[str] = []
    pointer = ""
    for record in parameter_records:
        if record[65:72] != pointer:
            yield from _group_ids(group)
            group, pointer = [], record[65:72]
        group.append(record[:PARAMETER_DATA])
    yield from _group_ids(group)


def _group_ids(group: list[str]) -> Iterator[str]:
    text = "".join(group)
    if _NOTE_DATA.match(text):
        yield from find_markers(text)
