"""STEP and IGES copies carry a visible, labelled notice among the model's own entities (a
SHOKEI-COPY representation; a general note labelled SHOKEI), so a copy whose header marks were
wiped by someone who knows them is still traced to its holder, the subcontractor's copy of the
successor's copy to the subcontractor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.formats.extract.step import decode_string
from shokei.formats.marking import make_copy
from shokei.succession.tracing.matching import trace
from tests.real_files import real_files_dir
from tests.unit.succession.support import SUBCONTRACTOR, SUCCESSOR_A, TERMS, known_copy, register

pytestmark = pytest.mark.real_files

CASES = [
    ("step", "NIST_MBE_PMI_1.stp"),
    ("step", "tessellated_tetrahedron_ap242.step"),
    ("iges", "sample.igs"),
    ("iges", "example-arcs.iges"),
]


def _wipe_step_header(source: Path, target: Path) -> None:
    """FILE_DESCRIPTION emptied and every header comment removed, as a leaker would."""
    text = source.read_bytes().decode("latin-1")
    header_end = text.index("ENDSEC;")
    header = re.sub(r"/\*.*?\*/", "", text[:header_end], flags=re.DOTALL)
    header = re.sub(
        r"FILE_DESCRIPTION\(.*?\),\s*'2;1'\);", "FILE_DESCRIPTION((''),'2;1');", header, flags=re.DOTALL
    )
    target.write_bytes((header + text[header_end:]).encode("latin-1"))


def _wipe_iges_front(source: Path, target: Path) -> None:
    """Start notes dropped and the marker in the Global section blanked (same length, so the
    Hollerith counts still hold)."""
    lines = source.read_bytes().decode("latin-1").splitlines(keepends=True)
    kept = []
    for line in lines:
        if line[72] == "S" and ("Shokei" in line or "corporate no." in line):
            continue
        blanked = re.sub(r"SHOKEI-COPY:[A-Za-z0-9_-]+", lambda m: " " * len(m.group()), line)
        kept.append(blanked if line[72] == "G" else line)
    target.write_bytes("".join(kept).encode("latin-1"))


@pytest.mark.parametrize(("folder", "name"), CASES)
def test_a_copy_with_its_header_marks_wiped_is_traced_by_its_notice(
    folder: str, name: str, tmp_path: Path
) -> None:
    source = real_files_dir() / folder / name
    key = Ed25519PrivateKey.generate()
    (tmp_path / "a").mkdir()
    (tmp_path / "s").mkdir()
    successor = make_copy(source, SUCCESSOR_A, tmp_path / "a", signing_key=key, terms=TERMS)
    subcontractor = make_copy(successor.path, SUBCONTRACTOR, tmp_path / "s", signing_key=key, terms=TERMS)
    known = register(
        known_copy(SUCCESSOR_A, successor, source),
        known_copy(SUBCONTRACTOR, subcontractor, source, parent=SUCCESSOR_A.copy_id),
    )
    wipe = _wipe_step_header if folder == "step" else _wipe_iges_front
    for result, label in ((successor, SUCCESSOR_A), (subcontractor, SUBCONTRACTOR)):
        wiped = tmp_path / f"wiped-{label.copy_id}-{name}"
        wipe(result.path, wiped)
        traced = trace(wiped, known)
        assert (traced.copy_id, traced.method) == (label.copy_id, "marks"), traced
        notice = "step:annotation" if folder == "step" else "iges:general-note"
        assert notice in [str(piece) for piece in traced.candidates[0].evidence]
        assert not {
            "step:file-description",
            "step:header-comment",
            "iges:start-section",
            "iges:global-file-name",
        } & {str(piece) for piece in traced.candidates[0].evidence}


def test_the_step_notice_is_a_named_representation_with_the_japanese_prohibition(tmp_path: Path) -> None:
    source = real_files_dir() / "step" / "NIST_MBE_PMI_1.stp"
    copy = make_copy(source, SUCCESSOR_A, tmp_path, signing_key=Ed25519PrivateKey.generate(), terms=TERMS)
    data = copy.path.read_bytes().decode("latin-1")
    item = re.search(
        r"#(\d+)=DESCRIPTIVE_REPRESENTATION_ITEM\('Shokei copy notice','((?:[^']|'')*)'\);", data
    )
    assert item is not None
    assert re.search(rf"=REPRESENTATION\('SHOKEI-COPY',\(#{item.group(1)}\),#\d+\);", data)
    text = decode_string(item.group(2))
    assert text.startswith(
        "SHOKEI-COPY:SK-A-0001 / Copy ID: SK-A-0001 | Recipient: corporate no. 8010401050387"
    )
    assert "貸与先: 承継電子株式会社（法人番号 8010401050387）" in text
    assert text.endswith("無断複製・第三者提供禁止")


def test_the_iges_note_holds_the_stamp_line_and_the_marker(tmp_path: Path) -> None:
    source = real_files_dir() / "iges" / "example-arcs.iges"
    copy = make_copy(source, SUCCESSOR_A, tmp_path, signing_key=Ed25519PrivateKey.generate(), terms=TERMS)
    records = copy.path.read_bytes().decode("latin-1").splitlines()
    note = "".join(
        line[:64] for line in records if line[72] == "P" and line[65:72].strip() == records_note(records)
    )
    assert note.startswith("212,2,105,")
    assert (
        "105HCopy ID: SK-A-0001 | Recipient: corporate no. 8010401050387 | Issued: 2026-06-01"
        " | No copying or transfer," in note
    )
    assert note.rstrip().endswith("21HSHOKEI-COPY:SK-A-0001;")


def records_note(records: list[str]) -> str:
    """The sequence number of the note's Directory entry (the D record labelled SHOKEI, minus 1)."""
    label_line = next(line for line in records if line[72] == "D" and line[56:64].strip() == "SHOKEI")
    return str(int(label_line[73:]) - 1)
