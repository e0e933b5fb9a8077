"""STEP (ISO 10303-21) copies: the copy id in FILE_DESCRIPTION, a header comment and a notice.

The HEADER section is rewritten; everything from the end of the HEADER on (the DATA section,
possibly gigabytes) is copied byte for byte, except that a labelled notice (`step_annotation`:
a DESCRIPTIVE_REPRESENTATION_ITEM in a REPRESENTATION named SHOKEI-COPY) is appended at the
end of the last DATA section. The FILE_DESCRIPTION gets two more
descriptions (the marker with recipient and date; the Japanese prohibition with the recipient's
name, as \\X2\\ escapes), and FILE_NAME loses the withdrawing company's author, organisation,
authorisation and local path as the `StripPolicy` says, the originals being returned for the
ledger. Names of people and organisations inside the DATA section (ORGANIZATION, PERSON...) are
product data and are left alone.

A CAD system that imports the copy and exports a new file writes its own header: the marks do
not survive that, which `trace` answers with similarity instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shokei.formats.extract.step import Parameter, parse_parameters
from shokei.formats.marking.base import (
    NO_COPYING_EN,
    NO_COPYING_JA,
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
from shokei.formats.marking.step_annotation import copy_data_with_notice, notice_entities, read_annotation_ids

MAX_HEADER_BYTES = 1024 * 1024  # real headers are a few hundred bytes; this bounds hostile files
_UTF8_BOM = "\xef\xbb\xbf"  # as read through Latin-1
_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PRINTABLE = frozenset(chr(code) for code in range(0x20, 0x7F))
_BMP_LIMIT = 0xFFFF
_FILE_NAME_FIELDS = 7


@dataclass(frozen=True, slots=True)
class _Statement:
    keyword: str
    start: int  # where the keyword starts (comments before it are kept)
    end: int  # just past the `;`
    text: str  # without comments


@dataclass
class _Header:
    statements: list[_Statement] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    end: int = 0  # just past `ENDSEC;`


class _Scanner:
    """Statements and comments of a Part 21 text, from the start up to the HEADER's ENDSEC."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.header = _Header()

    def scan(self) -> _Header:
        if self.text.startswith(_UTF8_BOM):
            self.position = len(_UTF8_BOM)
        while self.position < len(self.text):
            statement = self._statement()
            self.header.statements.append(statement)
            if statement.keyword.upper() == "ENDSEC":
                self.header.end = statement.end
                return self.header
        raise CopyNotMarkable("no end of the STEP HEADER section within the first megabyte")

    def _statement(self) -> _Statement:
        self._skip_blanks_and_comments()
        start, pieces = self.position, []
        while self.position < len(self.text):
            character = self.text[self.position]
            if character == "'":
                pieces.append(self._string())
            elif self.text.startswith("/*", self.position):
                self._comment()
            elif character == ";":
                self.position += 1
                text = "".join(pieces).strip()
                keyword = _KEYWORD.match(text)
                return _Statement(keyword.group() if keyword else "", start, self.position, text)
            else:
                pieces.append(character)
                self.position += 1
        raise CopyNotMarkable("the STEP header ends in the middle of a statement")

    def _skip_blanks_and_comments(self) -> None:
        while self.position < len(self.text):
            if self.text[self.position].isspace():
                self.position += 1
            elif self.text.startswith("/*", self.position):
                self._comment()
            else:
                return

    def _comment(self) -> None:
        close = self.text.find("*/", self.position + 2)
        if close == -1:
            raise CopyNotMarkable("unterminated comment in the STEP header")
        self.header.comments.append(self.text[self.position + 2 : close])
        self.position = close + 2

    def _string(self) -> str:
        search = self.position + 1
        while True:
            quote = self.text.find("'", search)
            if quote == -1:
                raise CopyNotMarkable("unterminated string in the STEP header")
            if self.text.startswith("''", quote):
                search = quote + 2
                continue
            literal = self.text[self.position : quote + 1]
            self.position = quote + 1
            return literal


def _read_header(path: Path) -> tuple[str, _Header]:
    with path.open("rb") as stream:
        head = stream.read(MAX_HEADER_BYTES).decode("latin-1")  # bytes 1:1, rewritten 1:1
    header = _Scanner(head).scan()
    keywords = [statement.keyword.upper() for statement in header.statements]
    if keywords[:2] != ["ISO-10303-21", "HEADER"]:
        raise CopyNotMarkable("not an ISO 10303-21 file with a HEADER section")
    return head, header


def _find(header: _Header, keyword: str) -> _Statement:
    for statement in header.statements:
        if statement.keyword.upper() == keyword:
            return statement
    raise CopyNotMarkable(f"the STEP header has no {keyword}")


def _parameters(statement: _Statement) -> list[Parameter]:
    opening = statement.text.find("(")
    if opening == -1:
        raise CopyNotMarkable(f"the STEP header's {statement.keyword} has no parameters")
    return parse_parameters(statement.text[opening:])


# --- writing ----------------------------------------------------------------------------------


