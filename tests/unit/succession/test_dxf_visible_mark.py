"""The visible mark of a DXF copy: the stamp line as TEXT on the layer SHOKEI-COPY, below the drawing,
for the successor and (stacked below it) for its subcontractor; trace reads it from the drawing's
text once the XDATA and custom properties are gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from ezdxf import bbox
from ezdxf.filemanagement import readfile

from shokei.formats.marking.dxf import APPLICATION_ID, make_dxf_copy
from shokei.succession.tracing.matching import trace
from tests.unit.succession.support import SUBCONTRACTOR, SUCCESSOR_A, known_copy, register

pytestmark = pytest.mark.real_files


def _lines(path: Path) -> list[tuple[str, float]]:
    modelspace = readfile(path).modelspace()
    return [(text.dxf.text, text.dxf.insert.y) for text in modelspace.query('TEXT[layer=="SHOKEI-COPY"]')]


def _strip_hidden_marks(source: Path, target: Path) -> Path:
    document = readfile(source)
    document.modelspace().block_record.block.discard_xdata(APPLICATION_ID)
    for tag, _ in list(document.header.custom_vars):
        document.header.custom_vars.remove(tag, all=True)
    document.saveas(target)
    return target


@pytest.mark.parametrize("name", ["ASCII_R12.dxf", "dxf_unicode.dxf"])
def test_each_holder_reads_its_line_below_the_drawing_and_trace_finds_it_without_xdata(
    real_files: Path, name: str, tmp_path: Path
) -> None:
    source = real_files / "dxf" / name
    successor = make_dxf_copy(source, SUCCESSOR_A, tmp_path / "successor.dxf")
    sub = make_dxf_copy(successor.path, SUBCONTRACTOR, tmp_path / "sub.dxf")
    [(line, y)] = _lines(successor.path)
    assert line == (
        "Copy ID: SK-A-0001 | Recipient: corporate no. 8010401050387 | Issued: 2026-06-01"
        " | No copying or transfer"
    )
    drawing = list(readfile(source).modelspace())
    extents = bbox.extents(drawing, fast=True)
    if extents.has_data:
        assert y < extents.extmin.y  # below the drawing, not over it
    sub_lines = _lines(sub.path)
    assert [text.split(" | ")[0] for text, _ in sub_lines] == ["Copy ID: SK-A-0001", "Copy ID: SK-S-0001"]
    assert sub_lines[1][1] < sub_lines[0][1]  # stacked below the earlier holder's line
    known = register(
        known_copy(SUCCESSOR_A, successor, source),
        known_copy(SUBCONTRACTOR, sub, source, parent=SUCCESSOR_A.copy_id),
    )
    for copy, label in ((successor.path, SUCCESSOR_A), (sub.path, SUBCONTRACTOR)):
        bare = _strip_hidden_marks(copy, tmp_path / f"bare-{label.copy_id}.dxf")
        result = trace(bare, known)
        assert (result.copy_id, result.method) == (label.copy_id, "marks"), result
        assert any("stamp text" in str(evidence) for evidence in result.candidates[0].evidence)
