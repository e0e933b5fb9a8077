"""Content sniffing: every real public file and a generated sample of each format, generated office
files, images, archives and text."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image

from shokei.formats.sniff import (
    HEAD_SIZE,
    ArchiveKind,
    DocumentType,
    detect_archive,
    detect_archive_path,
    detect_type,
    detect_type_path,
    read_head,
)
from tests.real_files import FILES, files_in

# What each folder of the real files (and each generated sample) is by content.
KIND_OF_FOLDER = {
    "pdf": DocumentType.PDF,
    "dxf": DocumentType.DXF,
    "iges": DocumentType.IGES,
    "step": DocumentType.STEP,
    "bods": DocumentType.TEXT,
}


def _recognised(path: Path, expected: DocumentType) -> None:
    # The name is withheld: the bytes alone must decide.
    assert detect_type(read_head(path)) is expected
    assert detect_type_path(path) is expected
    assert detect_archive(read_head(path)) is None


@pytest.mark.parametrize("relative", files_in("pdf", "dxf", "iges", "step", "bods"))
def test_every_real_file_is_recognised_by_content(real_files: Path, relative: str) -> None:
    _recognised(real_files / relative, KIND_OF_FOLDER[relative.split("/", maxsplit=1)[0]])


def test_the_catalogue_lists_exactly_the_real_files(real_files: Path) -> None:
    on_disk = {
        f"{path.parent.name}/{path.name}" for path in real_files.glob("*/*") if path.name != "README.md"
    }
    assert on_disk == set(FILES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("one-page.pdf", DocumentType.PDF),
        ("four-pages.pdf", DocumentType.PDF),
        ("part.stp", DocumentType.STEP),
        ("part.igs", DocumentType.IGES),
        ("part.iges", DocumentType.IGES),
        ("drawing-r12.dxf", DocumentType.DXF),
        ("drawing-r12-binary.dxf", DocumentType.DXF),
        ("drawing-r2013.dxf", DocumentType.DXF),
        ("package.json", DocumentType.TEXT),
    ],
)
def test_every_generated_sample_is_recognised_by_content(
    sample_files: Path, tmp_path: Path, name: str, expected: DocumentType
) -> None:
    unnamed = tmp_path / "upload.bin"  # no extension to lean on
    unnamed.write_bytes((sample_files / name).read_bytes())
    _recognised(unnamed, expected)


def test_head_size_is_8_kib() -> None:
    assert HEAD_SIZE == 8192


# --- office packages and archives -------------------------------------------------------------


def _docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("図面一覧")
    document.save(str(path))
    return path


def _xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "部品番号"
    workbook.save(path)
    return path


def _zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_docx_and_xlsx_are_documents_not_archives(tmp_path: Path) -> None:
    word, excel = _docx(tmp_path / "a.bin"), _xlsx(tmp_path / "b.bin")
    assert detect_type(read_head(word)) is DocumentType.DOCX
    assert detect_type_path(word) is DocumentType.DOCX
    assert detect_type(read_head(excel)) is DocumentType.XLSX
    assert detect_type_path(excel) is DocumentType.XLSX
    assert detect_archive(read_head(word)) is ArchiveKind.ZIP  # by its bytes it is a ZIP...
    assert detect_archive_path(word) is None  # ...but with the directory read, a document
    assert detect_archive_path(excel) is None


def test_plain_zip_is_an_archive_and_not_a_document(tmp_path: Path) -> None:
    path = _zip(tmp_path / "drawings.docx", {"a.pdf": b"%PDF-1.4\n", "word/x.txt": b"not ooxml"})
    # No [Content_Types].xml: not OOXML, whatever the name and folder names say.
    assert detect_type_path(path) is DocumentType.OTHER
    assert detect_archive_path(path) is ArchiveKind.ZIP


def test_stored_pdf_in_zip_or_tar_is_not_mistaken_for_a_pdf(tmp_path: Path) -> None:
    zipped = _zip(tmp_path / "a.zip", {"a.pdf": b"%PDF-1.4\n" * 10}, zipfile.ZIP_STORED)
    tarred = tmp_path / "a.tar"
    with tarfile.open(tarred, "w") as archive:
        info = tarfile.TarInfo("a.pdf")
        info.size = 9
        archive.addfile(info, io.BytesIO(b"%PDF-1.4\n"))
    for path, kind in ((zipped, ArchiveKind.ZIP), (tarred, ArchiveKind.TAR)):
        assert b"%PDF-" in read_head(path)[:1024]
        assert detect_type(read_head(path)) is DocumentType.OTHER
        assert detect_archive(read_head(path)) is kind


def test_ooxml_whose_head_hides_the_main_part_uses_the_name_as_tie_breaker(tmp_path: Path) -> None:
    # A large incompressible docProps entry first pushes word/ beyond the 8 KiB head.
    filler = os.urandom(HEAD_SIZE * 2)
    path = _zip(
        tmp_path / "spec.docx",
        {"[Content_Types].xml": b"<Types/>", "docProps/thumbnail.jpeg": filler, "word/document.xml": b"<w/>"},
    )
    head = read_head(path)
    assert b"word/" not in head
    assert detect_type(head, "spec.docx") is DocumentType.DOCX
    assert detect_type(head, "spec.zip") is DocumentType.OTHER
    assert detect_type(head) is DocumentType.OTHER
    assert detect_type_path(path) is DocumentType.DOCX  # the central directory settles it


def test_compressed_streams_and_tar_are_archive_kinds() -> None:
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as archive:
        info = tarfile.TarInfo("x.txt")
        archive.addfile(info, io.BytesIO(b""))
    assert detect_archive(tar_bytes.getvalue()) is ArchiveKind.TAR
    assert detect_archive(gzip.compress(b"abc")) is ArchiveKind.GZIP
    assert detect_archive(bz2.compress(b"abc")) is ArchiveKind.BZIP2
    assert detect_archive(lzma.compress(b"abc")) is ArchiveKind.XZ
    assert detect_archive(b"7z\xbc\xaf\x27\x1c\x00\x04") is ArchiveKind.SEVEN_ZIP
    assert detect_archive(b"Rar!\x1a\x07\x01\x00") is ArchiveKind.RAR
    assert detect_archive(b"PK\x05\x06" + b"\x00" * 18) is ArchiveKind.ZIP  # empty ZIP
    assert detect_type(gzip.compress(b"%PDF-1.4")) is DocumentType.OTHER


def test_bzh_text_is_not_bzip2() -> None:
    assert detect_archive(b"BZh is how this note starts\n") is None
    assert detect_type(b"BZh is how this note starts\n") is DocumentType.TEXT


# --- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "TIFF", "BMP"])
def test_images_are_recognised_by_magic(image_format: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format=image_format)
    assert detect_type(buffer.getvalue()[:HEAD_SIZE]) is DocumentType.IMAGE


def test_text_starting_with_bm_is_not_a_bitmap() -> None:
    assert detect_type(b"BM-1234 bracket, rev. C\nmaterial: A5052\n") is DocumentType.TEXT


# --- CAD text formats -------------------------------------------------------------------------


def test_step_after_bom_and_whitespace() -> None:
    assert detect_type(b"\xef\xbb\xbf\r\n  ISO-10303-21;\nHEADER;\n") is DocumentType.STEP
    assert detect_type(b"ISO-10303-28 is the XML form\n") is DocumentType.TEXT


def _iges_record(data: str, section: str, sequence: str) -> bytes:
    return (data.ljust(72) + section + sequence).encode("ascii")


@pytest.mark.parametrize("sequence", ["0000001", "      1"])
def test_iges_with_zero_or_blank_padded_sequence_numbers(sequence: str) -> None:
    second = sequence[:-1] + "2"
    lines = [_iges_record("", "S", sequence), _iges_record("1H,,1H;;", "G", sequence)]
    # The second record is a Global one numbered 1 again: sections restart their numbering.
    head = b"\r\n".join(lines) + b"\r\n"
    assert detect_type(head) is DocumentType.IGES
    assert detect_type(_iges_record("x", "S", sequence) + b"\n" + _iges_record("y", "S", second)) is (
        DocumentType.IGES
    )


def test_fixed_length_iges_without_line_ends() -> None:
    head = _iges_record("", "S", "0000001") + _iges_record(",,;", "G", "0000001")
    assert detect_type(head) is DocumentType.IGES


def test_eighty_column_text_that_is_not_iges() -> None:
    line = ("x" * 72 + "S000000A").encode()  # the sequence number is not a number
    assert detect_type(line + b"\n" + line + b"\n") is DocumentType.TEXT
    left_aligned = ("x" * 72 + "S1      ").encode()
    assert detect_type(left_aligned + b"\n") is DocumentType.TEXT


@pytest.mark.parametrize(
    "head",
    [
        b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF",
        b"  0\r\nSECTION\r\n  2\r\nHEADER\r\n  9\r\n$ACADVER\r\n",
        b"999\r\nwritten by a plotter driver\r\n0\r\nSECTION\r\n2\r\nTABLES\r\n",
        b"\xef\xbb\xbf  0\nSECTION\n  2\nBLOCKS\n",
    ],
)
def test_ascii_dxf_variants(head: bytes) -> None:
    assert detect_type(head) is DocumentType.DXF


def test_group_code_lookalike_is_text() -> None:
    assert detect_type(b"0\nSECTION\n2\nINTRODUCTION\n") is DocumentType.TEXT


def test_pdf_header_within_first_kilobyte_only() -> None:
    assert detect_type(b"\x00" * 1000 + b"%PDF-1.7\n") is DocumentType.PDF
    assert detect_type(b"junk " * 300 + b"%PDF-1.7\n") is DocumentType.TEXT


# --- text ---------------------------------------------------------------------------------------


def test_utf8_and_shift_jis_japanese_text() -> None:
    sentence = "高周波アンテナ整合回路の調整手順\n"
    assert detect_type(sentence.encode("utf-8")) is DocumentType.TEXT
    assert detect_type(sentence.encode("shift_jis")) is DocumentType.TEXT


def test_multibyte_character_cut_by_the_head_is_still_text() -> None:
    encoded = ("図" * 4000).encode("utf-8")  # 12,000 bytes
    assert detect_type(encoded[:HEAD_SIZE]) is DocumentType.TEXT
    assert len(encoded[:HEAD_SIZE]) % 3 != 0  # really cut inside a character


def test_control_bytes_and_empty_files_are_other() -> None:
    assert detect_type(b"plain words\x00\x01\x02 then binary") is DocumentType.OTHER
    assert detect_type(b"\x1b[31mcolour codes\x1b[0m") is DocumentType.OTHER
    assert detect_type(b"") is DocumentType.OTHER
