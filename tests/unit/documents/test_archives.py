"""Archive scanning: accepted members, refused members, refused archives; then the second pass."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import docx
import pytest

from shokei.documents.archives import (
    ArchiveChangedError,
    ArchiveLimits,
    ArchiveMember,
    ArchiveRefusedError,
    ArchiveScan,
    Refusal,
    RefusalReason,
    clean_member_path,
    iter_members,
    scan_archive,
)
from shokei.formats.sniff import ArchiveKind

SMALL_RATIO_LIMITS = ArchiveLimits(ratio_grace_bytes=64 * 1024)


def _zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_bytes(entries: dict[str, bytes], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _read_every_member(path: Path, scan: ArchiveScan) -> None:
    for _member, stream in iter_members(path, scan):
        stream.read()


def _contents(path: Path) -> dict[str, bytes]:
    scan = scan_archive(path)
    assert scan.accepted, scan.refusal
    return {member.path: stream.read() for member, stream in iter_members(path, scan)}


# --- accepted archives ------------------------------------------------------------------------


def test_zip_nested_in_tar_gz_is_expanded_with_relative_paths(tmp_path: Path) -> None:
    inner = _zip_bytes({"図面/部品A.dxf": b"0\nSECTION\n", "spec.txt": b"spec"})
    outer = _tar_bytes({"case/drawings.zip": inner, "case/readme.txt": b"read me"}, "w:gz")
    path = _write(tmp_path / "submission.tar.gz", outer)
    scan = scan_archive(path)
    assert scan.accepted
    assert scan.kind is ArchiveKind.GZIP
    assert [m.path for m in scan.members] == [
        "case/drawings.zip/図面/部品A.dxf",
        "case/drawings.zip/spec.txt",
        "case/readme.txt",
    ]
    assert _contents(path) == {
        "case/drawings.zip/図面/部品A.dxf": b"0\nSECTION\n",
        "case/drawings.zip/spec.txt": b"spec",
        "case/readme.txt": b"read me",
    }


def test_member_hash_and_size_are_those_of_the_content(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.zip", _zip_bytes({"a.txt": b"hello"}))
    (member,) = scan_archive(path).members
    assert member == ArchiveMember("a.txt", 5, hashlib.sha256(b"hello").hexdigest())


def test_backslashes_and_dot_components_are_normalised(tmp_path: Path) -> None:
    path = _write(tmp_path / "win.zip", _zip_bytes({"docs\\sub\\a.txt": b"a", "./b//c.txt": b"c"}))
    assert [m.path for m in scan_archive(path).members] == ["docs/sub/a.txt", "b/c.txt"]


def test_office_documents_inside_archives_stay_whole(tmp_path: Path) -> None:
    document = io.BytesIO()
    docx.Document().save(document)
    path = _write(tmp_path / "a.zip", _zip_bytes({"spec.docx": document.getvalue()}))
    assert _contents(path) == {"spec.docx": document.getvalue()}


def test_single_gzip_file_yields_the_decompressed_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "drawing.pdf.gz", gzip.compress(b"%PDF-1.4 body"))
    assert _contents(path) == {"drawing.pdf": b"%PDF-1.4 body"}


def test_tar_bz2_is_expanded(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.tbz2", bz2.compress(_tar_bytes({"x/y.txt": b"yy"})))
    assert _contents(path) == {"x/y.txt": b"yy"}


def test_directories_are_not_members(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.zip", _zip_bytes({"empty/": b"", "full/a.txt": b"a"}))
    assert [m.path for m in scan_archive(path).members] == ["full/a.txt"]


# --- member refusals (the rest is accepted) ---------------------------------------------------


def _tar_with_special(tmp_path: Path, kind: bytes, name: str) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        special = tarfile.TarInfo(name)
        special.type = kind
        special.linkname = "/etc/passwd"
        archive.addfile(special)
        regular = tarfile.TarInfo("ok.txt")
        regular.size = 2
        archive.addfile(regular, io.BytesIO(b"ok"))
    return _write(tmp_path / "special.tar", buffer.getvalue())


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (tarfile.SYMTYPE, RefusalReason.SYMLINK),
        (tarfile.LNKTYPE, RefusalReason.HARDLINK),
        (tarfile.CHRTYPE, RefusalReason.DEVICE),
        (tarfile.BLKTYPE, RefusalReason.DEVICE),
        (tarfile.FIFOTYPE, RefusalReason.FIFO),
    ],
)
def test_tar_links_devices_and_fifos_are_refused_one_by_one(
    tmp_path: Path, kind: bytes, reason: RefusalReason
) -> None:
    scan = scan_archive(_tar_with_special(tmp_path, kind, "docs/special"))
    assert scan.accepted
    assert scan.refused_members == (Refusal("docs/special", reason),)
    assert [m.path for m in scan.members] == ["ok.txt"]


def test_zip_symlink_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link-to-passwd")
        link.create_system = 3  # Unix: the mode bits in external_attr are meaningful
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("ok.txt", "ok")
    scan = scan_archive(_write(tmp_path / "link.zip", buffer.getvalue()))
    assert scan.refused_members == (Refusal("link-to-passwd", RefusalReason.SYMLINK),)
    assert [m.path for m in scan.members] == ["ok.txt"]


def _mark_first_entry_encrypted(data: bytes) -> bytes:
    """Set general-purpose flag bit 0 in the first local and central headers, as encryption does.

    Python cannot write encrypted ZIPs; the flag is all a reader may look at before a password.
    """
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    central = patched.find(b"PK\x01\x02")
    patched[local + 6] |= 0x01
    patched[central + 8] |= 0x01
    return bytes(patched)


def test_encrypted_zip_member_is_reported_not_guessed(tmp_path: Path) -> None:
    data = _mark_first_entry_encrypted(_zip_bytes({"secret.pdf": b"%PDF", "plain.txt": b"p"}))
    scan = scan_archive(_write(tmp_path / "enc.zip", data))
    assert scan.accepted
    assert scan.refused_members == (Refusal("secret.pdf", RefusalReason.ENCRYPTED),)
    assert [m.path for m in scan.members] == ["plain.txt"]


def _zip_with_duplicate_names() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "first")
        archive.writestr("a.txt", "second")
    return buffer.getvalue()


def test_duplicate_paths_keep_the_first(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = _zip_with_duplicate_names()
    path = _write(tmp_path / "dup.zip", data)
    scan = scan_archive(path)
    assert scan.refused_members == (Refusal("a.txt", RefusalReason.DUPLICATE),)
    assert _contents(path) == {"a.txt": b"first"}


# --- whole-archive refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/cron.d/evil", RefusalReason.TRAVERSAL),
        ("docs/../../evil.txt", RefusalReason.TRAVERSAL),
        ("..\\..\\evil.txt", RefusalReason.TRAVERSAL),
        ("/etc/passwd", RefusalReason.ABSOLUTE_PATH),
        ("C:/Windows/evil.dll", RefusalReason.DRIVE_LETTER),
        ("c:evil.txt", RefusalReason.DRIVE_LETTER),
        ("\\\\server\\share\\x", RefusalReason.ABSOLUTE_PATH),
        ("bad\x1bname.txt", RefusalReason.INVALID_NAME),
    ],
)
def test_escaping_names_refuse_the_whole_tar(tmp_path: Path, name: str, reason: RefusalReason) -> None:
    data = _tar_bytes({"innocent.txt": b"first, to prove nothing is kept", name: b"x"})
    scan = scan_archive(_write(tmp_path / "evil.tar", data))
    assert not scan.accepted
    assert scan.refusal is not None
    assert scan.refusal.reason is reason
    assert scan.members == ()
    with pytest.raises(ValueError, match="refused"):
        next(iter_members(tmp_path / "evil.tar", scan))


def test_traversal_and_absolute_paths_refuse_the_whole_zip(tmp_path: Path) -> None:
    for name, reason in (("../evil.txt", RefusalReason.TRAVERSAL), ("/abs.txt", RefusalReason.ABSOLUTE_PATH)):
        path = _write(tmp_path / "evil.zip", _zip_bytes({"ok.txt": b"ok", name: b"x"}))
        scan = scan_archive(path)
        assert scan.refusal == Refusal(name, reason)
        assert scan.members == ()


def test_zip_bomb_is_refused_by_measured_ratio(tmp_path: Path) -> None:
    zeros = b"\x00" * (50 * 1024 * 1024)  # 50 MB of zeros deflate to about 50 kB
    path = _write(tmp_path / "bomb.zip", _zip_bytes({"ok.txt": b"ok", "zeros.bin": zeros}))
    assert path.stat().st_size < 100_000
    scan = scan_archive(path, limits=SMALL_RATIO_LIMITS)
    assert scan.refusal == Refusal("zeros.bin", RefusalReason.COMPRESSION_RATIO)
    assert scan.members == ()


def test_ratio_is_measured_over_a_compressed_tar_stream(tmp_path: Path) -> None:
    data = _tar_bytes({"zeros.bin": b"\x00" * (8 * 1024 * 1024)}, "w:gz")
    scan = scan_archive(_write(tmp_path / "bomb.tar.gz", data), limits=SMALL_RATIO_LIMITS)
    assert scan.refusal == Refusal("zeros.bin", RefusalReason.COMPRESSION_RATIO)


def test_compressible_but_ordinary_content_is_accepted(tmp_path: Path) -> None:
    text = "".join(f"LINE {n:06d} X={n * 1.5:.3f} Y={n * 2.25:.3f}\n" for n in range(40_000))
    path = _write(tmp_path / "log.zip", _zip_bytes({"points.txt": text.encode()}))
    scan = scan_archive(path, limits=SMALL_RATIO_LIMITS)
    assert scan.accepted
    assert scan.members[0].size == len(text)


def test_member_and_total_size_limits(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.tar", _tar_bytes({"a.bin": b"a" * 3000, "b.bin": b"b" * 3000}))
    too_big = scan_archive(path, limits=ArchiveLimits(max_member_bytes=2000))
    assert too_big.refusal == Refusal("a.bin", RefusalReason.MEMBER_TOO_LARGE)
    too_much = scan_archive(path, limits=ArchiveLimits(max_total_bytes=5000))
    assert too_much.refusal == Refusal("b.bin", RefusalReason.TOTAL_TOO_LARGE)


def test_too_many_members(tmp_path: Path) -> None:
    entries = {f"f{n:02d}.txt": b"x" for n in range(20)}
    limits = ArchiveLimits(max_members=10)
    zipped = scan_archive(_write(tmp_path / "many.zip", _zip_bytes(entries)), limits=limits)
    assert zipped.refusal is not None
    assert zipped.refusal.reason is RefusalReason.TOO_MANY_MEMBERS
    tarred = scan_archive(_write(tmp_path / "many.tar", _tar_bytes(entries)), limits=limits)
    assert tarred.refusal == Refusal("f10.txt", RefusalReason.TOO_MANY_MEMBERS)


def test_zip_directory_larger_than_its_end_record_admits_is_refused_unparsed(tmp_path: Path) -> None:
    data = bytearray(_zip_bytes({f"{n:02d}" + "x" * 600: b"x" for n in range(20)}))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = b"\x01\x00\x01\x00"  # "1 entry": a lie, 20 are there
    scan = scan_archive(_write(tmp_path / "liar.zip", bytes(data)), limits=ArchiveLimits(max_members=10))
    assert scan.refusal == Refusal("", RefusalReason.TOO_MANY_MEMBERS)


def test_members_of_nested_archives_count_towards_the_limit(tmp_path: Path) -> None:
    inner = _zip_bytes({f"in{n}.txt": b"x" for n in range(6)})
    path = _write(tmp_path / "outer.zip", _zip_bytes({"a.txt": b"a", "inner.zip": inner}))
    scan = scan_archive(path, limits=ArchiveLimits(max_members=7))
    assert scan.refusal is not None
    assert scan.refusal.reason is RefusalReason.TOO_MANY_MEMBERS


def test_nesting_beyond_the_depth_limit_refuses_the_archive(tmp_path: Path) -> None:
    layer = _zip_bytes({"deepest.txt": b"bottom"})
    for level in range(3):
        layer = _zip_bytes({f"level{level}.zip": layer})
    path = _write(tmp_path / "deep.zip", layer)  # four layers of ZIP
    assert scan_archive(path, limits=ArchiveLimits(max_depth=4)).accepted
    refused = scan_archive(path, limits=ArchiveLimits(max_depth=3))
    assert refused.refusal == Refusal("level2.zip/level1.zip/level0.zip", RefusalReason.TOO_DEEP)


def test_corrupt_and_unsupported_archives(tmp_path: Path) -> None:
    good = _zip_bytes({"a.txt": b"a" * 1000})
    corrupt = good.replace(b"PK\x01\x02", b"XX\x01\x02")  # central directory signature broken
    assert scan_archive(_write(tmp_path / "c.zip", corrupt)).refusal == Refusal("", RefusalReason.CORRUPT)
    seven = scan_archive(_write(tmp_path / "a.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 30))
    assert seven.refusal == Refusal("", RefusalReason.UNSUPPORTED_FORMAT)
    not_archive = scan_archive(_write(tmp_path / "a.txt", b"plain text"))
    assert not_archive.refusal == Refusal("", RefusalReason.UNSUPPORTED_FORMAT)
    document = io.BytesIO()
    docx.Document().save(document)
    as_document = scan_archive(_write(tmp_path / "a.docx", document.getvalue()))
    assert as_document.refusal == Refusal("", RefusalReason.UNSUPPORTED_FORMAT)


def test_truncated_tar_is_corrupt_not_silently_shorter(tmp_path: Path) -> None:
    whole = _tar_bytes({"a.txt": b"a" * 600, "b.txt": b"b" * 600})
    # Cut inside b.txt's header: tarfile alone would end quietly after a.txt.
    cut = whole[: 512 + 1024 + 100]
    scan = scan_archive(_write(tmp_path / "cut.tar", cut))
    assert scan.refusal == Refusal("", RefusalReason.CORRUPT)
    assert scan.members == ()


def test_truncated_tar_gz_is_corrupt(tmp_path: Path) -> None:
    whole = gzip.compress(_tar_bytes({"a.txt": bytes(range(256)) * 40}))
    scan = scan_archive(_write(tmp_path / "cut.tar.gz", whole[:-6]))  # trailer cut short
    assert scan.refusal == Refusal("", RefusalReason.CORRUPT)


def test_gzip_checksum_is_verified(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 40  # barely compressible: deflate stores it nearly verbatim
    data = bytearray(gzip.compress(_tar_bytes({"a.bin": payload}), compresslevel=0))
    position = data.find(payload[:64]) + 10
    data[position] ^= 0xFF  # the tar still parses; only the CRC can tell
    scan = scan_archive(_write(tmp_path / "flipped.tar.gz", bytes(data)))
    assert scan.refusal is not None
    assert scan.refusal.reason is RefusalReason.CORRUPT


def test_crc_mismatch_is_corrupt(tmp_path: Path) -> None:
    data = bytearray(_zip_bytes({"a.txt": b"hello world"}, zipfile.ZIP_STORED))
    data[data.find(b"hello")] = ord("j")  # stored data changed, CRC in the headers not
    scan = scan_archive(_write(tmp_path / "crc.zip", bytes(data)))
    assert scan.refusal == Refusal("a.txt", RefusalReason.CORRUPT)


# --- the second pass --------------------------------------------------------------------------


def test_second_pass_detects_a_changed_archive(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.zip", _zip_bytes({"a.txt": b"original"}))
    scan = scan_archive(path)
    _write(path, _zip_bytes({"a.txt": b"replaced"}))
    with pytest.raises(ArchiveChangedError):
        _read_every_member(path, scan)


def test_second_pass_detects_a_new_member(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.tar", _tar_bytes({"a.txt": b"a"}))
    scan = scan_archive(path)
    _write(path, _tar_bytes({"a.txt": b"a", "smuggled.txt": b"s"}))
    with pytest.raises(ArchiveChangedError, match="smuggled"):
        _read_every_member(path, scan)


def test_clean_member_path_unit() -> None:
    assert clean_member_path("a/./b//c") == "a/b/c"
    assert clean_member_path("a\\b") == "a/b"
    for hostile in ("..", "a/../../b", "/x", "C:\\x", "", "./", "a\x1fb"):
        with pytest.raises(ArchiveRefusedError):
            clean_member_path(hostile)
