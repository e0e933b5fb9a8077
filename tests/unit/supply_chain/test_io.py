"""Reading import files: what each column accepts, and refusals that say where and why."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shokei.errors import BadInput
from shokei.supply_chain.batch import RecordKind
from shokei.supply_chain.io import FileFormat, SupplyFile, format_of, read_batch

PRIME = "1180301018771"  # a real corporate number (check digit 1)
PRIME_SPELT = "１-１８０３-０１０１-８７７１"  # full-width digits with separators, as people write it


def csv(name: str, text: str) -> SupplyFile:
    return SupplyFile(name, io.BytesIO(text.encode("utf-8")), FileFormat.CSV)


def parquet(name: str, table: pa.Table) -> SupplyFile:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return SupplyFile(name, buffer, FileFormat.PARQUET)


def refused(*files: SupplyFile) -> str:
    with pytest.raises(BadInput) as raised:
        read_batch(list(files))
    return raised.value.message


def test_each_kind_is_recognised_by_its_columns_and_values_are_parsed() -> None:
    batch = read_batch(
        [
            csv("s.csv", "\ufeffcode,name\nXF-9, 試作戦闘機 \n"),
            csv("c.csv", "part_number\n007\n"),
            csv("t.csv", "part_number,system_code\n007,XF-9\n"),
            csv("b.csv", "parent_part_number,child_part_number,quantity,removed\n007,008,2.5,\n"),
            csv("p.csv", f"corporate_number,part_number,qualified,share,tier\n{PRIME_SPELT},007,No,,\n"),
        ]
    )

    assert batch[RecordKind.SYSTEMS].columns == {"code": ["XF-9"], "name": ["試作戦闘機"]}
    assert batch[RecordKind.COMPONENTS].columns == {"part_number": ["007"], "name": [None]}
    assert batch[RecordKind.SYSTEM_COMPONENTS].columns["system_code"] == ["XF-9"]
    assert batch[RecordKind.BOM].columns == {
        "parent_part_number": ["007"],
        "child_part_number": ["008"],
        "quantity": [2.5],
        "removed": [None],
    }
    # Blank and absent values are None: a new record takes the default, a stored one keeps its value.
    assert batch[RecordKind.SUPPLY].columns == {
        "corporate_number": [PRIME],
        "part_number": ["007"],
        "tier": [None],
        "share": [None],
        "qualified": [False],
        "removed": [None],
    }


def test_parquet_columns_of_any_type_are_read_like_text() -> None:
    table = pa.table(
        {
            "corporate_number": pa.array([int(PRIME)], pa.int64()),
            "part_number": ["P-1"],
            "tier": pa.array([3], pa.int8()),
            "share": pa.array([0.25], pa.float32()),
            "qualified": [True],
        }
    )

    supply = read_batch([parquet("p.parquet", table)])[RecordKind.SUPPLY].columns

    assert (supply["corporate_number"], supply["tier"], supply["share"], supply["qualified"]) == (
        [PRIME],
        [3],
        [0.25],
        [True],
    )


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            "corporate_number,part_number,tier\n{n},P,1\n{n},Q,0\n",
            "x.csv line 3: tier '0' must be a tier from 1",
        ),
        (
            "corporate_number,part_number,share\n{n},P,1.5\n",
            "x.csv line 2: share '1.5' must be between 0 and 1",
        ),
        (
            "corporate_number,part_number,qualified\n{n},P,maybe\n",
            "line 2: qualified 'maybe' is not true or false",
        ),
        ("corporate_number,part_number\n1180301018772,P\n", "has check digit 1; expected"),
        ("corporate_number,part_number\n{n},\n", "x.csv line 2: part_number is empty"),
        ("parent_part_number,child_part_number,quantity\nA,B,0\n", "quantity '0' must be a number above 0"),
        ("parent_part_number,child_part_number,quantity\nA,B,lots\n", "quantity 'lots' is not a number"),
        ("code,name\nXF-9\n", "x.csv: not a readable csv file"),
        ("code\nXF-9\n", "x.csv: the name column is required"),
        ("code,name,colour\nXF-9,F,red\n", "unknown column(s) colour for systems records"),
        ("corporate_number,part_number,qualifed\n{n},P,no\n", "unknown column(s) qualifed"),
        ("maker,part\nA,B\n", "cannot tell what the file holds from its columns"),
        ("part_number,name\n" + "P" * 101 + ",x\n", "part_number 'PPP"),
    ],
)
def test_bad_values_are_refused_naming_file_line_and_column(text: str, complaint: str) -> None:
    assert complaint in refused(csv("x.csv", text.replace("{n}", PRIME)))


def test_a_record_given_twice_in_one_import_is_refused_naming_both_places() -> None:
    message = refused(
        csv("a.csv", f"corporate_number,part_number\n{PRIME},P-1\n"),
        csv("b.csv", f"corporate_number,part_number\n{PRIME},P-2\n{PRIME_SPELT},P-1\n"),
    )

    assert re.search(
        r"b\.csv line 3: supply record \(1180301018771, P-1\) was already given at a\.csv line 2", message
    )


def test_a_parquet_file_that_is_not_one_is_refused() -> None:
    broken = SupplyFile("x.parquet", io.BytesIO(b"PAR1 not really"), FileFormat.PARQUET)

    assert "x.parquet: not a readable parquet file" in refused(broken)


def test_the_format_comes_from_the_option_or_the_extension() -> None:
    assert format_of("map/supply.PARQUET", None) is FileFormat.PARQUET
    assert format_of("supply.txt", "csv") is FileFormat.CSV
    with pytest.raises(BadInput, match=re.escape("say --format csv|parquet")):
        format_of("supply.txt", None)
    with pytest.raises(BadInput, match="not one of: csv, parquet"):
        format_of("supply.csv", "xlsx")


DOCS = Path(__file__).resolve().parents[3] / "docs" / "supply_chain.md"


def test_every_example_in_the_documentation_reads() -> None:
    # Each ```-fenced block that starts with a header row is an example import file.
    blocks = re.findall(r"```\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    examples = [block for block in blocks if not block.startswith("shokei")]

    kinds = [read_batch([csv(f"example{n}.csv", text)]) for n, text in enumerate(examples)]

    found = {kind for batch in kinds for kind in RecordKind if len(batch[kind])}
    assert found == set(RecordKind)
    assert len(examples) == 6
