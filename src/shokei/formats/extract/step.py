"""STEP (ISO 10303-21) header and product data, from our own small streaming Part 21 reader.

The file is read in chunks and cut into statements at `;` outside string literals and
`/* comments */`. Part 21 gives line breaks no meaning, and edition-1 writers wrapped long string
literals at 80 columns, so a line break inside a string is dropped (`'...assemblie` + newline +
`s'` reads "assemblies"). `''` is a quote; `\\X2\\...\\X0\\` and the other control directives
are decoded.

Only the HEADER is read whole. The DATA section is scanned for a few entities an examiner needs
(PRODUCT, APPLICATION_CONTEXT, ORGANIZATION, SECURITY_CLASSIFICATION_LEVEL) up to
`MAX_DATA_CHARS`; a larger file is flagged `truncated` rather than read to the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum, auto
from pathlib import Path
from typing import TypeAlias

from shokei.formats.extract.base import (
    MAX_LIST_ITEMS,
    Extraction,
    Flag,
    JSONValue,
    TextCollector,
    decode_legacy_bytes,
)

CHUNK_CHARS = 64 * 1024
MAX_STATEMENT_CHARS = 1024 * 1024  # longer statements (huge point lists) are skipped, not stored
MAX_DATA_CHARS = 64 * 1024 * 1024

Parameter: TypeAlias = str | list["Parameter"] | None

_MAGIC = "ISO-10303-21"
_UTF8_BOM = b"\xef\xbb\xbf"
_END = "END-ISO-10303-21"
_HEADER_ENTITY = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_DATA_INSTANCE = re.compile(r"\s*#\d+\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([(),])|([^\s'(),]+))")
_NORMAL_STOP = re.compile(r"['/;]")
_DIRECTIVE = re.compile(
    r"\\X2\\((?:[0-9A-Fa-f]{4})*)\\X0\\"
    r"|\\X4\\((?:[0-9A-Fa-f]{8})*)\\X0\\"
    r"|\\X\\([0-9A-Fa-f]{2})"
    r"|\\S\\(.)"
    r"|\\P[A-I]\\"
    r"|\\[NF]\\"
    r"|\\\\",
    re.DOTALL,
)
# Schema names as written by the common application protocols, for a readable label.
_PROTOCOLS = (
    ("CONFIG_CONTROL_DESIGN", "AP203"),
    ("AP203", "AP203e2"),
    ("AUTOMOTIVE_DESIGN", "AP214"),
    ("AP214", "AP214"),
    ("AP242", "AP242"),
    ("AP238", "AP238"),
    ("STRUCTURAL_ANALYSIS_DESIGN", "AP209"),
    ("AP209", "AP209"),
)


# Header fields worth searching; time stamps and implementation levels are not.
_HEADER_TEXT_FIELDS = (
    "description",
    "name",
    "author",
    "organization",
    "authorization",
    "originating_system",
    "preprocessor_version",
)


class _State(Enum):
    NORMAL = auto()
    STRING = auto()
    STRING_QUOTE = auto()  # saw a quote inside a string: closing, or the first half of ''?
    COMMENT = auto()


class StatementSplitter:
    """Cuts a Part 21 character stream into statements, fed chunk by chunk.

    Yields each statement without its `;`, comments removed and string literals kept with their
    quotes; a statement longer than `max_chars` is yielded as None (skipped, but counted).
    """

    def __init__(self, max_chars: int = MAX_STATEMENT_CHARS) -> None:
        self._max_chars = max_chars
        self._state = _State.NORMAL
        self._carry = ""
        self._parts: list[str] = []
        self._length = 0
        self._oversized = False
        self._handlers: dict[_State, Callable[[str, int], tuple[int, bool]]] = {
            _State.NORMAL: self._in_normal,
            _State.STRING: self._in_string,
            _State.STRING_QUOTE: self._after_quote,
            _State.COMMENT: self._in_comment,
        }

    def feed(self, chunk: str) -> Iterator[str | None]:
        """Consume `chunk`, yielding every statement it completes."""
        text, self._carry = self._carry + chunk, ""
        position = 0
        while position < len(text):
            position, statement_done = self._step(text, position)
            if statement_done:
                yield self._take()

    def finish(self) -> str | None:
        """What is left after the last `;` (a file cut short), or None when nothing is."""
        remainder = self._take()
        return remainder if remainder else None

    def _step(self, text: str, position: int) -> tuple[int, bool]:
        return self._handlers[self._state](text, position)

    def _in_normal(self, text: str, position: int) -> tuple[int, bool]:
        found = _NORMAL_STOP.search(text, position)
        if found is None:
            self._append(text[position:])
            return len(text), False
        self._append(text[position : found.start()])
        stop, after = found.group(), found.end()
        if stop == ";":
            return after, True
        if stop == "'":
            self._append("'")
            self._state = _State.STRING
            return after, False
        if after == len(text):  # a '/' at the chunk end: is it the start of a comment?
            self._carry = "/"
            return after, False
        if text[after] == "*":
            self._state = _State.COMMENT
            return after + 1, False
        self._append("/")
        return after, False

    def _in_string(self, text: str, position: int) -> tuple[int, bool]:
        quote = text.find("'", position)
        end = len(text) if quote == -1 else quote
        self._append(_without_line_breaks(text[position:end]))
        if quote == -1:
            return len(text), False
        self._state = _State.STRING_QUOTE
        return quote + 1, False

    def _after_quote(self, text: str, position: int) -> tuple[int, bool]:
        while position < len(text) and text[position] in "\r\n":
            position += 1  # '' may be wrapped between its two quotes, too
        if position == len(text):
            return position, False
        if text[position] == "'":
            self._append("''")
            self._state = _State.STRING
            return position + 1, False
        self._append("'")
        self._state = _State.NORMAL
        return position, False

    def _in_comment(self, text: str, position: int) -> tuple[int, bool]:
        close = text.find("*/", position)
        if close == -1:
            self._carry = "*" if text.endswith("*") else ""
            return len(text), False
        self._state = _State.NORMAL
        return close + 2, False

    def _append(self, piece: str) -> None:
        if self._oversized or not piece:
            return
        self._length += len(piece)
        if self._length > self._max_chars:
            self._oversized, self._parts = True, []
            return
        self._parts.append(piece)

    def _take(self) -> str | None:
        statement = None if self._oversized else "".join(self._parts).strip()
        self._parts, self._length, self._oversized = [], 0, False
        return statement


def _without_line_breaks(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")


def parse_parameters(text: str) -> list[Parameter]:
    """The parameter list of `NAME(...)` (text starting at its `(`), strings decoded.

    Non-string values (numbers, references, enumerations, `$`, `*`) become None: the header and
    the entities read here need strings only. Typed values such as `LENGTH_MEASURE(0.01)` become
    their inner list. Iterative, so hostile nesting cannot exhaust the stack.
    """
    root: list[Parameter] = []
    stack = [root]
    previous_was_atom = False
    for token in _TOKEN.finditer(text):
        string, punctuation, atom = token.groups()
        if punctuation == "(":
            if previous_was_atom:
                stack[-1].pop()  # the keyword of a typed value is not a value of its own
            nested: list[Parameter] = []
            stack[-1].append(nested)
            stack.append(nested)
        elif punctuation == ")" and len(stack) > 1:
            stack.pop()
        elif string is not None:
            stack[-1].append(decode_string(string[1:-1]))
        elif atom is not None:
            stack[-1].append(None)
        previous_was_atom = atom is not None
    first = root[0] if root else None
    return first if isinstance(first, list) else []


def decode_string(raw: str) -> str:
    """A Part 21 string literal's content (without quotes) as text."""
    unquoted = raw.replace("''", "'")
    if not unquoted.isascii():  # raw 8-bit text: UTF-8 (edition 3) or, in Japan, Shift_JIS
        unquoted = decode_legacy_bytes(unquoted.encode("latin-1"))
    return _DIRECTIVE.sub(_decode_directive, unquoted)


