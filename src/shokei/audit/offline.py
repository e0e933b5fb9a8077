"""The outside auditor's verifier: check a ledger export with no database and no secret.

An export is a directory (format in docs/ledger.md):
  entries.jsonl   one line per leaf, in index order: {"index": i, "leaf": "<base64 leaf bytes>"}
  checkpoints/    signed C2SP checkpoint notes, one per file, named <tree size>.note
  key.vkey        the log's verifier key text
Every leaf must be RFC 8785 canonical JSON; the tree over the leaves must reproduce the root
of every signed checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeAlias

import rfc8785

from shokei.audit.domain import integer_or_double
from shokei.audit.merkle import CompactRange, leaf_hash
from shokei.audit.notes import Checkpoint, NoteVerificationError, open_note
from shokei.errors import N_, Text

ENTRIES_FILE = "entries.jsonl"
CHECKPOINTS_DIRECTORY = "checkpoints"
KEY_FILE = "key.vkey"
CHECKPOINT_SUFFIX = ".note"

JsonValue: TypeAlias = bool | int | float | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """Outcome of `verify_export`.

    `first_bad_index` is the lowest leaf index any finding implicates: every entry below it
    passed the per-entry checks, and the first altered entry is at or after it (a root
    mismatch implicates everything from the last good checkpoint). None when no finding
    implicates an entry (all good, or only a checkpoint file itself is bad).
    """

    ok: bool
    size: int
    checkpoints_checked: int
    first_bad_index: int | None
    problems: list[str]  # in English (the JSON)
    # The same problems as catalogue messages, for the user's language (the CLI's lines).
    problem_texts: list[Text] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _SignedCheckpoint:
    file_name: str
    checkpoint: Checkpoint


@dataclass(slots=True)
class _Findings:
    problems: list[Text] = field(default_factory=list)
    first_bad_index: int | None = None

    def add(self, problem: Text, bad_index: int | None = None) -> None:
        self.problems.append(problem)
        if bad_index is not None:
            current = self.first_bad_index
            self.first_bad_index = bad_index if current is None else min(current, bad_index)


@dataclass(slots=True)
class _EntryScan:
    size: int = 0
    roots: dict[int, bytes] = field(default_factory=dict)
    out_of_sequence: int = 0


class _BadLineError(ValueError):
    """One entries.jsonl line cannot be read as {"index": int, "leaf": base64}: `text` says why."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render())
        self.text = text


