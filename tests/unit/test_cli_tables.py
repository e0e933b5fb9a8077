"""Tables for people: laid out by Rich while short, tab-separated lines once long (a drawing set of
thousands of files handed in must not spend seconds laying out its receipt)."""

from __future__ import annotations

import pytest

from shokei.cli_support import LONG_TABLE_ROWS, print_table
from shokei.errors import N_


def test_a_long_table_is_one_tab_separated_line_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(n, f"drawings/sheet\t{n:04d}.dxf", None) for n in range(LONG_TABLE_ROWS + 1)]
    print_table(N_("documents"), (N_("id"), N_("path"), N_("markings")), rows)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["documents", "id\tpath\tmarkings"]
    assert len(lines) == 2 + 201
    assert lines[2] == "0\tdrawings/sheet 0000.dxf\t"  # a tab inside a cell would shift the columns
    assert lines[-1] == "200\tdrawings/sheet 0200.dxf\t"
    assert not any("│" in line or "┃" in line for line in lines)


def test_a_short_table_keeps_its_frame(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(
        N_("documents"), (N_("id"), N_("path")), [(n, f"sheet-{n}.dxf") for n in range(LONG_TABLE_ROWS)]
    )
    out = capsys.readouterr().out
    assert "┃ id" in out
    assert out.count("sheet-") == LONG_TABLE_ROWS
