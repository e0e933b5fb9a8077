"""Offline verification of a ledger export: a clean export passes, each kind of tampering is named."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from shokei.audit.domain import parse_leaf
from shokei.audit.merkle import leaf_hash, root_from_leaf_hashes
from shokei.audit.notes import NoteVerificationError, generate_signer, sign_checkpoint
from shokei.audit.offline import (
    ENTRIES_FILE,
    KEY_FILE,
    VerificationReport,
    canonical_json,
    checkpoint_file_name,
    is_canonical_json,
    verify_export,
    write_export,
)
from shokei.web import i18n

ORIGIN = "shokei.example/audit"
CHECKPOINT_SIZES = (5, 10, 16, 20)
LOG_SIZE = 22  # two entries after the last checkpoint: checked for form only

# RFC 8785 §3.2.2 (the "numbers / string / literals" example), input and canonical output.
RFC8785_INPUT = (
    '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
    '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
    '  "literals": [null, true, false]\n}'
)
RFC8785_OUTPUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
).encode()


def event(index: int) -> bytes:
    return canonical_json(
        {
            "seq": index,
            "tag": "case:status:change",
            "actor": "examiner-7",
            "before": "under_examination",
            "after": "protection_required",
            "note": "設計図書 第%d版" % index,  # noqa: UP031 - Japanese text on purpose
        }
    )


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return generate_signer(ORIGIN)


@pytest.fixture
def export(tmp_path: Path, keys: tuple[str, str]) -> Path:
    signer, verifier = keys
    leaves = [event(i) for i in range(LOG_SIZE)]
    notes = [_checkpoint(signer, leaves, size) for size in CHECKPOINT_SIZES]
    directory = tmp_path / "export"
    assert write_export(directory, iter(leaves), notes, verifier) == LOG_SIZE
    return directory


def _checkpoint(signer: str, leaves: Sequence[bytes], size: int) -> str:
    return sign_checkpoint(signer, ORIGIN, size, root_from_leaf_hashes(map(leaf_hash, leaves[:size])))


def _edit_lines(directory: Path, change: Callable[[list[str]], list[str]]) -> None:
    path = directory / ENTRIES_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")


def _line(index: int, leaf: bytes) -> str:
    return json.dumps({"index": index, "leaf": _b64(leaf)}) + "\n"


def _mentions(report: VerificationReport, *fragments: str) -> bool:
    return any(all(f in problem for f in fragments) for problem in report.problems)


# --- Canonical form ----------------------------------------------------------------------
def test_canonical_json_reproduces_the_rfc8785_example() -> None:
    assert canonical_json(json.loads(RFC8785_INPUT)) == RFC8785_OUTPUT
    assert is_canonical_json(RFC8785_OUTPUT)
    assert not is_canonical_json(RFC8785_INPUT.encode())


@pytest.mark.parametrize(
    "data",
    [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.0}', b'{"a":1,"a":1}', b"NaN", b"\xff", b"{"],
)
def test_non_canonical_bytes_are_recognised(data: bytes) -> None:
    assert not is_canonical_json(data)


@pytest.mark.parametrize(
    ("data", "canonical"),
    [
        (b'{"a":9007199254740992}', True),  # 2**53 is a double and prints so
        (b'{"a":9007199254740993}', False),  # ... but this denotes the same double
        (b'{"a":1e+30}', True),
        ('{"\U0001f600":2,"\ue000":1}'.encode(), True),  # UTF-16 order
    ],
)
def test_the_offline_and_database_verifiers_judge_leaves_alike(data: bytes, canonical: bool) -> None:
    assert is_canonical_json(data) is canonical
    assert parse_leaf(data)[1] is canonical


# --- The export format -------------------------------------------------------------------
def test_export_layout_is_as_documented(export: Path, keys: tuple[str, str]) -> None:
    first = json.loads((export / ENTRIES_FILE).read_text(encoding="utf-8").splitlines()[0])
    assert first == {"index": 0, "leaf": _b64(event(0))}
    assert sorted(p.name for p in (export / "checkpoints").iterdir()) == [
        "00000005.note",
        "00000010.note",
        "00000016.note",
        "00000020.note",
    ]
    assert (export / KEY_FILE).read_text(encoding="utf-8") == keys[1] + "\n"


def test_write_export_refuses_a_note_the_key_does_not_verify(tmp_path: Path) -> None:
    signer, _ = generate_signer(ORIGIN)
    _, other_verifier = generate_signer(ORIGIN)
    note = _checkpoint(signer, [event(0)], 1)
    with pytest.raises(NoteVerificationError):
        write_export(tmp_path / "x", [event(0)], [note], other_verifier)


def test_write_export_refuses_a_non_empty_directory(export: Path, keys: tuple[str, str]) -> None:
    with pytest.raises(FileExistsError):
        write_export(export, [], [], keys[1])


# --- Verification ------------------------------------------------------------------------
def test_a_clean_export_verifies(export: Path) -> None:
    report = verify_export(export)
    assert report == VerificationReport(
        ok=True, size=LOG_SIZE, checkpoints_checked=4, first_bad_index=None, problems=[]
    )


def test_a_clean_export_verifies_against_the_pinned_key(export: Path, keys: tuple[str, str]) -> None:
    assert verify_export(export, trusted_verifier_key=keys[1]).ok


def test_an_edited_entry_is_located_between_the_last_good_and_first_bad_checkpoint(
    export: Path,
) -> None:
    edited = canonical_json({"seq": 12, "tag": "case:status:change", "after": "closed"})
    _edit_lines(export, lambda lines: [*lines[:12], _line(12, edited), *lines[13:]])
    report = verify_export(export)
    assert not report.ok
    assert report.first_bad_index == 10  # checkpoint 10 still matches, 16 does not
    assert _mentions(report, "00000016.note", "[10, 16)")
    assert _mentions(report, "00000020.note", "[10, 20)")
    assert len(report.problems) == 2


def test_an_edit_right_after_a_checkpoint_is_pinned_exactly(export: Path) -> None:
    edited = canonical_json({"seq": 10, "forged": True})
    _edit_lines(export, lambda lines: [*lines[:10], _line(10, edited), *lines[11:]])
    assert verify_export(export).first_bad_index == 10


def test_an_edit_that_breaks_canonical_form_is_named(export: Path) -> None:
    # After the last checkpoint nothing signed covers it: only the form check can see it.
    sloppy = b'{"seq": 21, "tag": "case:status:change"}'
    _edit_lines(export, lambda lines: [*lines[:21], _line(21, sloppy)])
    report = verify_export(export)
    assert report.first_bad_index == 21
    assert report.problems == [f"{ENTRIES_FILE} line 22 (index 21): leaf is not RFC 8785 canonical JSON"]


def test_a_deleted_entry_is_named_as_a_gap(export: Path) -> None:
    _edit_lines(export, lambda lines: [*lines[:10], *lines[11:]])
    report = verify_export(export)
    assert report.size == LOG_SIZE - 1
    assert report.first_bad_index == 10
    assert _mentions(report, "line 11 (index 10)", "carries index 11")
    assert _mentions(report, "10 further line(s) out of sequence")
    assert _mentions(report, "00000016.note", "[10, 16)")


def test_a_deleted_entry_with_renumbered_indexes_is_still_caught(export: Path) -> None:
    def delete_and_renumber(lines: list[str]) -> list[str]:
        kept = [json.loads(line) for line in [*lines[:13], *lines[14:]]]
        return [json.dumps({"index": i, "leaf": r["leaf"]}) + "\n" for i, r in enumerate(kept)]

    _edit_lines(export, delete_and_renumber)
    report = verify_export(export)
    assert report.first_bad_index == 10
    assert _mentions(report, "00000016.note", "[10, 16)")


def test_two_swapped_entries_are_named(export: Path) -> None:
    _edit_lines(export, lambda lines: [*lines[:10], lines[11], lines[10], *lines[12:]])
    report = verify_export(export)
    assert report.first_bad_index == 10
    assert _mentions(report, "line 11 (index 10)", "carries index 11")
    assert _mentions(report, "00000016.note", "[10, 16)")


def test_an_inserted_entry_is_named(export: Path) -> None:
    extra = _line(16, canonical_json({"seq": 16, "inserted": True}))
    _edit_lines(export, lambda lines: [*lines[:16], extra, *lines[16:]])
    report = verify_export(export)
    assert report.size == LOG_SIZE + 1
    assert report.first_bad_index == 16
    assert _mentions(report, "line 18 (index 17)", "carries index 16")
    assert _mentions(report, "00000020.note", "[16, 20)")
    assert not _mentions(report, "00000016.note")


def test_a_tampered_checkpoint_is_rejected_by_name(export: Path) -> None:
    path = export / "checkpoints" / checkpoint_file_name(16)
    body, signature = path.read_text(encoding="utf-8").split("\n\n")
    origin, size, _old_root = body.split("\n")
    forged_root = _b64(leaf_hash(b"forged"))
    path.write_text(f"{origin}\n{size}\n{forged_root}\n\n{signature}", encoding="utf-8")
    report = verify_export(export)
    assert report.first_bad_index is None  # the entries are fine; the checkpoint is not
    assert len(report.problems) == 1
    assert report.problems[0].startswith("checkpoints/00000016.note: rejected, invalid signature")


def test_a_checkpoint_beyond_the_log_is_named(export: Path) -> None:
    _edit_lines(export, lambda lines: lines[:18])
    report = verify_export(export)
    assert report.first_bad_index == 16
    assert report.problems == ["checkpoints/00000020.note: signs 20 entries but the export holds 18"]


def test_a_renamed_checkpoint_is_noticed(export: Path) -> None:
    checkpoints = export / "checkpoints"
    (checkpoints / "00000016.note").rename(checkpoints / "00000017.note")
    report = verify_export(export)
    assert report.problems == ["checkpoints/00000017.note: signed size is 16"]


def test_a_re_signed_export_passes_alone_but_fails_against_the_pinned_key(
    export: Path, keys: tuple[str, str], tmp_path: Path
) -> None:
    # Whoever can rewrite everything can re-sign with a new key: only pinning catches it.
    forger_signer, forger_verifier = generate_signer(ORIGIN)
    leaves = [event(i) for i in range(LOG_SIZE)]
    leaves[3] = canonical_json({"seq": 3, "forged": True})
    forged = tmp_path / "forged"
    notes = [_checkpoint(forger_signer, leaves, s) for s in CHECKPOINT_SIZES]
    write_export(forged, leaves, notes, forger_verifier)
    assert verify_export(forged).ok
    report = verify_export(forged, trusted_verifier_key=keys[1])
    assert not report.ok
    assert _mentions(report, KEY_FILE, "not the trusted verifier key")
    assert sum("no signature by key" in p for p in report.problems) == 4


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json\n", "not a JSON line"),
        ('{"index": 3}\n', 'exactly the members "index" and "leaf"'),
        ('{"index": "3", "leaf": "e30="}\n', "must be an integer"),
        ('{"index": 3, "leaf": "!!"}\n', "not valid base64"),
    ],
)
def test_unreadable_lines_are_named_and_keep_later_positions(export: Path, line: str, message: str) -> None:
    _edit_lines(export, lambda lines: [*lines[:3], line, *lines[4:]])
    report = verify_export(export)
    assert report.first_bad_index == 0  # checkpoint 5 fails too, and nothing below it is good
    assert report.size == LOG_SIZE
    assert _mentions(report, "line 4 (index 3)", message)


def test_an_unreadable_line_is_named_in_japanese_too(export: Path) -> None:
    _edit_lines(export, lambda lines: [*lines[:3], "not json\n", *lines[4:]])
    report = verify_export(export)
    with i18n.activate("ja"):
        japanese = [problem.render(i18n.gettext) for problem in report.problem_texts]
    assert "entries.jsonl line 4 (index 3): not a JSON line" in report.problems
    assert "entries.jsonlの4行目（記録3）：JSON形式の行ではありません" in japanese
    assert len(japanese) == len(report.problems)


def test_an_export_without_checkpoints_proves_nothing(tmp_path: Path) -> None:
    _, verifier = generate_signer(ORIGIN)
    write_export(tmp_path / "bare", [event(0)], [], verifier)
    report = verify_export(tmp_path / "bare")
    assert not report.ok
    assert report.problems == ["no checkpoint verified: nothing in the export is proven by a signature"]


def test_an_empty_log_with_a_size_zero_checkpoint_verifies(tmp_path: Path) -> None:
    signer, verifier = generate_signer(ORIGIN)
    write_export(tmp_path / "empty", [], [_checkpoint(signer, [], 0)], verifier)
    assert verify_export(tmp_path / "empty").ok


def test_a_missing_key_file_is_reported(export: Path) -> None:
    (export / KEY_FILE).unlink()
    report = verify_export(export)
    assert not report.ok
    assert _mentions(report, KEY_FILE, "cannot be read")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_an_export_is_owner_only(tmp_path: Path) -> None:
    _, verifier = generate_signer("export-mode")
    root = tmp_path / "export"
    write_export(root, [], [], verifier)
    modes = {
        path.relative_to(root).as_posix(): path.stat().st_mode & 0o777 for path in [root, *root.rglob("*")]
    }
    assert set(modes.values()) <= {0o700, 0o600}
    assert modes["."] == 0o700
