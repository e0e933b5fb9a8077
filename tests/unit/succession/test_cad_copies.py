"""STEP, IGES and DXF copies of generated samples and real public files: the copy id in the format's
own header fields, the file still valid for its format, and trace reading the id back once the hash
no longer matches."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ezdxf.filemanagement import new as new_drawing
from ezdxf.filemanagement import readfile

from shokei.formats.extract import extract
from shokei.formats.extract.step import decode_string
from shokei.formats.marking import CopyLabel, CopyResult, Mark, StripPolicy, make_copy, read_marks
from shokei.formats.marking.dxf import make_dxf_copy
from shokei.formats.marking.iges import make_iges_copy
from shokei.formats.marking.step import encode_string, make_step_copy
from shokei.formats.sniff import DocumentType, detect_type_path
from shokei.succession.tracing.matching import trace
from tests.real_files import real
from tests.unit.succession.support import (
    SUBCONTRACTOR,
    SUCCESSOR_A,
    SUCCESSOR_B,
    TERMS,
    known_copy,
    register,
    source_file,
)

# Generated samples first (they run in any clone), then the real public files.
STEP_FILES = ["part.stp", real("NIST_MBE_PMI_1.stp"), real("tessellated_tetrahedron_ap242.step")]
IGES_FILES = ["part.igs", "part.iges", real("sample.igs"), real("example-arcs.iges")]
R12_DXF_FILES = ["drawing-r12.dxf", "drawing-r12-binary.dxf", real("ASCII_R12.dxf"), real("bin_dxf_r12.dxf")]
R2013_DXF_FILES = ["drawing-r2013.dxf", real("dxf_unicode.dxf")]


def _to_crlf(source: Path, target: Path) -> None:
    """What a Windows transfer does to a text file: same content, other bytes."""
    target.write_bytes(source.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


# --- STEP -------------------------------------------------------------------------------------


def _after_header(data: bytes) -> bytes:
    return data[data.index(b"ENDSEC;") :]


@pytest.mark.parametrize("name", STEP_FILES)
def test_step_copy_keeps_a_valid_header_and_the_data_byte_for_byte(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "step", name)
    result = make_step_copy(source, SUCCESSOR_A, tmp_path / name)
    assert detect_type_path(result.path) is DocumentType.STEP
    original, copy = extract(source, DocumentType.STEP), extract(result.path, DocumentType.STEP)
    assert copy.flags == []
    for field in ("schema", "time_stamp", "preprocessor_version", "originating_system"):
        assert copy.metadata[field] == original.metadata[field]
    assert copy.metadata["instance_count"] == original.metadata["instance_count"] + 3  # the notice
    descriptions = copy.metadata["description"]
    assert isinstance(descriptions, list)
    assert descriptions[-2] == (
        "SHOKEI-COPY:SK-A-0001 issued 2026-06-01 to corporate no. 8010401050387; No copying or transfer"
    )
    assert descriptions[-1] == "貸与先 承継電子株式会社 無断複製・第三者提供禁止"
    assert copy.metadata["organization"] == ["Ministry of Defense, Japan"]
    assert copy.metadata["author"] == []
    # Everything from the HEADER's ENDSEC on is the original's bytes, but for the notice's three
    # entities at the end of the data.
    notice = re.compile(
        rb"#\d+=DESCRIPTIVE_REPRESENTATION_ITEM\('Shokei copy notice',[^\n]*\n"
        rb"#\d+=REPRESENTATION_CONTEXT\('SHOKEI-COPY','copy notice'\);\n"
        rb"#\d+=REPRESENTATION\('SHOKEI-COPY',\(#\d+\),#\d+\);\n"
    )
    data, count = notice.subn(b"", _after_header(result.path.read_bytes()))
    assert (data, count) == (_after_header(source.read_bytes()), 1)
    assert set(result.marks) == {Mark.STEP_FILE_DESCRIPTION, Mark.STEP_HEADER_COMMENT, Mark.STEP_ANNOTATION}


@pytest.mark.parametrize(
    ("name", "file_name", "author", "organization"),
    [
        ("part.stp", "bracket.stp", "Test Author", "Test Works"),  # tests/samples.py StepHeader
        real(
            "tessellated_tetrahedron_ap242.step",
            "tessellated_tetrahedron_ap242.step",
            "OpenCASCADE",
            "Organization",
        ),
    ],
)
@pytest.mark.parametrize("replace_authorship", [True, False])
def test_step_author_and_organisation_follow_the_policy(
    request: pytest.FixtureRequest,
    name: str,
    file_name: str,
    author: str,
    organization: str,
    replace_authorship: bool,
    tmp_path: Path,
) -> None:
    source = source_file(request, "step", name)
    policy = StripPolicy(replace_authorship=replace_authorship)
    result = make_step_copy(source, SUCCESSOR_A, tmp_path / "copy.step", policy)
    assert result.recorded == {
        "step.file_name.name": file_name,
        "step.file_name.author": author,
        "step.file_name.organization": organization,
    }
    copy = extract(result.path, DocumentType.STEP).metadata
    expected = ([], ["Ministry of Defense, Japan"]) if replace_authorship else ([author], [organization])
    assert (copy["author"], copy["organization"]) == expected


def test_step_local_path_in_file_name_is_cut_to_the_file_name(tmp_path: Path) -> None:
    source = tmp_path / "local.stp"
    source.write_text(
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\n"
        "FILE_NAME('C:\\\\Users\\\\tanaka\\\\design\\\\bracket.stp','2020-01-01T00:00:00',"
        "('tanaka'),('Withdrawing Co.'),'pre','sys','boss');\n"
        "FILE_SCHEMA(('CONFIG_CONTROL_DESIGN'));\nENDSEC;\nDATA;\n#1=PRODUCT('b','b','',());\nENDSEC;\n"
        "END-ISO-10303-21;\n",
        encoding="ascii",
    )
    result = make_step_copy(source, SUCCESSOR_A, tmp_path / "copy.stp")
    copy = extract(result.path, DocumentType.STEP).metadata
    assert copy["name"] == "bracket.stp"
    assert copy["authorization"] == ""
    assert result.recorded["step.file_name.name"] == "C:\\Users\\tanaka\\design\\bracket.stp"
    assert result.recorded["step.file_name.authorisation"] == "boss"


def test_step_strings_round_trip_through_the_reader() -> None:
    for text in ["it's", "back\\slash", "株式会社", "𠮷野家", "", "mixed 日本 and 'quotes'"]:
        literal = encode_string(text)
        assert literal.isascii()
        assert decode_string(literal[1:-1]) == text


@pytest.mark.parametrize("name", STEP_FILES)
def test_step_copies_traced_by_embedded_id(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> None:
    source = source_file(request, "step", name)
    first = make_step_copy(source, SUCCESSOR_A, tmp_path / f"a-{name}")
    second = make_step_copy(source, SUCCESSOR_B, tmp_path / f"b-{name}")
    assert first.sha256 != second.sha256
    known = register(known_copy(SUCCESSOR_A, first, source), known_copy(SUCCESSOR_B, second, source))
    for result, label in ((first, SUCCESSOR_A), (second, SUCCESSOR_B)):
        assert trace(result.path, known).copy_id == label.copy_id
        moved = tmp_path / f"crlf-{result.path.name}"
        _to_crlf(result.path, moved)
        traced = trace(moved, known)
        assert (traced.copy_id, traced.method, traced.confidence) == (label.copy_id, "marks", 0.95)
        assert {"step:file-description", "step:header-comment"} <= {
            str(e) for e in traced.candidates[0].evidence
        }


@pytest.mark.parametrize("name", ["part.stp", real("NIST_MBE_PMI_1.stp")])
def test_step_copy_of_a_copy_keeps_both_ids_and_traces_to_the_last_holder(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "step", name)
    successor = make_step_copy(source, SUCCESSOR_A, tmp_path / "a.stp")
    sub = make_step_copy(successor.path, SUBCONTRACTOR, tmp_path / "s.stp")
    marks = {(mark.copy_id, mark.where) for mark in read_marks(sub.path)}
    assert ("SK-A-0001", Mark.STEP_FILE_DESCRIPTION) in marks
    assert ("SK-S-0001", Mark.STEP_FILE_DESCRIPTION) in marks
    known = register(
        known_copy(SUCCESSOR_A, successor, source),
        known_copy(SUBCONTRACTOR, sub, source, parent="SK-A-0001"),
    )
    moved = tmp_path / "crlf.stp"
    _to_crlf(sub.path, moved)
    assert trace(moved, known).copy_id == "SK-S-0001"


# --- IGES -------------------------------------------------------------------------------------


def _records(path: Path) -> list[str]:
    return path.read_text("latin-1").splitlines()


@pytest.mark.parametrize("name", IGES_FILES)
def test_iges_copy_keeps_its_global_fields_records_and_counts(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "iges", name)
    result = make_iges_copy(source, SUCCESSOR_A, tmp_path / name)
    original, copy = extract(source, DocumentType.IGES), extract(result.path, DocumentType.IGES)
    changed = {key for key in original.metadata if original.metadata[key] != copy.metadata.get(key)}
    assert changed <= {"file_name", "author", "organization", "entity_types", "entity_count"}
    assert copy.metadata["entity_count"] == original.metadata["entity_count"] + 1  # the general note
    assert str(copy.metadata["file_name"]).endswith("SHOKEI-COPY:SK-A-0001")
    assert copy.metadata["organization"] == "Ministry of Defense, Japan"
    lines = _records(result.path)
    assert all(len(line) == 80 for line in lines)
    by_section: dict[str, list[str]] = {}
    for line in lines:
        by_section.setdefault(line[72], []).append(line)
    for letter, records in by_section.items():  # sequence numbers run 1, 2, 3... in each section
        assert [int(record[73:]) for record in records] == list(range(1, len(records) + 1)), letter
    terminate = by_section["T"][0]
    counts = {terminate[i]: int(terminate[i + 1 : i + 8]) for i in range(0, 32, 8)}
    assert counts == {letter: len(by_section[letter]) for letter in "SGDP"}
    # The original's Directory and Parameter records come first, byte for byte; the note's follow.
    original_lines = _records(source)
    kept_d = [line for line in original_lines if line[72] == "D"]
    kept_p = [line for line in original_lines if line[72] == "P"]
    assert by_section["D"][: len(kept_d)] == kept_d
    assert by_section["P"][: len(kept_p)] == kept_p
    note_d, note_p = by_section["D"][len(kept_d) :], by_section["P"][len(kept_p) :]
    assert [line[:8] for line in note_d] == ["     212", "     212"]
    assert int(note_d[0][8:16]) == len(kept_p) + 1  # the note's data pointer
    assert note_p[0].startswith("212,2,")
    assert {int(line[65:72]) for line in note_p} == {len(kept_d) + 1}  # back to its entry


@pytest.mark.parametrize(
    ("name", "recorded", "kept_name"),
    [
        (  # tests/samples.py IgesGlobal: a path, an author and an organisation, all recorded
            "part.igs",
            {
                "iges.global.file_name": "C:/work/bracket.igs",
                "iges.global.author": "Test Author",
                "iges.global.organization": "Test Works",
            },
            "bracket.igs",
        ),
        real("sample.igs", {"iges.global.file_name": "/tmp/ansys/_tmp.iges"}, "_tmp.iges", id="sample.igs"),
    ],
)
def test_iges_start_section_carries_a_readable_note(
    request: pytest.FixtureRequest, name: str, recorded: dict[str, str], kept_name: str, tmp_path: Path
) -> None:
    result = make_iges_copy(source_file(request, "iges", name), SUCCESSOR_A, tmp_path / "copy.igs")
    start = [line[:72].rstrip() for line in _records(result.path) if line[72] == "S"]
    assert start[-2:] == [
        "Shokei hand-over copy SHOKEI-COPY:SK-A-0001 issued 2026-06-01 to",  # 64 columns; 74 with the
        "corporate no. 8010401050387. No copying or transfer.",  # next word, past column 72
    ]
    assert result.recorded == recorded
    assert (
        extract(result.path, DocumentType.IGES).metadata["file_name"] == f"{kept_name} SHOKEI-COPY:SK-A-0001"
    )


@pytest.mark.parametrize("name", IGES_FILES)
def test_iges_copies_traced_by_embedded_id(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> None:
    source = source_file(request, "iges", name)
    first = make_iges_copy(source, SUCCESSOR_A, tmp_path / f"a-{name}")
    second = make_iges_copy(source, SUCCESSOR_B, tmp_path / f"b-{name}")
    known = register(known_copy(SUCCESSOR_A, first, source), known_copy(SUCCESSOR_B, second, source))
    for result, label in ((first, SUCCESSOR_A), (second, SUCCESSOR_B)):
        moved = tmp_path / f"crlf-{result.path.name}"
        _to_crlf(result.path, moved)
        traced = trace(moved, known)
        assert (traced.copy_id, traced.method) == (label.copy_id, "marks")
        assert {"iges:global-file-name", "iges:start-section", "iges:general-note"} <= {
            str(piece) for piece in traced.candidates[0].evidence
        }


# --- DXF --------------------------------------------------------------------------------------


def _drawing_content(path: Path) -> list[tuple[str, str]]:
    return sorted(
        (entity.dxftype(), str(entity.dxf.get("layer", ""))) for entity in readfile(path).modelspace()
    )


def _is_binary(path: Path) -> bool:
    return path.read_bytes().startswith(b"AutoCAD Binary DXF")


@pytest.mark.parametrize("name", R12_DXF_FILES)
def test_dxf_copy_is_read_by_ezdxf_with_the_same_drawing(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "dxf", name)
    result = make_dxf_copy(source, SUCCESSOR_A, tmp_path / name)
    copy = readfile(result.path)
    assert copy.dxfversion == "AC1009"
    # The drawing as it was, plus the visible line on its own layer.
    assert _drawing_content(result.path) == sorted([*_drawing_content(source), ("TEXT", "SHOKEI-COPY")])
    assert _is_binary(result.path) is _is_binary(source)
    assert result.marks == (Mark.DXF_XDATA, Mark.DXF_VISIBLE_TEXT)  # R12 has no custom properties


@pytest.mark.parametrize("name", R2013_DXF_FILES)
def test_dxf_r2004_and_later_also_carry_a_custom_property(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    result = make_dxf_copy(source_file(request, "dxf", name), SUCCESSOR_A, tmp_path / "copy.dxf")
    properties = dict(readfile(result.path).header.custom_vars)
    assert properties["SHOKEI-COPY"] == "SHOKEI-COPY:SK-A-0001 corporate no. 8010401050387 issued 2026-06-01"
    assert result.recorded == {"dxf.header.$LASTSAVEDBY": "ezdxf"}
    assert readfile(result.path).header["$LASTSAVEDBY"] == ""


@pytest.mark.parametrize("name", R12_DXF_FILES + R2013_DXF_FILES)
def test_dxf_copies_traced_by_embedded_id_after_resaving(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "dxf", name)
    first = make_dxf_copy(source, SUCCESSOR_A, tmp_path / f"a-{name}")
    second = make_dxf_copy(source, SUCCESSOR_B, tmp_path / f"b-{name}")
    known = register(known_copy(SUCCESSOR_A, first, source), known_copy(SUCCESSOR_B, second, source))
    binary = _is_binary(source)
    for result, label in ((first, SUCCESSOR_A), (second, SUCCESSOR_B)):
        resaved = tmp_path / f"resaved-{result.path.name}"
        readfile(result.path).saveas(resaved, fmt="bin" if binary else "asc")  # a CAD user's "save"
        traced = trace(resaved, known)
        assert (traced.copy_id, traced.method, traced.confidence) == (label.copy_id, "marks", 0.95)
        assert "dxf:xdata" in [str(piece) for piece in traced.candidates[0].evidence]
        if name in ("drawing-r2013.dxf", "dxf_unicode.dxf"):  # R2013: the custom property survives too
            assert "dxf:custom-property" in [str(piece) for piece in traced.candidates[0].evidence]


@pytest.mark.parametrize("name", ["drawing-r12.dxf", real("ASCII_R12.dxf")])
def test_dxf_copy_of_a_copy_keeps_both_ids(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> None:
    successor = make_dxf_copy(source_file(request, "dxf", name), SUCCESSOR_A, tmp_path / "a.dxf")
    sub = make_dxf_copy(successor.path, SUBCONTRACTOR, tmp_path / "s.dxf")
    assert [mark.copy_id for mark in read_marks(sub.path)] == ["SK-A-0001", "SK-S-0001"]


def test_dxf_authorship_and_local_paths_follow_the_policy(tmp_path: Path) -> None:
    drawing = new_drawing("R2018")
    drawing.header["$LASTSAVEDBY"] = "tanaka"
    drawing.header.custom_vars.append("Author", "田中 太郎")
    drawing.header.custom_vars.append("Project", "PX-7")
    image = drawing.add_image_def("C:\\Users\\tanaka\\photos\\bracket.png", (640, 480))
    drawing.add_xref_def("\\\\fileserver\\design\\frame.dwg", "FRAME")
    source = tmp_path / "authored.dxf"
    drawing.saveas(source)
    result = make_dxf_copy(source, SUCCESSOR_A, tmp_path / "copy.dxf")
    assert result.recorded == {
        "dxf.header.$LASTSAVEDBY": "tanaka",
        "dxf.custom_property.Author": "田中 太郎",
        f"dxf.IMAGEDEF.{image.dxf.handle}": "C:\\Users\\tanaka\\photos\\bracket.png",
        "dxf.xref.FRAME": "\\\\fileserver\\design\\frame.dwg",
    }
    copy = readfile(result.path)
    assert copy.header["$LASTSAVEDBY"] == ""
    assert [tag for tag, _ in copy.header.custom_vars] == ["Project", "SHOKEI-COPY"]
    assert copy.entitydb[image.dxf.handle].dxf.filename == "bracket.png"
    frame = copy.blocks.get("FRAME").block
    assert frame is not None
    assert frame.dxf.xref_path == "frame.dwg"


@pytest.mark.parametrize(
    ("folder", "name", "maker"),
    [
        ("step", "part.stp", make_step_copy),
        ("iges", "part.iges", make_iges_copy),
        real("step", "NIST_MBE_PMI_1.stp", make_step_copy, id="NIST_MBE_PMI_1.stp"),
        real("iges", "example-arcs.iges", make_iges_copy, id="example-arcs.iges"),
    ],
)
def test_step_and_iges_copies_are_reproducible(
    request: pytest.FixtureRequest,
    folder: str,
    name: str,
    maker: Callable[[Path, CopyLabel, Path], CopyResult],
    tmp_path: Path,
) -> None:
    once = maker(source_file(request, folder, name), SUCCESSOR_A, tmp_path / "1")
    again = maker(source_file(request, folder, name), SUCCESSOR_A, tmp_path / "2")
    assert once.sha256 == again.sha256


@pytest.mark.parametrize(("iges", "start_records"), [("part.igs", 1), real("sample.igs", 3, id="sample.igs")])
def test_cad_files_that_cannot_be_marked_go_into_the_signed_zip(
    request: pytest.FixtureRequest,
    iges: str,
    start_records: int,
    tmp_path: Path,
    signing_key: Ed25519PrivateKey,
) -> None:
    cut_step = tmp_path / "cut.stp"  # the header never ends
    cut_step.write_bytes(b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('x'),'2;1');\n")
    start_only = tmp_path / "start-only.igs"  # Start records only, no Global section
    records = source_file(request, "iges", iges).read_bytes().splitlines(True)
    start_only.write_bytes(b"".join(records[:start_records]))
    for source, kind in ((cut_step, DocumentType.STEP), (start_only, DocumentType.IGES)):
        assert detect_type_path(source) is kind
        result = make_copy(source, SUCCESSOR_A, tmp_path, signing_key=signing_key, terms=TERMS)
        assert (result.format, result.path.name) == ("zip", f"SK-A-0001-{source.name}.zip")
        assert result.notes[0].startswith("not markable (")
