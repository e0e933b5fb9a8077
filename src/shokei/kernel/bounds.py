"""The domain every input must fit before it reaches a service: one set of constrained types the
adapters and the request schemas share (path and query parameters, JSON and form fields).

- integers: a row id, a count or an offset is a signed 64-bit integer (what SQLite and
  PostgreSQL's BIGINT hold); a number in a JSON body is an I-JSON / JCS integer (|n| < 2^53,
  what the ledger's canonical JSON can write exactly); a year has four digits.
- text: valid Unicode (no lone surrogate: it cannot be encoded to UTF-8), no NUL (PostgreSQL
  refuses it in text; it truncates C strings), and a maximum length: `TITLE_MAX` (500) for a
  title, a name or any other one-line label, `NOTE_MAX` (10,000) for free text (notes, reasons,
  descriptions), `QUERY_MAX` (500) for a search.

The web shell's input guard (`shokei.web.input_guard`) refuses the same things in every request
before any route runs; these types say so in the OpenAPI schema and hold where a value is built
in-process (the CLI, the pages' forms).
"""

from __future__ import annotations

import re
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, StringConstraints

from shokei.errors import N_, BadInput, Text, TooLarge

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
JSON_INT_MAX = 2**53 - 1  # I-JSON (RFC 7493) and JCS (RFC 8785): exact in every JSON reader
TITLE_MAX = 500
NOTE_MAX = 10_000
QUERY_MAX = 500
YEAR_MIN, YEAR_MAX = 1, 9999

_SURROGATE = re.compile("[\ud800-\udfff]")
ASCII_DIGITS = re.compile(r"[0-9]+")


def text_fault(value: str) -> str | None:
    """Why `value` cannot be stored as text ("nul", "surrogate"), or None when it can."""
    if "\x00" in value:
        return "nul"
    if _SURROGATE.search(value):
        return "surrogate"
    return None


def printable(value: str) -> str:
    """`value` as it can be shown and stored: a lone surrogate (a file name's undecodable byte,
    as Python reads it) written as its escape, `\\udcff`."""
    return value if text_fault(value) != "surrogate" else value.encode("utf-8", "backslashreplace").decode()


def _clean(value: str) -> str:
    fault = text_fault(value)
    if fault == "nul":
        raise ValueError("text must not contain a NUL character")
    if fault == "surrogate":
        raise ValueError("text must be valid Unicode (no lone surrogate)")
    return value


def ascii_int(value: str) -> int | None:
    """The integer written in ASCII digits `value` (surrounding spaces allowed), or None: unlike
    `str.isdigit()`, superscripts and other scripts' digits ('²', '١') are not digits here."""
    stripped = value.strip()
    return int(stripped) if ASCII_DIGITS.fullmatch(stripped) else None


# Integers
Id = Annotated[int, Ge(1), Le(INT64_MAX)]
"""A row id (a case, a document, a campaign...): 1 .. 2^63-1."""
Count = Annotated[int, Ge(0), Le(INT64_MAX)]
"""A limit, an offset, a size: 0 .. 2^63-1."""
Int64 = Annotated[int, Ge(INT64_MIN), Le(INT64_MAX)]
"""Any stored integer (a ledger position may be -1: before the first)."""
JsonInt = Annotated[int, Ge(-JSON_INT_MAX), Le(JSON_INT_MAX)]
"""An amount or a quantity that goes to the ledger: exact in canonical JSON."""
Year = Annotated[int, Ge(YEAR_MIN), Le(YEAR_MAX)]
"""A calendar or fiscal year a date can carry."""

# Text
Title = Annotated[str, StringConstraints(max_length=TITLE_MAX), AfterValidator(_clean)]
"""A title, name, number or other one-line label."""
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX), AfterValidator(_clean)]
"""Free text: a note, a reason, a description."""
SearchQuery = Annotated[str, StringConstraints(min_length=1, max_length=QUERY_MAX), AfterValidator(_clean)]
"""A full-text search."""


def require_text(field: str, value: str | None, max_length: int = TITLE_MAX) -> None:
    """Refuse (BadInput, a catalogue message naming `field`) a text no adapter may store: longer
    than `max_length`, or holding a NUL or a lone surrogate. For use cases every adapter reaches
    (the API's types already refuse these; the CLI and the pages' forms reach the service)."""
    if value is None:
        return
    if len(value) > max_length:
        raise BadInput(
            Text(
                N_("%(field)s is longer than %(max)s characters (%(length)s)."),
                {"field": field, "max": max_length, "length": len(value)},
            )
        )
    fault = text_fault(value)
    if fault == "nul":
        raise BadInput(
            Text(N_("%(field)s contains a NUL character, which is not allowed."), {"field": field})
        )
    if fault == "surrogate":
        raise BadInput(Text(N_("%(field)s is not valid Unicode (a lone surrogate)."), {"field": field}))


def upload_too_large(limit: int) -> TooLarge:
    """The refusal of a hand-in over `SHOKEI_MAX_UPLOAD_BYTES`, the same whether it came over HTTP
    or from the local command line."""
    message = N_("The upload is larger than the %(limit)s bytes one upload may carry.")
    return TooLarge(Text(message, {"limit": f"{limit:,}"}))