def encode_string(text: str) -> str:
    """A Part 21 string literal (with quotes): '' and \\\\ escaped, other Unicode as \\X2\\/\\X4\\ runs."""
    pieces: list[str] = []
    for run in re.finditer(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        chunk = run.group()
        if chunk[0] in _PRINTABLE:
            pieces.append(chunk.replace("\\", "\\\\").replace("'", "''"))
        elif all(ord(character) <= _BMP_LIMIT for character in chunk):
            pieces.append("\\X2\\" + "".join(f"{ord(c):04X}" for c in chunk) + "\\X0\\")
        else:
            pieces.append("\\X4\\" + "".join(f"{ord(c):08X}" for c in chunk) + "\\X0\\")
    return "'" + "".join(pieces) + "'"


def _string_list(values: list[str]) -> str:
    return "(" + ",".join(encode_string(value) for value in values) + ")"


def _strings(value: Parameter) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _text(values: list[Parameter], index: int) -> str:
    value = values[index] if index < len(values) else None
    return value if isinstance(value, str) else ""


def copy_descriptions(label: CopyLabel) -> list[str]:
    """The descriptions a copy adds to FILE_DESCRIPTION (the first carries the marker)."""
    return [
        f"{label.marker} issued {label.issued_on.isoformat()} to corporate no. "
        f"{label.recipient_corporate_number}; {NO_COPYING_EN}",
        f"貸与先 {label.recipient_name} {NO_COPYING_JA}",
    ]


def _file_description(statement: _Statement, label: CopyLabel) -> str:
    values = _parameters(statement)
    descriptions = [text for text in _strings(values[0] if values else None) if text]
    level = _text(values, 1) or "2;1"
    return (
        f"FILE_DESCRIPTION({_string_list(descriptions + copy_descriptions(label))},{encode_string(level)});"
    )


def _file_name(statement: _Statement, policy: StripPolicy) -> tuple[str, dict[str, str]]:
    values = _parameters(statement)
    values += [None] * (_FILE_NAME_FIELDS - len(values))
    name, stamp, preprocessor, system, authorization = (_text(values, i) for i in (0, 1, 4, 5, 6))
    authors, organizations = _strings(values[2]), _strings(values[3])
    recorded = {
        "step.file_name.name": name,
        "step.file_name.author": "; ".join(authors),
        "step.file_name.organization": "; ".join(organizations),
        "step.file_name.authorisation": authorization,
    }
    if policy.strip_local_paths:
        name = last_path_component(name)
    if policy.replace_authorship:
        authors, organizations, authorization = [policy.author], [policy.organization], ""
    fields = [
        encode_string(name),
        encode_string(stamp),
        _string_list(authors or [""]),
        _string_list(organizations or [""]),
        encode_string(preprocessor),
        encode_string(system),
        encode_string(authorization),
    ]
    return "FILE_NAME(" + ",\n  ".join(fields) + ");", recorded_values(recorded)


def _comment(label: CopyLabel) -> str:
    return (
        f"/* Shokei hand-over copy {label.marker} for corporate no. {label.recipient_corporate_number}, "
        f"issued {label.issued_on.isoformat()}. {NO_COPYING_EN}. */\n"
    )


def _replace(text: str, replacements: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(replacements, reverse=True):  # from the end: offsets stay valid
        text = text[:start] + new + text[end:]
    return text


def make_step_copy(
    source: Path, label: CopyLabel, destination: Path, policy: StripPolicy | None = None
) -> CopyResult:
    """Write `label`'s copy of the STEP file `source` to `destination` (DATA copied verbatim)."""
    chosen = policy or StripPolicy()
    head, header = _read_header(source)
    description = _find(header, "FILE_DESCRIPTION")
    name = _find(header, "FILE_NAME")
    new_name, recorded = _file_name(name, chosen)
    new_header = _replace(
        head[: header.end],
        [
            (description.start, description.end, _comment(label) + _file_description(description, label)),
            (name.start, name.end, new_name),
        ],
    )
    with (
        atomic_destination(destination) as temporary,
        source.open("rb") as original,
        temporary.open("wb") as copy,
    ):
        copy.write(new_header.encode("latin-1"))
        # Latin-1 decoding kept character offsets equal to bytes
        annotated = copy_data_with_notice(
            original, copy, header.end, lambda first: notice_entities(label, first, encode_string)
        )
    marks = (Mark.STEP_FILE_DESCRIPTION, Mark.STEP_HEADER_COMMENT) + (
        (Mark.STEP_ANNOTATION,) if annotated else ()
    )
    return CopyResult(destination, sha256_file(destination), "step", marks, recorded)


# --- reading marks back -----------------------------------------------------------------------


def _description_ids(header: _Header) -> Iterator[str]:
    for statement in header.statements:
        if statement.keyword.upper() == "FILE_DESCRIPTION":
            values = _parameters(statement)
            for text in _strings(values[0] if values else None):
                yield from find_markers(text)


def read_step_marks(path: Path) -> list[FoundMark]:
    """Copy ids in FILE_DESCRIPTION, in HEADER comments and in the notice among the data; none
    for a file that is not STEP."""
    try:
        _, header = _read_header(path)
    except (CopyNotMarkable, OSError):
        return []
    notices = [FoundMark(copy_id, Mark.STEP_ANNOTATION) for copy_id in read_annotation_ids(path)]
    found = [
        FoundMark(copy_id, Mark.STEP_FILE_DESCRIPTION) for copy_id in dict.fromkeys(_description_ids(header))
    ]
    comment_ids = dict.fromkeys(copy_id for comment in header.comments for copy_id in find_markers(comment))
    return found + [FoundMark(copy_id, Mark.STEP_HEADER_COMMENT) for copy_id in comment_ids] + notices
