"""IGES: the Start section's notes, the Global section's fields and a census of entity types.

IGES files are 80-column records; column 73 names the section (S, G, D, P, T) and 74-80 hold a
sequence number, zero- or blank-padded. The Global section is a list of parameters across
columns 1-72 of its records, separated by a parameter delimiter and ended by a record delimiter
(both `,`/`;` unless fields 1 and 2 redefine them). Strings are Hollerith constants, `nH`
followed by exactly n characters, so they may contain the delimiters and span records.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from shokei.formats.extract.base import (
    Extraction,
    Flag,
    JSONValue,
    TextCollector,
    decode_legacy_bytes,
)

RECORD_LENGTH = 80
DATA_COLUMNS = 72
MAX_LINE_BYTES = 4096
MAX_START_RECORDS = 2000
MAX_RECORDS = 5_000_000  # the Directory census stops here (10-20 MB of IGES per million records)
_HOLLERITH = re.compile(r"\s*(\d+)H")
_DEFAULT_PARAMETER_DELIMITER = ","
_DEFAULT_RECORD_DELIMITER = ";"

_STRING, _INTEGER, _REAL = "string", "integer", "real"
# Global section parameters (IGES 5.3, section 2.2.4.3), by position: (name, kind).
_GLOBAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("parameter_delimiter", _STRING),
    ("record_delimiter", _STRING),
    ("sender_product_id", _STRING),
    ("file_name", _STRING),
    ("native_system_id", _STRING),
    ("preprocessor_version", _STRING),
    ("integer_bits", _INTEGER),
    ("single_precision_magnitude", _INTEGER),
    ("single_precision_significance", _INTEGER),
    ("double_precision_magnitude", _INTEGER),
    ("double_precision_significance", _INTEGER),
    ("receiver_product_id", _STRING),
    ("model_space_scale", _REAL),
    ("units_flag", _INTEGER),
    ("units_name", _STRING),
    ("max_line_weight_gradations", _INTEGER),
    ("max_line_width", _REAL),
    ("created", _STRING),
    ("min_resolution", _REAL),
    ("max_coordinate", _REAL),
    ("author", _STRING),
    ("organization", _STRING),
    ("version_flag", _INTEGER),
    ("drafting_standard_flag", _INTEGER),
    ("modified", _STRING),
    ("application_protocol", _STRING),
)
# Units flag (global field 14) to the unit name field 15 must carry; 3 means "named in field 15".
_UNITS = {1: "IN", 2: "MM", 4: "FT", 5: "MI", 6: "M", 7: "KM", 8: "MIL", 9: "UM", 10: "CM", 11: "UIN"}
_VERSIONS = {
    1: "1.0",
    2: "ANSI Y14.26M-1981",
    3: "2.0",
    4: "3.0",
    5: "ASME/ANSI Y14.26M-1987",
    6: "4.0",
    7: "ASME Y14.26M-1989",
    8: "5.0",
    9: "5.1",
    10: "5.2",
    11: "5.3",
}
_TEXT_FIELDS = (
    "sender_product_id",
    "receiver_product_id",
    "file_name",
    "native_system_id",
    "preprocessor_version",
    "author",
    "organization",
)


@dataclass
class _Sections:
    start: list[str] = field(default_factory=list)
    global_text: list[str] = field(default_factory=list)
    entity_types: Counter[int] = field(default_factory=Counter)
    directory_records: int = 0
    complete: bool = True


def _records(stream: BinaryIO) -> Iterator[str]:
    """80-column records as text (bytes 1:1 as Latin-1), newline-separated or fixed-length."""
    head = stream.read(RECORD_LENGTH + 2)
    stream.seek(0)
    if b"\n" not in head:
        while record := stream.read(RECORD_LENGTH):
            yield record.decode("latin-1").ljust(RECORD_LENGTH)
        return
    while line := stream.readline(MAX_LINE_BYTES):
        yield line.rstrip(b"\r\n").decode("latin-1").ljust(RECORD_LENGTH)


def _read_sections(path: Path) -> _Sections:
    sections = _Sections()
    with path.open("rb") as stream:
        for number, record in enumerate(_records(stream)):
            if number >= MAX_RECORDS:
                sections.complete = False
                break
            _take_record(sections, record)
    return sections


def _take_record(sections: _Sections, record: str) -> None:
    letter, data = record[DATA_COLUMNS], record[:DATA_COLUMNS]
    if letter == "S" and len(sections.start) < MAX_START_RECORDS:
        sections.start.append(data.rstrip())
    elif letter == "G":
        sections.global_text.append(data)
    elif letter == "D":
        # Each entity has two Directory records; the first one's columns 1-8 hold its type.
        if sections.directory_records % 2 == 0:
            entity_type = data[:8].strip()
            sections.entity_types[int(entity_type) if entity_type.isdigit() else -1] += 1
        sections.directory_records += 1
    elif letter in "CF" and not sections.global_text:
        raise ValueError("compressed or binary IGES is not supported")


@dataclass
class _Cursor:
    text: str
    position: int = 0

    def skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position] == " ":
            self.position += 1

    def at_end(self) -> bool:
        return self.position >= len(self.text)


def parse_global_section(text: str) -> list[str]:
    """The Global section's parameters as raw strings (Hollerith strings decoded, blanks '')."""
    cursor = _Cursor(text)
    parameter, record = _DEFAULT_PARAMETER_DELIMITER, _DEFAULT_RECORD_DELIMITER
    values: list[str] = []
    while not cursor.at_end():
        value = _read_value(cursor, parameter, record)
        # Fields 1 and 2 may redefine the delimiters, which then apply from the next character.
        if len(values) == 0 and value:
            parameter = value[0]
        elif len(values) == 1 and value:
            record = value[0]
        values.append(value)
        cursor.skip_spaces()
        delimiter = cursor.text[cursor.position] if not cursor.at_end() else record
        cursor.position += 1
        if delimiter == record:
            break
    return values