def _decode_directive(match: re.Match[str]) -> str:
    two_byte, four_byte, one_byte, shifted = match.groups()
    if two_byte is not None:
        return bytes.fromhex(two_byte).decode("utf-16-be", "replace")
    if four_byte is not None:
        return bytes.fromhex(four_byte).decode("utf-32-be", "replace")
    if one_byte is not None:
        return chr(int(one_byte, 16))
    if shifted is not None:
        return chr(ord(shifted) + 128)
    return "\\" if match.group() == "\\\\" else ""  # code page switches and print controls


def _json_list(items: Iterable[JSONValue]) -> list[JSONValue]:
    return list(items)


def _strings(values: list[Parameter]) -> list[str]:
    """The string values of an aggregate (or the single string), ignoring anything else."""
    return [value for value in values if isinstance(value, str)]


def _string_at(values: list[Parameter], index: int) -> str | None:
    value = values[index] if index < len(values) else None
    return value if isinstance(value, str) else None


def _list_at(values: list[Parameter], index: int) -> list[str]:
    value = values[index] if index < len(values) else None
    if isinstance(value, list):
        return [item for item in _strings(value) if item]
    return [value] if isinstance(value, str) and value else []


# --- header -----------------------------------------------------------------------------------


def _file_description(values: list[Parameter]) -> dict[str, JSONValue]:
    return {
        "description": _json_list(_list_at(values, 0)),
        "implementation_level": _string_at(values, 1),
    }


