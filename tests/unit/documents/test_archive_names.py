"""Archive member names as real tools write them: `tar cf x.tar -C dir .` (a `./` entry first,
members under `./`) and ZIPs from Japanese Windows (CP932 names without the UTF-8 flag)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from shokei.documents.archives import RefusalReason, iter_members, scan_archive
from shokei.documents.archives.rules import zip_member_name
from tests.real_files import real_files_dir

pytestmark = pytest.mark.real_files


def test_a_tar_of_a_folder_made_with_dash_c_dot_is_expanded(tmp_path: Path) -> None:
    tar = shutil.which("tar")
    assert tar is not None
    folder = real_files_dir() / "pdf"
    archive = tmp_path / "x.tar"
    subprocess.run([tar, "cf", str(archive), "-C", str(folder), "."], check=True)
    listed = subprocess.run([tar, "tf", str(archive)], check=True, capture_output=True, text=True)
    assert listed.stdout.splitlines()[0] == "./"  # what GNU tar writes first: the folder itself

    scan = scan_archive(archive)
    assert scan.accepted, scan.refusal
    expected = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert sorted(member.path for member in scan.members) == expected
    contents = {member.path: stream.read() for member, stream in iter_members(archive, scan)}
    assert contents["minimal-document.pdf"] == (folder / "minimal-document.pdf").read_bytes()


def test_a_tar_still_refuses_escaping_names_beside_the_dot_entry(tmp_path: Path) -> None:
    import tarfile

    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        root = tarfile.TarInfo("./")
        root.type = tarfile.DIRTYPE
        tar.addfile(root)
        escape = tarfile.TarInfo("./../outside.txt")
        escape.size = 1
        tar.addfile(escape, io.BytesIO(b"x"))
    scan = scan_archive(archive)
    assert scan.refusal is not None
    assert scan.refusal.reason is RefusalReason.TRAVERSAL


def _cp932_zip(entries: dict[str, bytes]) -> bytes:
    """A ZIP as Japanese Windows' Explorer writes it: names in CP932, no UTF-8 flag (bit 11).
    `zipfile` always writes non-ASCII names as UTF-8 with the flag, so each entry is written under
    an ASCII placeholder of the same byte length and the name's bytes are put in its place (in the
    local header and the central directory; no checksum covers names)."""
    buffer = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries.items()):
            raw = name.encode("cp932")
            placeholder = f"{index:0{len(raw)}d}".encode()
            placeholders[placeholder] = raw
            archive.writestr(placeholder.decode(), data)
    data = buffer.getvalue()
    for placeholder, raw in placeholders.items():
        assert data.count(placeholder) == 2
        data = data.replace(placeholder, raw)
    return data


def test_cp932_member_names_from_japanese_windows_are_read_as_japanese(tmp_path: Path) -> None:
    pdf = (real_files_dir() / "pdf" / "minimal-document.pdf").read_bytes()
    archive = tmp_path / "図面一式.zip"
    archive.write_bytes(_cp932_zip({"図面/仕様書.pdf": pdf, "ｶﾀﾛｸﾞ.txt": "装備品".encode("cp932")}))
    with zipfile.ZipFile(archive) as opened:
        assert not any(info.flag_bits & 0x800 for info in opened.infolist())
        assert "図面/仕様書.pdf" not in opened.namelist()  # zipfile's own reading: CP437 mojibake

    scan = scan_archive(archive)
    assert scan.accepted, scan.refusal
    assert sorted(member.path for member in scan.members) == sorted(["ｶﾀﾛｸﾞ.txt", "図面/仕様書.pdf"])
    contents = {member.path: stream.read() for member, stream in iter_members(archive, scan)}
    assert contents["図面/仕様書.pdf"] == pdf


def test_names_keep_their_reading_when_it_is_not_japanese() -> None:
    flagged = "仕様書.pdf"
    assert zip_member_name(flagged, 0x800) == flagged
    western = "café.txt".encode("cp437").decode("cp437")  # an old European tool's CP437 name
    assert zip_member_name(western, 0) == "café.txt"
    unflagged_utf8 = "図面.pdf".encode().decode("cp437")  # UTF-8 bytes without the flag
    assert zip_member_name(unflagged_utf8, 0) == "図面.pdf"
