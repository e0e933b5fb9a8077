"""CSV and Parquet files in and out of the supply map (column formats: docs/supply_chain.md).

Reading turns each file into validated columnar records (`batch.Records`); every value is parsed
with pyarrow's vectorised kernels, and only when a column holds a bad value is it scanned in
Python to name the first bad row. Writing streams record batches, so exporting the national
map never holds it whole in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from shokei.companies.domain import CorporateNumber
from shokei.errors import N_, BadInput, Text
from shokei.supply_chain.batch import (
    COLUMNS,
    FALSE_WORDS,
    MAX_TIER,
    TRUE_WORDS,
    Column,
    ColumnType,
    RecordKind,
    SupplyBatch,
    kind_of,
)

_HASH_CHUNK = 1 << 20
_ALL_COLUMN_NAMES = {column.name for columns in COLUMNS.values() for column in columns}


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


_EXTENSIONS = {".csv": FileFormat.CSV, ".parquet": FileFormat.PARQUET, ".pq": FileFormat.PARQUET}


def format_of(name: str, requested: str | None) -> FileFormat:
    """The requested format, else the one the file name's extension says."""
    if requested:
        try:
            return FileFormat(requested.lower())
        except ValueError:
            raise BadInput(
                Text(N_("format %(requested)s is not one of: csv, parquet"), {"requested": repr(requested)})
            ) from None
    found = _EXTENSIONS.get(Path(name).suffix.lower())
    if found is None:
        raise BadInput(
            Text(
                N_("%(name)s: cannot tell the format from the extension; say --format csv|parquet"),
                {"name": name},
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class SupplyFile:
    """One file to import: its name (shown in errors and the ledger), contents and format."""

    name: str
    stream: BinaryIO
    format: FileFormat

    def sha256(self) -> str:
        """Digest of the contents, for the ledger; leaves the stream at its start."""
        digest = hashlib.sha256()
        self.stream.seek(0)
        while chunk := self.stream.read(_HASH_CHUNK):
            digest.update(chunk)
        self.stream.seek(0)
        return digest.hexdigest()


# ---- reading ---------------------------------------------------------------------------------


def read_batch(files: Sequence[SupplyFile]) -> SupplyBatch:
    """Parse and validate every file into one batch; any bad value refuses the whole import."""
    batch = SupplyBatch(sources=[file.name for file in files])
    for file in files:
        table = _read_table(file)
        kind = kind_of(table.column_names, file.name)
        columns = {column.name: _parse_column(table, column, file) for column in COLUMNS[kind]}
        first_row, unit = (2, "line") if file.format is FileFormat.CSV else (1, "row")
        batch[kind].append_columns(file.name, columns, first_row=first_row, unit=unit)
    batch.check()
    return batch


def _read_table(file: SupplyFile) -> pa.Table:
    file.stream.seek(0)
    try:
        if file.format is FileFormat.CSV:
            # Every value is read as text and parsed below, so corporate numbers and part numbers
            # keep their leading zeros and every error names its row.
            types = dict.fromkeys(_ALL_COLUMN_NAMES, pa.string())
            options = pa_csv.ConvertOptions(column_types=types, strings_can_be_null=False)
            return pa_csv.read_csv(file.stream, convert_options=options)
        return pq.read_table(file.stream)
    except (pa.ArrowInvalid, OSError) as error:
        raise BadInput(
            Text(
                N_("%(file)s: not a readable %(format)s file: %(error)s"),
                {"file": file.name, "format": file.format, "error": error},
            )
        ) from None


def _as_text(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text with blanks as null, whatever type the file stored."""
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = pc.cast(array, pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _parse_column(table: pa.Table, column: Column, file: SupplyFile) -> list[Any]:
    if column.name not in table.column_names:
        if column.required:
            raise BadInput(
                Text(
                    N_("%(file)s: the %(column)s column is required"),
                    {"file": file.name, "column": column.name},
                )
            )
        return [None] * table.num_rows
    text = _as_text(table.column(column.name))
    problem = _Problem(file, column, text)
    if column.required and text.null_count:
        problem.at(_first(pc.is_null(text)), Text(N_("is empty")))
    return _PARSERS[column.type](text, column, problem)


@dataclass(frozen=True, slots=True)
class _Problem:
    """Raises BadInput naming the file, row, column and value."""

    file: SupplyFile
    column: Column
    text: pa.ChunkedArray

    def at(self, index: int, complaint: Text) -> NoReturn:
        csv = self.file.format is FileFormat.CSV
        first_row = index + 2 if csv else index + 1
        value = self.text[index].as_py()
        shown = "" if value is None else f" {value!r}"
        raise BadInput(
            Text(
                N_("%(file)s line %(first_row)s: %(column)s%(shown)s %(complaint)s")
                if csv
                else N_("%(file)s row %(first_row)s: %(column)s%(shown)s %(complaint)s"),
                {
                    "file": self.file.name,
                    "first_row": first_row,
                    "column": self.column.name,
                    "shown": shown,
                    "complaint": complaint,
                },
            )
        )


def _values(array: pa.ChunkedArray) -> list[Any]:
    values: list[Any] = array.to_pylist()
    return values


def _first(mask: pa.ChunkedArray) -> int:
    return int(pc.index(pc.fill_null(mask, False), True).as_py())


def _parse_text(text: pa.ChunkedArray, column: Column, problem: _Problem) -> list[Any]:
    if column.max_length is not None:
        too_long = pc.greater(pc.utf8_length(text), column.max_length)
        if pc.any(too_long).as_py():
            problem.at(
                _first(too_long),
                Text(N_("is longer than %(max)s characters"), {"max": column.max_length}),
            )
    return _values(text)


def _cast(text: pa.ChunkedArray, to: pa.DataType, problem: _Problem, what: Text) -> pa.ChunkedArray:
    try:
        return pc.cast(text, to)
    except pa.ArrowInvalid:
        # Vectorised casting only says that some value failed: find the first one to name it.
        for index, value in enumerate(text.to_pylist()):
            if value is not None and not _castable(value, to):
                problem.at(index, Text(N_("is not %(what)s"), {"what": what}))
        raise


def _castable(value: str, to: pa.DataType) -> bool:
    try:
        pc.cast(pa.array([value]), to)
    except pa.ArrowInvalid:
        return False
    return True


def _parse_number(text: pa.ChunkedArray, column: Column, problem: _Problem) -> list[Any]:
    numbers = _cast(text, pa.float64(), problem, Text(N_("a number")))
    low_ok = (
        pc.greater(numbers, 0) if column.type is ColumnType.POSITIVE_NUMBER else pc.greater_equal(numbers, 0)
    )
    allowed = pc.and_(pc.is_finite(numbers), low_ok)
    if column.type is ColumnType.SHARE:
        allowed = pc.and_(allowed, pc.less_equal(numbers, 1))
    refused = pc.invert(pc.fill_null(allowed, True))
    if pc.any(refused).as_py():
        above = column.type is ColumnType.POSITIVE_NUMBER
        problem.at(
            _first(refused), Text(N_("must be a number above 0") if above else N_("must be between 0 and 1"))
        )
    return _values(numbers)


def _parse_tier(text: pa.ChunkedArray, column: Column, problem: _Problem) -> list[Any]:
    tiers = _cast(text, pa.int64(), problem, Text(N_("a whole number")))
    refused = pc.invert(
        pc.fill_null(pc.and_(pc.greater_equal(tiers, 1), pc.less_equal(tiers, MAX_TIER)), True)
    )
    if pc.any(refused).as_py():
        problem.at(
            _first(refused),
            Text(N_("must be a tier from 1 (supplies the prime) to %(max)s"), {"max": MAX_TIER}),
        )
    return _values(tiers)


def _parse_boolean(text: pa.ChunkedArray, column: Column, problem: _Problem) -> list[Any]:
    lowered = pc.utf8_lower(text)
    truths = pc.is_in(lowered, value_set=pa.array(sorted(TRUE_WORDS)))
    falsehoods = pc.is_in(lowered, value_set=pa.array(sorted(FALSE_WORDS)))
    refused = pc.and_(pc.invert(pc.or_(truths, falsehoods)), pc.is_valid(lowered))
    if pc.any(refused).as_py():
        problem.at(_first(refused), Text(N_("is not true or false")))
    return _values(pc.if_else(pc.is_null(lowered), pa.scalar(None, pa.bool_()), truths))


def _parse_corporate_number(text: pa.ChunkedArray, column: Column, problem: _Problem) -> list[Any]:
    # Parsed once per distinct spelling: a national file repeats each company many times.
    distinct = pc.unique(text).drop_null()
    normalised = []
    for raw in distinct.to_pylist():
        try:
            normalised.append(CorporateNumber.parse(raw).value)
        except BadInput as error:
            refusal = error.text or Text("%(message)s", {"message": error.message})
            problem.at(_first(pc.equal(text, raw)), Text(N_("is refused: %(refusal)s"), {"refusal": refusal}))
    positions = pc.index_in(text, value_set=distinct)
    return _values(pc.take(pa.array(normalised, pa.string()), positions))


_PARSERS: dict[ColumnType, Callable[[pa.ChunkedArray, Column, _Problem], list[Any]]] = {
    ColumnType.TEXT: _parse_text,
    ColumnType.CORPORATE_NUMBER: _parse_corporate_number,
    ColumnType.POSITIVE_NUMBER: _parse_number,
    ColumnType.SHARE: _parse_number,
    ColumnType.TIER: _parse_tier,
    ColumnType.BOOLEAN: _parse_boolean,
}


# ---- writing ---------------------------------------------------------------------------------

_ARROW_TYPES = {
    ColumnType.TEXT: pa.string(),
    ColumnType.CORPORATE_NUMBER: pa.string(),
    ColumnType.POSITIVE_NUMBER: pa.float64(),
    ColumnType.SHARE: pa.float64(),
    ColumnType.TIER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def export_columns(kind: RecordKind) -> tuple[Column, ...]:
    """The columns an export writes for a kind: all but the import-only `removed` flag."""
    return tuple(column for column in COLUMNS[kind] if column.name != "removed")


def export_path(directory: Path, kind: RecordKind, file_format: FileFormat) -> Path:
    return directory / f"{kind}.{file_format}"


def write_records(
    path: Path, kind: RecordKind, file_format: FileFormat, chunks: Iterable[Sequence[tuple[Any, ...]]]
) -> int:
    """Write row tuples (in `export_columns(kind)` order) to one file; returns the row count."""
    columns = export_columns(kind)
    schema = pa.schema([(column.name, _ARROW_TYPES[column.type]) for column in columns])
    written = 0
    with _writer(path, schema, file_format) as writer:
        for rows in chunks:
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(zip(*rows, strict=True), schema, strict=True)
            ]
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            written += len(rows)
    return written


def _writer(path: Path, schema: pa.Schema, file_format: FileFormat) -> Any:
    if file_format is FileFormat.CSV:
        options = pa_csv.WriteOptions(quoting_style="needed")
        return pa_csv.CSVWriter(str(path), schema, write_options=options)
    return pq.ParquetWriter(str(path), schema)
