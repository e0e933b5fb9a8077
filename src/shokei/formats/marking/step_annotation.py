"""The visible mark of a STEP copy: a labelled notice among the product data.

Appended at the end of the (last) DATA section, with entity numbers after the file's highest:

    #n   = DESCRIPTIVE_REPRESENTATION_ITEM('Shokei copy notice','<marker> / <stamp lines>');
    #n+1 = REPRESENTATION_CONTEXT('SHOKEI-COPY','copy notice');
    #n+2 = REPRESENTATION('SHOKEI-COPY',(#n),#n+1);

Entities of the integrated resources every application protocol (AP203, AP214, AP242) has, so a
CAD system that imports the copy shows the notice among the representations (as a named,
described item) and one that exports it again may keep it, unlike the HEADER. The rest of the
DATA is copied byte for byte. `read_annotation_ids` reads the copy ids back from any notice in
the file (a copy of a copy carries both).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from shokei.formats.marking.base import CopyLabel, find_markers
from shokei.formats.marking.pdf_stamp import english_stamp_line, japanese_stamp_line

NOTICE_NAME = "Shokei copy notice"
REPRESENTATION_NAME = "SHOKEI-COPY"
_CHUNK = 1024 * 1024
_OVERLAP = 4096  # longer than any notice, so one split by a chunk boundary is seen whole
_TAIL = 64 * 1024
_ENTITY_NUMBER = re.compile(rb"#(\d+)\s*=")
_END_OF_DATA = re.compile(rb"ENDSEC\s*;\s*END-ISO-10303-21\s*;", re.IGNORECASE)
_NOTICE = re.compile(
    rb"DESCRIPTIVE_REPRESENTATION_ITEM\s*\(\s*'" + re.escape(NOTICE_NAME.encode()) + rb"'\s*,\s*'([^']*)'"
)


def notice_entities(label: CopyLabel, first: int, encode: Callable[[str], str]) -> bytes:
    """The three entities of `label`'s notice, numbered from `first`; `encode` writes a string
    literal (`step.encode_string`). The marker comes first: a name with a quote cannot hide it."""
    description = f"{label.marker} / {english_stamp_line(label)} / {japanese_stamp_line(label)}"
    lines = [
        f"#{first}=DESCRIPTIVE_REPRESENTATION_ITEM({encode(NOTICE_NAME)},{encode(description)});",
        f"#{first + 1}=REPRESENTATION_CONTEXT({encode(REPRESENTATION_NAME)},{encode('copy notice')});",
        f"#{first + 2}=REPRESENTATION({encode(REPRESENTATION_NAME)},(#{first}),#{first + 1});",
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def copy_data_with_notice(
    source: BinaryIO, copy: BinaryIO, start: int, notice: Callable[[int], bytes]
) -> bool:
    """Copy `source` from `start` to `copy`, the notice inserted before the last DATA section's
    ENDSEC; False (and the data copied unchanged) when that end cannot be found."""
    size = source.seek(0, 2)
    tail_start = max(start, size - _TAIL)
    source.seek(tail_start)
    ends = list(_END_OF_DATA.finditer(source.read()))
    if not ends:
        source.seek(start)
        shutil.copyfileobj(source, copy)
        return False
    insert_at = tail_start + ends[-1].start()
    highest = max(_entity_numbers(source, start, insert_at), default=0)
    source.seek(start)
    _copy_exactly(source, copy, insert_at - start)
    copy.write(notice(highest + 1))
    shutil.copyfileobj(source, copy)
    return True


def _entity_numbers(source: BinaryIO, start: int, end: int) -> Iterator[int]:
    source.seek(start)
    position, carried = start, b""
    while position < end:
        chunk = source.read(min(_CHUNK, end - position))
        if not chunk:
            return
        position += len(chunk)
        text = carried + chunk
        yield from (int(match.group(1)) for match in _ENTITY_NUMBER.finditer(text))
        carried = text[-64:] if len(text) > 64 else b""
        # a number seen in the carried bytes is seen again: max() does not mind


def _copy_exactly(source: BinaryIO, copy: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = source.read(min(_CHUNK, count))
        if not chunk:
            return
        copy.write(chunk)
        count -= len(chunk)


def read_annotation_ids(path: Path) -> list[str]:
    """The copy ids of every notice in the file, in order."""
    found: list[str] = []
    try:
        with path.open("rb") as stream:
            carried = b""
            while chunk := stream.read(_CHUNK):
                text = carried + chunk
                for match in _NOTICE.finditer(text):
                    found.extend(find_markers(match.group(1).decode("latin-1")))
                carried = text[-_OVERLAP:]
    except OSError:
        return []
    return list(dict.fromkeys(found))
