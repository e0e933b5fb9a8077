"""Extraction from the real public files (expected values from their README and the files' own
text) and from files generated here (tests/samples.py, expected values as written); every broken
file must come back flagged, never raise."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from ezdxf.filemanagement import new as new_drawing
from PIL import Image

from shokei.formats.extract import Extraction, Flag, extract
from shokei.formats.extract import office as office_module
from shokei.formats.extract import step as step_module
from shokei.formats.extract.iges import parse_global_section
from shokei.formats.extract.step import StatementSplitter, decode_string, parse_parameters
from shokei.formats.sniff import DocumentType
from tests import samples
from tests.real_files import files_in, real


@pytest.fixture
def pdf(real_files: Path) -> Callable[..., Extraction]:
    def read(name: str, **options: int) -> Extraction:
        return extract(real_files / "pdf" / name, DocumentType.PDF, **options)

    return read


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pages", "version", "producer_part"),
    [
        ("minimal-document.pdf", 1, "1.5", "pdfTeX-1.40.23"),
        ("002-trivial-libre-office-writer.pdf", 1, "1.5", "LibreOffice 6.4"),
        ("pdflatex-4-pages.pdf", 4, "1.5", "pdfTeX"),
        ("google-doc-document.pdf", 1, "1.4", "Skia/PDF m103"),
        ("habibi.pdf", 1, "1.7", "WeasyPrint 54.1"),
        ("annotated_pdf.pdf", 1, "1.6", "FPDF2"),
    ],
)
def test_pdf_page_count_version_and_producer(
    pdf: Callable[..., Extraction], name: str, pages: int, version: str, producer_part: str
) -> None:
    result = pdf(name)
    assert result.metadata["page_count"] == pages
    assert result.metadata["pdf_version"] == version
    assert producer_part in str(result.metadata["producer"])
    assert result.flags == []


def test_pdf_text_is_extracted(pdf: Callable[..., Extraction]) -> None:
    assert "Lorem ipsum" in pdf("minimal-document.pdf").text
    assert "Lorem ipsum" in pdf("002-trivial-libre-office-writer.pdf").text
    assert "habibi" in pdf("habibi.pdf").text


def test_pdf_title_from_information_dictionary(pdf: Callable[..., Extraction]) -> None:
    assert pdf("habibi.pdf").metadata["title"] == "habibi"
    assert pdf("annotated_pdf.pdf").metadata["title"] == "Annotated PDF"


def test_encrypted_pdf_is_flagged_and_not_opened(pdf: Callable[..., Extraction]) -> None:
    result = pdf("libreoffice-writer-password.pdf")
    assert Flag.ENCRYPTED in result.flags
    assert Flag.UNPARSEABLE not in result.flags
    # README: Standard handler V2/R3, RC4-128; the empty password fails, so nothing is read.
    assert result.metadata["encryption"] == {
        "filter": "Standard",
        "version": 2,
        "revision": 3,
        "key_bits": 128,
    }
    assert "page_count" not in result.metadata
    assert result.text == ""


def test_pdf_attachment_names_are_listed(pdf: Callable[..., Extraction]) -> None:
    assert pdf("with-attachment.pdf").metadata["attachments"] == ["image.png"]


def test_pdf_text_is_bounded_and_flagged(pdf: Callable[..., Extraction]) -> None:
    result = pdf("pdflatex-4-pages.pdf", max_text_chars=50)
    assert len(result.text) == 50
    assert Flag.TRUNCATED in result.flags
    assert result.metadata["page_count"] == 4


# --- STEP -------------------------------------------------------------------------------------


def test_step_nist_header_and_wrapped_strings(real_files: Path) -> None:
    result = extract(real_files / "step" / "NIST_MBE_PMI_1.stp", DocumentType.STEP)
    metadata = result.metadata
    assert metadata["name"] == "NI84E9~1"
    assert metadata["time_stamp"] == "2014-04-01T10:33:27-04:00"
    assert metadata["preprocessor_version"] == "ST-DEVELOPER v15"
    assert metadata["originating_system"] == ""
    assert metadata["author"] == []
    assert metadata["organization"] == []
    assert metadata["implementation_level"] == "2;1"
    assert metadata["schema"] == ["CONFIG_CONTROL_DESIGN"]
    assert metadata["application_protocol"] == "AP203"
    assert metadata["products"] == [
        {"id": "Document", "name": "Document", "description": "Rhino converted to STEP"}
    ]
    # Split as "...assemblie" / "s')" across lines in this copy (README note): joined, no break.
    assert metadata["application_contexts"] == [
        "configuration controlled 3d designs of mechanical parts and assemblies"
    ]
    assert metadata["security_classification_levels"] == ["unclassified"]
    assert result.flags == []
    assert "Rhino converted to STEP" in result.text


def test_step_ap242_tetrahedron_header_with_comments(real_files: Path) -> None:
    result = extract(real_files / "step" / "tessellated_tetrahedron_ap242.step", DocumentType.STEP)
    metadata = result.metadata
    assert metadata["description"] == ["Tessellated tetrahedron in AP242"]
    assert metadata["name"] == "tessellated_tetrahedron_ap242.step"
    assert metadata["time_stamp"] == "2025-06-19T10:00:00"
    assert metadata["author"] == ["OpenCASCADE"]
    assert metadata["organization"] == ["Organization"]
    assert metadata["preprocessor_version"] == "7.8.0"
    assert metadata["originating_system"] == "OpenCASCADE STEP Writer"
    assert metadata["schema"] == ["AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF { 1 0 10303 442 1 1 4 }"]
    assert metadata["application_protocol"] == "AP242"
    assert metadata["products"] == [{"id": "Tetrahedron", "name": "Tetrahedron", "description": ""}]
    assert result.flags == []


def _split(text: str, chunk: int) -> list[str | None]:
    splitter = StatementSplitter()
    statements: list[str | None] = []
    for start in range(0, len(text), chunk):
        statements.extend(splitter.feed(text[start : start + chunk]))
    return statements


TRICKY_STEP = (
    "ISO-10303-21;\nHEADER;\n/* a comment; with 'quotes' */\n"
    "FILE_NAME('it''s; a\n name','t',('A. Author'),('Org'),'pre','sys','');\n"
    "ENDSEC;\nDATA;\n"
    "#1=PRODUCT('P-1','\\X2\\30C630B930C8\\X0\\ part','back\\\\slash \\X\\E9t\\X\\E9',(#2));\n"
    "#2=PRODUCT_CONTEXT('',#3,'mechanical');\nENDSEC;\nEND-ISO-10303-21;"
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 4096])
def test_statement_splitter_is_independent_of_chunk_boundaries(chunk: int) -> None:
    statements = _split(TRICKY_STEP, chunk)
    assert statements[0] == "ISO-10303-21"
    assert statements[2] == "FILE_NAME('it''s; a name','t',('A. Author'),('Org'),'pre','sys','')"
    assert len(statements) == 9


def test_quote_escape_wrapped_between_its_two_quotes() -> None:
    assert _split("X('it'\n's');", 1) == ["X('it''s')"]
    assert _split("X('it'\r\n,'s');", 1) == ["X('it','s')"]


def test_step_string_decoding() -> None:
    assert decode_string("it''s") == "it's"
    assert decode_string("\\X2\\30C630B930C8\\X0\\") == "テスト"
    assert decode_string("\\X4\\0001F600\\X0\\") == "\U0001f600"
    assert decode_string("caf\\X\\E9") == "café"
    assert decode_string("a\\\\b") == "a\\b"
    assert decode_string("\\S\\i") == "é"  # 'i' (0x69) + 128 = 0xE9
    shift_jis = "図面".encode("cp932").decode("latin-1")  # raw bytes as the reader sees them
    assert decode_string(shift_jis) == "図面"


def test_step_parameters_skip_typed_values_and_nest() -> None:
    values = parse_parameters("('a',(#1,'b'),LENGTH_MEASURE(0.01),$,.T.)")
    assert values == ["a", [None, "b"], [None], None, None]


def test_step_tricky_file_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "tricky.stp"
    path.write_bytes(TRICKY_STEP.encode("latin-1"))
    result = extract(path, DocumentType.STEP)
    assert result.metadata["name"] == "it's; a name"
    assert result.metadata["author"] == ["A. Author"]
    assert result.metadata["products"] == [
        {"id": "P-1", "name": "テスト part", "description": "back\\slash été"}
    ]
    assert result.metadata["instance_count"] == 2


def test_step_data_scan_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step_module, "MAX_DATA_CHARS", 1000)
    monkeypatch.setattr(step_module, "CHUNK_CHARS", 256)
    products = "".join(f"#{i}=PRODUCT('p{i}','n{i}','',());\n" for i in range(1, 2000))
    path = tmp_path / "big.stp"
    path.write_text(f"ISO-10303-21;HEADER;FILE_NAME('big','',(''),(''),'','','');ENDSEC;DATA;\n{products}")
    result = extract(path, DocumentType.STEP)
    assert Flag.TRUNCATED in result.flags
    assert result.metadata["name"] == "big"
    assert 0 < len(result.metadata["products"]) < 1999


def test_not_a_step_file_is_unparseable(tmp_path: Path) -> None:
    path = tmp_path / "fake.stp"
    path.write_text("HEADER;\nFILE_NAME('x');\nENDSEC;\n")
    result = extract(path, DocumentType.STEP)
    assert result.flags == [Flag.UNPARSEABLE]
    assert result.metadata["error"] == "ValueError"


# --- IGES -------------------------------------------------------------------------------------


def test_iges_sample_global_section(real_files: Path) -> None:
    result = extract(real_files / "iges" / "sample.igs", DocumentType.IGES)
    metadata = result.metadata
    assert metadata["parameter_delimiter"] == ","
    assert metadata["record_delimiter"] == ";"
    assert metadata["file_name"] == "/tmp/ansys/_tmp.iges"
    assert metadata["native_system_id"] == "ANSYS"
    assert metadata["preprocessor_version"] == "  20.2      UP20200601"  # Hollerith keeps blanks
    assert metadata["model_space_scale"] == 1.0
    assert metadata["units_flag"] == 6
    assert metadata["units"] == "M"  # flag 6 is metres in IGES 5.3
    assert metadata["created"] == "000819.092651"
    assert metadata["min_resolution"] == 1.0e-4
    assert metadata["iges_version"] == "5.1"  # version flag 9
    # README: 4 points (116) and an attribute table (322).
    assert metadata["entity_types"] == {"116": 4, "322": 1}
    assert "ANSYS RELEASE 2020 R2" in result.text  # from the Start section


def test_iges_example_arcs_global_section(real_files: Path) -> None:
    result = extract(real_files / "iges" / "example-arcs.iges", DocumentType.IGES)
    metadata = result.metadata
    assert metadata["parameter_delimiter"] == ","  # field 1 left empty: the default
    assert metadata["sender_product_id"] == "Open CASCADE IGES processor 7.5"
    assert metadata["file_name"] == "Filename.iges"
    assert metadata["native_system_id"] == "Open CASCADE 7.5"
    assert metadata["integer_bits"] == 32
    assert metadata["units_flag"] == 2
    assert metadata["units_name"] == "MM"
    assert metadata["units"] == "MM"
    assert metadata["min_resolution"] == 1e-07
    assert metadata["max_coordinate"] == 188.182132
    assert metadata["author"] == ""
    assert metadata["iges_version"] == "5.3"
    assert metadata["modified"] == "20230416.113327"
    entity_types = metadata["entity_types"]
    assert isinstance(entity_types, dict)
    assert {"100", "104", "124", "126", "402"} <= set(entity_types)


def test_iges_global_with_redefined_delimiters_and_delimiters_inside_strings() -> None:
    fields = parse_global_section("1H/ / 1H# / 9Ha,b;c/d/e / 1.0D0 #")
    assert fields == ["/", "#", "a,b;c/d/e", "1.0D0"]


def test_iges_hollerith_string_spanning_records(tmp_path: Path) -> None:
    global_text = "1H,,1H;,4HPART,20HAAAAAAAAAAAAAAAAAAAA" + "," * 40
    first, rest = global_text[:72], global_text[72:]
    lines = [
        "".ljust(72) + "S      1",
        first.ljust(72) + "G      1",
        (rest + "2HMM;").ljust(72) + "G      2",
    ]
    path = tmp_path / "span.igs"
    path.write_text("\n".join(lines) + "\n")
    result = extract(path, DocumentType.IGES)
    assert result.metadata["sender_product_id"] == "PART"
    assert result.metadata["file_name"] == "A" * 20


def test_iges_without_global_section_is_unparseable(tmp_path: Path) -> None:
    path = tmp_path / "empty.igs"
    path.write_text("".ljust(72) + "S0000001\n")
    assert extract(path, DocumentType.IGES).flags == [Flag.UNPARSEABLE]


# --- DXF --------------------------------------------------------------------------------------


@pytest.fixture
def dxf(real_files: Path) -> Callable[[str], Extraction]:
    return lambda name: extract(real_files / "dxf" / name, DocumentType.DXF)


def test_dxf_versions_of_r12_files(dxf: Callable[[str], Extraction]) -> None:
    assert dxf("Minimal_DXF_AC1009.dxf").metadata["dxf_version"] == "AC1009"
    assert dxf("ASCII_R12.dxf").metadata["dxf_version"] == "AC1009"
    assert dxf("Minimal_DXF_AC1009.dxf").metadata["entity_count"] == 0


def test_binary_dxf_is_read_with_the_normal_loader(dxf: Callable[[str], Extraction]) -> None:
    result = dxf("bin_dxf_r12.dxf")
    assert result.flags == []
    assert result.metadata["entity_types"] == {"LINE": 3}


def test_dxf_with_trash_beyond_eof(dxf: Callable[[str], Extraction]) -> None:
    result = dxf("R12_with_trash_beyond_EOF.dxf")
    assert result.flags == []
    assert result.metadata["entity_types"] == {"CIRCLE": 1}
    assert "Layer_is_a_required_tag" in result.metadata["layers"]


def test_dxf_unicode_layer_names(dxf: Callable[[str], Extraction]) -> None:
    assert "Tschüss mit ü" in dxf("dxf_unicode.dxf").metadata["layers"]
    assert dxf("dxf_unicode.dxf").metadata["dxf_version"] == "AC1027"
    assert "ΛΑΓΕΡÄÜÖ" in dxf("ASCII_R12.dxf").metadata["layers"]


def test_dxf_texts_attributes_and_units(tmp_path: Path) -> None:
    document = new_drawing("R2010")
    document.header["$INSUNITS"] = 4
    title_block = document.blocks.new("TITLE")
    title_block.add_attdef("DWGNO", (0, 0))
    modelspace = document.modelspace()
    modelspace.add_text("図番 A-1234", dxfattribs={"layer": "注記"})
    modelspace.add_mtext("取扱注意\\Pline two")
    modelspace.add_blockref("TITLE", (0, 0)).add_attrib("DWGNO", "DWG-0042", (0, 0))
    path = tmp_path / "drawing.dxf"
    document.saveas(path)
    result = extract(path, DocumentType.DXF)
    assert result.metadata["units"] == "Millimeters"
    assert result.metadata["insunits"] == 4
    assert "注記" in result.metadata["layers"]
    assert "図番 A-1234" in result.text
    assert "取扱注意\nline two" in result.text
    assert "DWG-0042" in result.text


# --- Office -----------------------------------------------------------------------------------

_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DOCX_BODY = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'
    "<w:p><w:r><w:t>【取扱注意】</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>部品表 </w:t></w:r><w:r><w:t>改訂B</w:t></w:r></w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>セル内の文字</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    "</w:body></w:document>"
)


def _minimal_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        package.writestr("_rels/.rels", _DOCX_RELS)
        package.writestr("word/document.xml", _DOCX_BODY)
    return path


def test_docx_without_core_properties_gets_no_invented_ones(tmp_path: Path) -> None:
    result = extract(_minimal_docx(tmp_path / "bare.docx"), DocumentType.DOCX)
    assert result.flags == []
    # python-docx would report title "Word Document" / author "python-docx": must not appear.
    for invented in ("title", "creator", "last_modified_by", "created", "modified", "revision"):
        assert invented not in result.metadata
    assert result.text.split("\n") == ["【取扱注意】", "部品表 改訂B", "セル内の文字"]
    assert result.metadata["paragraph_count"] == 3


def test_docx_core_properties_headers_and_footers(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "射撃統制装置 仕様書"
    document.core_properties.author = "山田 太郎"
    document.sections[0].header.paragraphs[0].text = "社外秘"
    document.sections[0].footer.paragraphs[0].text = "DISTRIBUTION STATEMENT D"
    document.add_paragraph("本文")
    path = tmp_path / "spec.docx"
    document.save(str(path))
    result = extract(path, DocumentType.DOCX)
    assert result.metadata["title"] == "射撃統制装置 仕様書"
    assert result.metadata["creator"] == "山田 太郎"
    lines = result.text.split("\n")
    assert {"社外秘", "DISTRIBUTION STATEMENT D", "本文"} <= set(lines)
    assert lines.index("社外秘") < lines.index("本文")  # headers first: markings survive truncation


def test_xlsx_properties_sheets_and_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "部品表"
    sheet.append(["品番", "名称", "数量"])
    sheet.append(["A-001", "ブラケット", 4])
    workbook.create_sheet("改訂履歴").append(["B", "2024-04-01"])
    workbook.properties.title = "BOM"
    path = tmp_path / "bom.xlsx"
    workbook.save(path)
    result = extract(path, DocumentType.XLSX)
    assert result.metadata["sheets"] == ["部品表", "改訂履歴"]
    assert result.metadata["title"] == "BOM"
    assert "A-001\tブラケット\t4" in result.text.split("\n")
    assert "B\t2024-04-01" in result.text.split("\n")


def test_office_package_over_the_size_budget_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office_module, "MAX_PACKAGE_BYTES", 100)
    result = extract(_minimal_docx(tmp_path / "big.docx"), DocumentType.DOCX)
    assert result.flags == [Flag.TOO_LARGE]
    assert result.text == ""


# --- images and text --------------------------------------------------------------------------


def test_image_header_facts(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    Image.new("L", (30, 20)).save(path, dpi=(300, 300))
    result = extract(path, DocumentType.IMAGE)
    assert result.metadata["format"] == "PNG"
    assert (result.metadata["width"], result.metadata["height"]) == (30, 20)
    assert result.metadata["mode"] == "L"
    assert result.flags == []


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring `width` x `height` with almost no pixel data (never decoded here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def test_image_over_the_pixel_limit_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "warn.png"
    path.write_bytes(_png_header_only(10_000, 10_000))  # 1e8 > 89.5M pixels: Pillow warns
    result = extract(path, DocumentType.IMAGE)
    assert Flag.DECOMPRESSION_BOMB in result.flags
    assert result.metadata["width"] == 10_000


def test_image_far_over_the_pixel_limit_is_flagged_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(20_000, 20_000))  # 4e8 > twice the limit: Pillow refuses
    result = extract(path, DocumentType.IMAGE)
    assert result.flags == [Flag.DECOMPRESSION_BOMB]
    assert result.metadata["error"] == "DecompressionBombError"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("shift_jis", "cp932"), ("utf-8", "utf-8"), ("euc_jp", "euc_jp")]
)
def test_text_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    content = "整備手順書\n第3版\n"
    path = tmp_path / "note.txt"
    path.write_bytes(content.encode(encoding))
    result = extract(path, DocumentType.TEXT)
    assert result.text == content
    assert result.metadata["encoding"] == expected
    assert result.metadata["line_count"] == 2


def test_text_is_truncated_at_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("あ" * 1000, encoding="utf-8")
    result = extract(path, DocumentType.TEXT, max_text_chars=10)
    assert result.text == "あ" * 10
    assert Flag.TRUNCATED in result.flags


@pytest.mark.parametrize("relative", files_in("pdf", "step", "iges", "dxf"))
def test_metadata_of_every_real_file_is_json(real_files: Path, relative: str) -> None:
    _metadata_is_json(real_files / relative, DocumentType(relative.split("/", maxsplit=1)[0]))


@pytest.mark.parametrize(
    ("name", "doc_type"),
    [
        ("one-page.pdf", DocumentType.PDF),
        ("four-pages.pdf", DocumentType.PDF),
        ("part.stp", DocumentType.STEP),
        ("part.igs", DocumentType.IGES),
        ("part.iges", DocumentType.IGES),
        ("drawing-r12.dxf", DocumentType.DXF),
        ("drawing-r12-binary.dxf", DocumentType.DXF),
        ("drawing-r2013.dxf", DocumentType.DXF),
    ],
)
def test_metadata_of_every_generated_sample_is_json(
    sample_files: Path, name: str, doc_type: DocumentType
) -> None:
    _metadata_is_json(sample_files / name, doc_type)


def _metadata_is_json(path: Path, doc_type: DocumentType) -> None:
    result = extract(path, doc_type)
    assert Flag.UNPARSEABLE not in result.flags
    assert json.loads(json.dumps(result.metadata, ensure_ascii=False)) == result.metadata
    assert json.loads(json.dumps(result.flags)) == list(result.flags)


# --- generated samples of each format (tests/samples.py) ---------------------------------------
# The same code paths as the real files above, on files a bare clone can build; expected values
# are the ones handed to the writer.


def test_generated_pdf_pages_version_producer_title_and_text(tmp_path: Path) -> None:
    pages = ["Lorem ipsum on page one", "second page words", "third (page) with \\ backslash"]
    path = samples.write_pdf(
        tmp_path / "g.pdf", pages, title="Bracket spec", producer="Shokei samples 1.0", version="1.6"
    )
    result = extract(path, DocumentType.PDF)
    assert result.flags == []
    assert result.metadata["page_count"] == 3
    assert result.metadata["pdf_version"] == "1.6"
    assert result.metadata["producer"] == "Shokei samples 1.0"
    assert result.metadata["title"] == "Bracket spec"
    for text in ("Lorem ipsum on page one", "second page words", "third (page) with \\ backslash"):
        assert text in result.text


def test_generated_encrypted_pdf_is_flagged_and_not_opened(tmp_path: Path) -> None:
    path = samples.write_pdf(
        tmp_path / "locked.pdf", ["secret words"], user_password="openpassword", owner_password="owner"
    )
    result = extract(path, DocumentType.PDF)
    assert Flag.ENCRYPTED in result.flags
    assert Flag.UNPARSEABLE not in result.flags
    assert result.metadata["encryption"] == {
        "filter": "Standard",
        "version": 2,
        "revision": 3,
        "key_bits": 128,
    }
    assert "page_count" not in result.metadata
    assert result.text == ""


def test_generated_pdf_attachment_names_are_listed(tmp_path: Path) -> None:
    attached = {"image.png": b"\x89PNG\r\n", "部品表.csv": b"a,b\n"}
    path = samples.write_pdf(tmp_path / "att.pdf", ["see attachments"], attachments=attached)
    assert sorted(extract(path, DocumentType.PDF).metadata["attachments"]) == ["image.png", "部品表.csv"]  # type: ignore[arg-type]


def test_generated_pdf_text_is_bounded_and_flagged(sample_files: Path) -> None:
    result = extract(sample_files / "four-pages.pdf", DocumentType.PDF, max_text_chars=50)
    assert result.text == "Page 1 of the bracket specification. " + samples.FOUR_PAGE_TEXTS[0][37:50]
    assert len(result.text) == 50
    assert Flag.TRUNCATED in result.flags
    assert result.metadata["page_count"] == 4


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_generated_step_header_products_and_wrapped_string(tmp_path: Path, trailing_newline: bool) -> None:
    header = samples.StepHeader(
        description="Valve body",
        name="valve.stp",
        time_stamp="2023-11-30T17:05:00+09:00",
        author="Sato",
        organization="Kogyo KK",
        preprocessor_version="writer 9",
        originating_system="CAD X",
        schema="CONFIG_CONTROL_DESIGN",
    )
    products = [("V-1", "Valve", "cast body"), ("V-2", "Bonnet", "")]
    path = samples.write_step(tmp_path / "valve.stp", header, products, trailing_newline=trailing_newline)
    result = extract(path, DocumentType.STEP)
    metadata = result.metadata
    assert result.flags == []
    assert metadata["description"] == ["Valve body"]
    assert metadata["name"] == "valve.stp"
    assert metadata["time_stamp"] == "2023-11-30T17:05:00+09:00"
    assert (metadata["author"], metadata["organization"]) == (["Sato"], ["Kogyo KK"])
    assert metadata["preprocessor_version"] == "writer 9"
    assert metadata["originating_system"] == "CAD X"
    assert metadata["schema"] == ["CONFIG_CONTROL_DESIGN"]
    assert metadata["application_protocol"] == "AP203"
    assert metadata["products"] == [
        {"id": "V-1", "name": "Valve", "description": "cast body"},
        {"id": "V-2", "name": "Bonnet", "description": ""},
    ]
    # Written cut after "assemblie": joined again, without the line break.
    assert metadata["application_contexts"] == [
        "configuration controlled 3d designs of mechanical parts and assemblies"
    ]
    assert metadata["instance_count"] == 7  # context, product context, two products, three points
    assert "cast body" in result.text


@pytest.mark.parametrize("zero_padded", [True, False], ids=["S0000001", "S      1"])
def test_generated_iges_global_section_and_entity_census(tmp_path: Path, zero_padded: bool) -> None:
    fields = samples.IgesGlobal(
        sender_product_id="Sender CAD, v2; build 7",  # delimiters inside a Hollerith string
        file_name="/home/tanaka/part.igs",
        native_system_id="Native 3.1",
        author="Tanaka",
        organization="Seimitsu KK",
        units_flag=2,
        units_name="MM",
        version_flag=11,
    )
    start = ["Exported for the Shokei tests.", "Second start line."]
    path = samples.write_iges(tmp_path / "part.igs", start, fields, zero_padded=zero_padded)
    result = extract(path, DocumentType.IGES)
    metadata = result.metadata
    assert result.flags == []
    assert (metadata["parameter_delimiter"], metadata["record_delimiter"]) == (",", ";")
    assert metadata["sender_product_id"] == "Sender CAD, v2; build 7"
    assert metadata["file_name"] == "/home/tanaka/part.igs"
    assert metadata["native_system_id"] == "Native 3.1"
    assert (metadata["author"], metadata["organization"]) == ("Tanaka", "Seimitsu KK")
    assert (metadata["units_flag"], metadata["units"]) == (2, "MM")
    assert metadata["min_resolution"] == 1e-6
    assert metadata["created"] == "20240401.093000"
    assert metadata["iges_version"] == "5.3"
    assert metadata["entity_types"] == {"100": 1, "110": 1, "116": 2}
    assert metadata["entity_count"] == 4
    assert "Exported for the Shokei tests.\nSecond start line." in result.text


def test_generated_dxf_r12_ascii_binary_and_r2013(sample_files: Path) -> None:
    r12 = extract(sample_files / "drawing-r12.dxf", DocumentType.DXF)
    binary = extract(sample_files / "drawing-r12-binary.dxf", DocumentType.DXF)
    r2013 = extract(sample_files / "drawing-r2013.dxf", DocumentType.DXF)
    assert (
        (sample_files / "drawing-r12-binary.dxf").read_bytes().startswith(b"AutoCAD Binary DXF\r\n\x1a\x00")
    )
    for result in (r12, binary, r2013):
        assert result.flags == []
        assert result.metadata["entity_types"] == {"CIRCLE": 1, "LINE": 3}
    assert r12.metadata["dxf_version"] == binary.metadata["dxf_version"] == "AC1009"
    assert "ΛΑΓΕΡÄÜÖ" in r12.metadata["layers"]  # type: ignore[operator]  # \U+ escapes in R12
    assert "BINARY" in binary.metadata["layers"]  # type: ignore[operator]
    assert r2013.metadata["dxf_version"] == "AC1027"
    assert "Tschüss 図面" in r2013.metadata["layers"]  # type: ignore[operator]


def test_generated_dxf_with_trash_beyond_eof_and_an_entities_only_file(
    sample_files: Path, tmp_path: Path
) -> None:
    trailing = tmp_path / "trailing.dxf"
    trailing.write_bytes((sample_files / "drawing-r12.dxf").read_bytes() + b"\nnot part of the drawing\n")
    result = extract(trailing, DocumentType.DXF)
    assert result.flags == []
    assert result.metadata["entity_types"] == {"CIRCLE": 1, "LINE": 3}
    bare = tmp_path / "bare.dxf"
    bare.write_bytes(b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF")  # no HEADER: read as R12
    assert (
        extract(bare, DocumentType.DXF).metadata["dxf_version"],
        extract(bare, DocumentType.DXF).metadata["entity_count"],
    ) == ("AC1009", 0)


# --- failure tolerance ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc_type",
    [
        DocumentType.PDF,
        DocumentType.STEP,
        DocumentType.IGES,
        DocumentType.DXF,
        DocumentType.DOCX,
        DocumentType.XLSX,
        DocumentType.IMAGE,
    ],
)
def test_garbage_is_flagged_unparseable_never_raised(tmp_path: Path, doc_type: DocumentType) -> None:
    path = tmp_path / "garbage"
    path.write_bytes(b"\x00\xff garbage \x13\x37" * 100)
    result = extract(path, doc_type)
    assert result.flags == [Flag.UNPARSEABLE]
    assert isinstance(result.metadata["error"], str)
    assert result.metadata["error"].isidentifier()  # an exception class name
    assert result.text == ""


@pytest.mark.parametrize("source", ["generated", real("minimal-document.pdf")])
def test_truncated_pdf_is_flagged_not_raised(
    request: pytest.FixtureRequest, tmp_path: Path, source: str
) -> None:
    if source == "generated":
        original = samples.write_pdf(tmp_path / "whole.pdf", [samples.prose(1, 200)]).read_bytes()
    else:
        original = (request.getfixturevalue("real_files") / "pdf" / source).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(original[:500])
    result = extract(path, DocumentType.PDF)
    assert result.flags == [Flag.UNPARSEABLE]


def test_missing_file_is_flagged_not_raised(tmp_path: Path) -> None:
    result = extract(tmp_path / "nowhere.pdf", DocumentType.PDF)
    assert result.flags == [Flag.UNPARSEABLE]
    assert result.metadata["error"] == "FileNotFoundError"


def test_other_yields_an_empty_extraction(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(io.BytesIO(b"\x00" * 10).getvalue())
    assert extract(path, DocumentType.OTHER) == Extraction()


def test_negative_budget_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_text_chars"):
        extract(tmp_path / "x", DocumentType.TEXT, max_text_chars=-1)