def _file_name(values: list[Parameter]) -> dict[str, JSONValue]:
    return {
        "name": _string_at(values, 0),
        "time_stamp": _string_at(values, 1),
        "author": _json_list(_list_at(values, 2)),
        "organization": _json_list(_list_at(values, 3)),
        "preprocessor_version": _string_at(values, 4),
        "originating_system": _string_at(values, 5),
        "authorization": _string_at(values, 6),
    }


def _file_schema(values: list[Parameter]) -> dict[str, JSONValue]:
    schemas = _list_at(values, 0)
    found: dict[str, JSONValue] = {"schema": _json_list(schemas)}
    protocol = _application_protocol(schemas)
    if protocol:
        found["application_protocol"] = protocol
    return found


def _application_protocol(schemas: list[str]) -> str | None:
    for schema in schemas:
        upper = schema.upper()
        for prefix, protocol in _PROTOCOLS:
            if upper.startswith(prefix):
                return protocol
    return None


_HEADER_ENTITIES: dict[str, Callable[[list[Parameter]], dict[str, JSONValue]]] = {
    "FILE_DESCRIPTION": _file_description,
    "FILE_NAME": _file_name,
    "FILE_SCHEMA": _file_schema,
}


# --- data -------------------------------------------------------------------------------------


@dataclass
class _DataFindings:
    """What the DATA scan found, each list deduplicated and bounded to `MAX_LIST_ITEMS`."""

    products: list[dict[str, JSONValue]] = field(default_factory=list)
    application_contexts: dict[str, None] = field(default_factory=dict)
    organizations: dict[str, None] = field(default_factory=dict)
    security_classification_levels: dict[str, None] = field(default_factory=dict)
    instance_count: int = 0
    skipped_statements: int = 0
    cut: bool = False

    def add(self, entity: str, values: list[Parameter]) -> None:
        if entity == "PRODUCT":
            self._add_product(values)
        elif entity == "APPLICATION_CONTEXT":
            self._keep(self.application_contexts, _list_at(values, 0))
        elif entity == "ORGANIZATION":
            self._keep(self.organizations, _list_at(values, 1))
        elif entity == "SECURITY_CLASSIFICATION_LEVEL":
            self._keep(self.security_classification_levels, _list_at(values, 0))

    def _add_product(self, values: list[Parameter]) -> None:
        product: dict[str, JSONValue] = {
            "id": _string_at(values, 0),
            "name": _string_at(values, 1),
            "description": _string_at(values, 2),
        }
        if product in self.products:
            return
        if len(self.products) >= MAX_LIST_ITEMS:
            self.cut = True
            return
        self.products.append(product)

    def _keep(self, bucket: dict[str, None], values: list[str]) -> None:
        for value in values:
            if value not in bucket and len(bucket) >= MAX_LIST_ITEMS:
                self.cut = True
                return
            bucket.setdefault(value)


_DATA_ENTITIES = frozenset(
    {"PRODUCT", "APPLICATION_CONTEXT", "ORGANIZATION", "SECURITY_CLASSIFICATION_LEVEL"}
)


class _Section(Enum):
    PREAMBLE = auto()
    HEADER = auto()
    BETWEEN = auto()
    DATA = auto()
    END = auto()