def canonical_json(obj: JsonValue) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value: the only form a leaf may take."""
    return rfc8785.dumps(obj)


def is_canonical_json(data: bytes) -> bool:
    """True if `data` is exactly the RFC 8785 canonical form of the JSON it encodes."""
    try:
        return rfc8785.dumps(json.loads(data, parse_int=integer_or_double)) == data
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or outside the JCS domain
        return False


def checkpoint_file_name(size: int) -> str:
    """File name of the checkpoint for a tree of `size` leaves, e.g. 00000042.note."""
    return f"{size:08d}{CHECKPOINT_SUFFIX}"


def write_export(
    directory: Path | str,
    leaves: Iterable[bytes],
    checkpoint_notes: Iterable[str],
    verifier_key_text: str,
) -> int:
    """Write an export into a new or empty directory; return the number of entries written.

    Streams the leaves. Every checkpoint note must verify under `verifier_key_text`
    (`NoteVerificationError` otherwise), so an export never ships an unverifiable file.
    """
    root = Path(directory)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty; an export needs a directory of its own")
    # Owner-only, as everything Shokei writes: the entries name people and documents.
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / CHECKPOINTS_DIRECTORY).mkdir(mode=0o700)
    _write_private(root / KEY_FILE, verifier_key_text.strip("\n") + "\n")
    for note in checkpoint_notes:
        _write_checkpoint(root, note, verifier_key_text)
    return _write_entries(root / ENTRIES_FILE, leaves)


def verify_export(directory: Path | str, *, trusted_verifier_key: str | None = None) -> VerificationReport:
    """Check an export end to end and report every problem found.

    Pass `trusted_verifier_key` (obtained out of band) to reject an export whose key.vkey
    was replaced: without it, whoever can rewrite the whole export can re-sign it.
    """
    root, findings = Path(directory), _Findings()
    verifier_key = _load_verifier_key(root, trusted_verifier_key, findings)
    checkpoints, files_read = _load_checkpoints(root, verifier_key, findings)
    scan = _scan_entries(root / ENTRIES_FILE, {c.checkpoint.size for c in checkpoints}, findings)
    _compare_checkpoints(checkpoints, scan, findings)
    if not checkpoints:
        findings.add(Text(N_("no checkpoint verified: nothing in the export is proven by a signature")))
    return VerificationReport(
        ok=not findings.problems,
        size=scan.size,
        checkpoints_checked=files_read,
        first_bad_index=findings.first_bad_index,
        problems=[problem.render() for problem in findings.problems],
        problem_texts=findings.problems,
    )


def _write_checkpoint(root: Path, note: str, verifier_key_text: str) -> None:
    path = root / CHECKPOINTS_DIRECTORY / checkpoint_file_name(open_note(note, verifier_key_text).size)
    if path.exists() and path.read_text(encoding="utf-8") != note:
        raise ValueError(f"two different checkpoints for the same size: {path.name}")
    _write_private(path, note)


def _write_private(path: Path, text: str) -> None:
    with _private(path) as sink:
        sink.write(text)


def _private(path: Path) -> TextIO:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return open(descriptor, "w", encoding="utf-8", newline="")


def _write_entries(path: Path, leaves: Iterable[bytes]) -> int:
    count = 0
    with _private(path) as sink:
        for count, leaf in enumerate(leaves, start=1):
            encoded = base64.b64encode(leaf).decode("ascii")
            sink.write(json.dumps({"index": count - 1, "leaf": encoded}) + "\n")
    return count


def _load_verifier_key(root: Path, trusted: str | None, findings: _Findings) -> str | None:
    try:
        exported = (root / KEY_FILE).read_text(encoding="utf-8").strip("\n")
    except (OSError, UnicodeDecodeError) as error:
        findings.add(
            Text(N_("%(file)s: cannot be read (%(error)s)"), {"file": KEY_FILE, "error": str(error)})
        )
        return None
    if trusted is not None and exported != trusted.strip("\n"):
        replaced = N_("%(file)s: is not the trusted verifier key; checking against the trusted one")
        findings.add(Text(replaced, {"file": KEY_FILE}))
        return trusted.strip("\n")
    return exported


def _load_checkpoints(
    root: Path, verifier_key: str | None, findings: _Findings
) -> tuple[list[_SignedCheckpoint], int]:
    paths = sorted((root / CHECKPOINTS_DIRECTORY).glob(f"*{CHECKPOINT_SUFFIX}"))
    if verifier_key is None:
        return [], len(paths)
    verified = [_open_checkpoint(path, verifier_key, findings) for path in paths]
    return [checkpoint for checkpoint in verified if checkpoint is not None], len(paths)


def _open_checkpoint(path: Path, verifier_key: str, findings: _Findings) -> _SignedCheckpoint | None:
    try:
        checkpoint = open_note(path.read_text(encoding="utf-8"), verifier_key)
    except (OSError, UnicodeDecodeError, NoteVerificationError) as error:
        reason = error.text if isinstance(error, NoteVerificationError) else str(error)
        rejected = {"file": f"{CHECKPOINTS_DIRECTORY}/{path.name}", "error": reason}
        findings.add(Text(N_("%(file)s: rejected, %(error)s"), rejected))
        return None
    if path.name != checkpoint_file_name(checkpoint.size):
        # The signed size is what counts; a misnamed file still means the export was edited.
        misnamed = {"file": f"{CHECKPOINTS_DIRECTORY}/{path.name}", "size": checkpoint.size}
        findings.add(Text(N_("%(file)s: signed size is %(size)s"), misnamed))
    return _SignedCheckpoint(path.name, checkpoint)


def _scan_entries(path: Path, wanted_sizes: set[int], findings: _Findings) -> _EntryScan:
    scan, border = _EntryScan(), CompactRange()
    if 0 in wanted_sizes:
        scan.roots[0] = border.root()
    try:
        for position, line in _numbered_lines(path):
            border.append(leaf_hash(_check_entry(position, line, scan, findings)))
            if border.size in wanted_sizes:
                scan.roots[border.size] = border.root()
    except OSError as error:
        unreadable = {"file": ENTRIES_FILE, "error": str(error)}
        findings.add(Text(N_("%(file)s: cannot be read (%(error)s)"), unreadable), border.size)
    scan.size = border.size
    if scan.out_of_sequence > 1:
        further = {"file": ENTRIES_FILE, "count": scan.out_of_sequence - 1}
        findings.add(Text(N_("%(file)s: %(count)s further line(s) out of sequence"), further))
    return scan


def read_leaves(root: Path, size: int) -> Iterator[bytes]:
    """The first `size` leaves of an export, in index order, for whoever recomputes from it (the
    program report's verification); ValueError on a line that is not an entry or out of order."""
    if size == 0:
        return
    for position, line in _numbered_lines(root / ENTRIES_FILE):
        try:
            index, leaf = _parse_entry_line(line)
        except _BadLineError as error:
            raise ValueError(f"{ENTRIES_FILE} line {position + 1}: {error}") from None
        if index != position:
            raise ValueError(f"{ENTRIES_FILE} line {position + 1}: carries index {index}")
        yield leaf
        if position + 1 == size:
            return


def _numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as source:
        for position, line in enumerate(source):
            yield position, line.removesuffix(b"\n")


def _check_entry(position: int, line: bytes, scan: _EntryScan, findings: _Findings) -> bytes:
    """Return the leaf bytes at `position`, recording what is wrong with the line.

    An unreadable line counts as its raw bytes so later positions and roots stay aligned
    (the checkpoints covering it will then fail, as they should).
    """
    where = Text(
        N_("%(file)s line %(line)s (index %(index)s)"),
        {"file": ENTRIES_FILE, "line": position + 1, "index": position},
    )
    try:
        index, leaf = _parse_entry_line(line)
    except _BadLineError as error:
        findings.add(Text(N_("%(where)s: %(error)s"), {"where": where, "error": error.text}), position)
        return line
    if index != position:
        scan.out_of_sequence += 1
        if scan.out_of_sequence == 1:
            moved = N_("%(where)s: carries index %(index)s; an entry is missing, moved or inserted")
            message = Text(moved, {"where": where, "index": index})
            findings.add(message, position)
    if not is_canonical_json(leaf):
        findings.add(Text(N_("%(where)s: leaf is not RFC 8785 canonical JSON"), {"where": where}), position)
    return leaf


def _parse_entry_line(line: bytes) -> tuple[int, bytes]:
    try:
        record = json.loads(line)
    except ValueError:
        raise _BadLineError(Text(N_("not a JSON line"))) from None
    if not isinstance(record, dict) or set(record) != {"index", "leaf"}:
        raise _BadLineError(Text(N_('expected exactly the members "index" and "leaf"')))
    index, encoded = record["index"], record["leaf"]
    if type(index) is not int or not isinstance(encoded, str):
        raise _BadLineError(Text(N_('"index" must be an integer and "leaf" a base64 string')))
    try:
        return index, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _BadLineError(Text(N_('"leaf" is not valid base64'))) from None


def _compare_checkpoints(
    checkpoints: Sequence[_SignedCheckpoint], scan: _EntryScan, findings: _Findings
) -> None:
    # Ascending sizes; a bad checkpoint at size s implicates [p, s) where p is the largest
    # size below s whose checkpoint matched: the signed roots say nothing finer.
    last_good = 0
    for size in sorted({c.checkpoint.size for c in checkpoints}):
        group = [c for c in checkpoints if c.checkpoint.size == size]
        verdicts = [_check_root(signed, scan, last_good, findings) for signed in group]
        if any(verdicts):
            last_good = size


def _check_root(signed: _SignedCheckpoint, scan: _EntryScan, last_good: int, findings: _Findings) -> bool:
    where, size = f"{CHECKPOINTS_DIRECTORY}/{signed.file_name}", signed.checkpoint.size
    if size > scan.size:
        beyond = {"where": where, "signed": size, "size": scan.size}
        findings.add(
            Text(N_("%(where)s: signs %(signed)s entries but the export holds %(size)s"), beyond), last_good
        )
        return False
    if scan.roots[size] != signed.checkpoint.root:
        message = Text(
            N_(
                "%(where)s: root does not match the entries; "
                "the first altered entry lies in [%(first)s, %(end)s)"
            ),
            {"where": where, "first": last_good, "end": size},
        )
        findings.add(message, last_good)
        return False
    return True