def _read_value(cursor: _Cursor, parameter: str, record: str) -> str:
    hollerith = _HOLLERITH.match(cursor.text, cursor.position)
    if hollerith is not None:
        start = hollerith.end()
        cursor.position = start + int(hollerith.group(1))
        return cursor.text[start : cursor.position]
    end = cursor.position
    while end < len(cursor.text) and cursor.text[end] not in (parameter, record):
        end += 1
    value, cursor.position = cursor.text[cursor.position : end].strip(), end
    return value


def _typed(raw: str, kind: str) -> JSONValue:
    if kind == _STRING:
        return decode_legacy_bytes(raw.encode("latin-1"))
    if not raw:
        return None
    try:
        number = float(raw.upper().replace("D", "E"))  # FORTRAN double exponent: 1.0D-3
    except ValueError:
        return None
    return int(number) if kind == _INTEGER else number


def _global_metadata(values: list[str]) -> dict[str, JSONValue]:
    metadata: dict[str, JSONValue] = {
        name: _typed(raw, kind) for (name, kind), raw in zip(_GLOBAL_FIELDS, values, strict=False)
    }
    metadata["parameter_delimiter"] = metadata.get("parameter_delimiter") or ","
    metadata["record_delimiter"] = metadata.get("record_delimiter") or ";"
    metadata["units"] = _units(metadata)
    version = metadata.get("version_flag")
    if isinstance(version, int) and version in _VERSIONS:
        metadata["iges_version"] = _VERSIONS[version]
    return metadata


def _units(metadata: dict[str, JSONValue]) -> str | None:
    """Field 15 when given, else the name the units flag (field 14) stands for."""
    name = metadata.get("units_name")
    if isinstance(name, str) and name.strip():
        return name.strip().upper()
    flag = metadata.get("units_flag")
    return _UNITS.get(flag) if isinstance(flag, int) else None


def extract_iges(path: Path, max_text_chars: int) -> Extraction:
    """Global section fields, units, entity census and Start-section notes of an IGES file."""
    sections = _read_sections(path)
    if not sections.global_text:
        raise ValueError("no IGES Global section")
    result = Extraction(metadata=_global_metadata(parse_global_section("".join(sections.global_text))))
    census: dict[str, JSONValue] = {
        str(entity_type): count for entity_type, count in sorted(sections.entity_types.items())
    }
    result.metadata["entity_count"] = sum(sections.entity_types.values())
    result.metadata["entity_types"] = census
    if not sections.complete:
        result.flag(Flag.TRUNCATED)
    _collect_text(sections, result, max_text_chars)
    return result


def _collect_text(sections: _Sections, result: Extraction, max_text_chars: int) -> None:
    collector = TextCollector(max_text_chars)
    collector.add(decode_legacy_bytes("\n".join(sections.start).strip().encode("latin-1")))
    for name in _TEXT_FIELDS:
        value = result.metadata.get(name)
        collector.add(value if isinstance(value, str) else "")
    collector.finish(result)