@dataclass
class _Reader:
    """Walks the statements of one file, filling header metadata and data findings."""

    header: dict[str, JSONValue] = field(default_factory=dict)
    data: _DataFindings = field(default_factory=_DataFindings)
    section: _Section = _Section.PREAMBLE

    def take(self, statement: str | None) -> None:
        if statement is None:
            self.data.skipped_statements += 1
            return
        keyword = statement.split("(", 1)[0].strip().upper()
        if self.section is _Section.PREAMBLE:
            self._expect_magic(keyword)
        elif keyword == "ENDSEC":
            self.section = _Section.BETWEEN
        elif keyword == _END:
            self.section = _Section.END
        elif self.section is _Section.BETWEEN:
            self._open_section(keyword)
        elif self.section is _Section.HEADER:
            self._take_header(statement)
        else:
            self._take_data(statement)

    def _expect_magic(self, keyword: str) -> None:
        if keyword != _MAGIC:
            raise ValueError("not an ISO 10303-21 exchange file")
        self.section = _Section.BETWEEN

    def _open_section(self, keyword: str) -> None:
        if keyword == "HEADER":
            self.section = _Section.HEADER
        elif keyword == "DATA":  # edition 3 allows several, possibly named, DATA sections
            self.section = _Section.DATA

    def _take_header(self, statement: str) -> None:
        match = _HEADER_ENTITY.match(statement)
        handler = _HEADER_ENTITIES.get(match.group(1).upper()) if match else None
        if match and handler:
            self.header.update(handler(parse_parameters(statement[match.end() - 1 :])))

    def _take_data(self, statement: str) -> None:
        self.data.instance_count += 1
        match = _DATA_INSTANCE.match(statement)
        entity = match.group(1).upper() if match else ""
        if match and entity in _DATA_ENTITIES:
            self.data.add(entity, parse_parameters(statement[match.end() - 1 :]))


def _read_statements(path: Path, reader: _Reader) -> bool:
    """Feed the file through `reader`; False when the DATA bound stopped it early."""
    splitter = StatementSplitter()
    data_chars = 0
    with path.open("rb") as stream:
        chunk = stream.read(CHUNK_CHARS).removeprefix(_UTF8_BOM)
        while chunk:
            for statement in splitter.feed(chunk.decode("latin-1")):  # bytes 1:1 to characters
                reader.take(statement)
            if reader.section is _Section.END:
                return True
            if reader.section is _Section.DATA:
                data_chars += len(chunk)
                if data_chars > MAX_DATA_CHARS:
                    return False
            chunk = stream.read(CHUNK_CHARS)
    reader.take(splitter.finish())  # a last statement without `;` (tolerated)
    return True


def extract_step(path: Path, max_text_chars: int) -> Extraction:
    """Header fields, products and a few descriptive strings of a STEP Part 21 file."""
    reader = _Reader()
    complete = _read_statements(path, reader)
    if reader.section is _Section.PREAMBLE:
        raise ValueError("empty STEP file")
    result = Extraction(metadata=dict(reader.header))
    _add_data_findings(reader.data, result, complete=complete)
    _collect_text(reader, result, max_text_chars)
    return result


def _add_data_findings(data: _DataFindings, result: Extraction, *, complete: bool) -> None:
    result.metadata["products"] = _json_list(data.products)
    result.metadata["application_contexts"] = _json_list(data.application_contexts)
    result.metadata["organizations"] = _json_list(data.organizations)
    result.metadata["security_classification_levels"] = _json_list(data.security_classification_levels)
    result.metadata["instance_count"] = data.instance_count
    if data.skipped_statements:
        result.metadata["skipped_statements"] = data.skipped_statements
    if not complete or data.cut:
        result.flag(Flag.TRUNCATED)


def _collect_text(reader: _Reader, result: Extraction, max_text_chars: int) -> None:
    collector = TextCollector(max_text_chars)
    for key in _HEADER_TEXT_FIELDS:
        value = reader.header.get(key)
        for piece in value if isinstance(value, list) else [value]:
            collector.add(piece if isinstance(piece, str) else "")
    for product in reader.data.products:
        for key in ("id", "name", "description"):
            value = product[key]
            collector.add(value if isinstance(value, str) else "")
    for context in reader.data.application_contexts:
        collector.add(context)
    collector.finish(result)
