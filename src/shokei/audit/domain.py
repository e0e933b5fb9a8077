"""The audit ledger as pure rules: events, how a stored entry must agree with its leaf, when a
checkpoint is due, and how a verification reports what it found."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

import msgspec
import rfc8785

from shokei.clock import as_utc
from shokei.errors import N_, Text
from shokei.kernel.actors import Actor, Role
from shokei.kernel.bus import Command
from shokei.kernel.ledger import AuditEvent

# Making a checkpoint commits the log to what it already holds and changes no record: the
# auditor needs one to prove against, the admin runs the key and the scheduled job.
CHECKPOINT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
_MAX_PROBLEMS = 50


def leaf_bytes(event: AuditEvent, index: int) -> bytes:
    """RFC 8785 canonical JSON: the exact bytes hashed into the ledger leaf."""
    return canonical_json(event.leaf_document(index))


# -- checkpoints ---------------------------------------------------------------------------


class LedgerSigner(Protocol):
    """Port: signs a note body with the ledger key (`notes.NoteSigner` in production)."""

    def sign(self, body: str) -> str:
        """Return `body` followed by its signature line(s): a C2SP signed note."""
        ...


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """Checkpoint automatically once this many entries or minutes have passed; 0 disables a trigger."""

    every_entries: int = 1000
    every_minutes: int = 60

    def is_due(self, size: int, last_size: int | None, last_at: datetime | None, now: datetime) -> bool:
        """Is a checkpoint of `size` entries due, given the latest one (None if there is none)?"""
        if size == (last_size or 0):
            return False
        if self.every_entries > 0 and size - (last_size or 0) >= self.every_entries:
            return True
        if self.every_minutes <= 0:
            return False
        # A log that has never been signed is overdue by definition; so is one whose newest
        # checkpoint is stamped after `now` (the clock went back: waiting for it to catch up
        # would leave entries unsigned for as long as the jump).
        if last_at is None or now < as_utc(last_at):
            return True
        return now - as_utc(last_at) >= timedelta(minutes=self.every_minutes)


@dataclass(frozen=True, slots=True)
class LedgerConfig:
    """What the ledger needs beyond the database, carried by the unit of work.

    `signer` is None where the signing key is absent (unit tests, an auditor's workstation):
    automatic checkpoints are then skipped. `verifier_key` is the public key checkpoints are
    checked against.
    """

    origin: str
    verifier_key: str | None
    signer: LedgerSigner | None = None
    policy: CheckpointPolicy = CheckpointPolicy()


# -- what a stored entry must agree with ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One ledger row as read back: the indexed columns and the leaf they were derived from."""

    index: int
    # Text or None where the stored value is no timestamp (SQLite keeps any text in any column;
    # PostgreSQL's infinity has no datetime): something no append writes, reported, not fatal.
    at: datetime | str | None
    actor_id: int | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: str
    leaf: bytes


def entry_problems(entry: StoredEntry) -> list[str]:
    """Everything wrong with one stored entry taken alone, in English (`entry_problem_texts`)."""
    return [problem.render() for problem in entry_problem_texts(entry)]


def entry_problem_texts(entry: StoredEntry) -> list[Text]:
    """Everything wrong with one stored entry taken alone (empty when it is sound), as messages.

    The leaf must be RFC 8785 canonical JSON carrying the entry's own index, and every indexed
    column must say what the leaf says: a column edited in place is caught here even though
    the leaf hash (and so the tree) is untouched.
    """
    try:
        document, canonical = parse_leaf(entry.leaf)
    except (ValueError, RecursionError):
        return [Text(N_("leaf is not JSON"))]
    problems = [] if canonical else [Text(N_("leaf is not RFC 8785 canonical JSON"))]
    if not isinstance(document, dict):
        return [*problems, Text(N_("leaf is not a JSON object"))]
    return problems + _disagreements(entry, document)


def canonical_json(document: Any) -> bytes:
    """The RFC 8785 bytes of `document` (rfc8785.CanonicalizationError if it has none).

    msgspec writes them in ~1 µs where the pure-Python reference takes ~40 µs, for the same
    domain `parse_leaf` trusts it with; its output is taken only when it reads back as the very
    same document, so anything outside that domain (fractions, large integers, non-BMP text,
    non-JSON types msgspec would quietly convert) gets the reference's bytes or its refusal.
    """
    try:
        candidate = _FAST_ENCODER.encode(document)
    except (TypeError, ValueError):
        candidate = b""
    if candidate and not _needs_reference(candidate):
        try:
            if _FAST_DECODER.decode(candidate) == document:
                return candidate
        except ValueError:
            pass  # a fraction: only the reference writes RFC 8785 numbers
    return rfc8785.dumps(document)


def parse_leaf(leaf: bytes) -> tuple[Any, bool]:
    """Decode leaf JSON and tell whether the bytes are exactly its RFC 8785 canonical form.

    RFC 8785 re-serialisation in pure Python costs ~40 µs, too slow for a full verify of
    millions of entries. For JSON without fractional numbers, without integers beyond 2**53
    (which RFC 8785 treats as doubles) and without characters outside the BMP (which sort
    differently in UTF-16), msgspec's sorted compact encoder writes exactly the RFC 8785 bytes
    (the same escapes, the same member order), so a decode and re-encode in C decides in
    ~2 µs. Anything else, and anything msgspec refuses, takes the reference path.
    """
    if not _needs_reference(leaf):
        try:
            document = _FAST_DECODER.decode(leaf)
        except ValueError:  # malformed, inexact number, bad UTF-8: the reference path judges
            document = _UNDECIDED
        if document is not _UNDECIDED:
            return document, _FAST_ENCODER.encode(document) == leaf
    document = json.loads(leaf.decode("utf-8"), parse_int=integer_or_double)
    return document, _reference_is_canonical(document, leaf)


def _needs_reference(leaf: bytes) -> bool:
    """Might the leaf hold an integer beyond 2**53 (16+ digits in a row) or a non-BMP character?"""
    classes = leaf.translate(_BYTE_CLASSES)
    return b"x" in classes or b"d" * 16 in classes


class _InexactNumberError(ValueError):
    """A fraction, exponent, NaN or infinity: only the reference canonicaliser may judge it."""


def _refuse_inexact(text: str) -> NoReturn:
    raise _InexactNumberError(text)


def integer_or_double(text: str) -> int | float:
    """A JSON integer as RFC 8785 reads it: beyond 2**53 it is whatever double it denotes."""
    value = int(text)
    return value if abs(value) <= _LARGEST_EXACT_INTEGER else float(value)


# Integers up to this are exact doubles; rfc8785 refuses Python ints beyond it.
_LARGEST_EXACT_INTEGER = 2**53 - 1
# One pass in C instead of a regex: digits become "d", the lead bytes of 4-byte UTF-8
# sequences (characters outside the BMP) "x", everything else ".".
_BYTE_CLASSES = bytes(
    ord("d") if 0x30 <= b <= 0x39 else ord("x") if b >= 0xF0 else ord(".") for b in range(256)
)
_FAST_DECODER = msgspec.json.Decoder(float_hook=_refuse_inexact)
_FAST_ENCODER = msgspec.json.Encoder(order="sorted")
_UNDECIDED = object()


def _reference_is_canonical(document: Any, leaf: bytes) -> bool:
    try:
        return bool(rfc8785.dumps(document) == leaf)
    except (rfc8785.CanonicalizationError, ValueError, UnicodeEncodeError):
        return False


_COLUMNS = ("index", "actor_id", "actor_name", "action", "subject_type", "subject_id")


def _disagreements(entry: StoredEntry, document: dict[str, Any]) -> list[Text]:
    actor, subject = _member(document, "actor"), _member(document, "subject")
    said = (
        document.get("index"),
        actor.get("id"),
        actor.get("name"),
        document.get("action"),
        subject.get("type"),
        subject.get("id"),
    )
    stored = (
        entry.index,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.subject_type,
        entry.subject_id,
    )
    problems: list[Text] = []
    # Equality alone would take true or 1.0 for 1: the integer columns' types must match too.
    if said != stored or type(said[0]) is not int or type(said[1]) is not type(stored[1]):
        problems = [
            _column_disagrees(name, repr(column), repr(value))
            for name, column, value in zip(_COLUMNS, stored, said, strict=True)
            if type(column) is not type(value) or column != value
        ]
    if not _same_moment(entry.at, document.get("at")):
        shown = entry.at.isoformat() if isinstance(entry.at, datetime) else repr(entry.at)
        problems.append(_column_disagrees("at", shown, repr(document.get("at"))))
    return problems


def _column_disagrees(name: str, column: str, leaf: str) -> Text:
    # The column's name and both values are data, shown as Python writes them in every language.
    return Text(
        N_("column %(name)s is %(column)s but the leaf says %(leaf)s"),
        {"name": name, "column": column, "leaf": leaf},
    )


def _member(document: dict[str, Any], name: str) -> dict[str, Any]:
    value = document.get(name)
    return value if isinstance(value, dict) else {}


def _same_moment(stored: datetime | str | None, said: object) -> bool:
    if not isinstance(said, str) or not isinstance(stored, datetime):
        return False
    try:
        moment = datetime.fromisoformat(said)
    except ValueError:
        return False
    if stored.tzinfo is None:
        # SQLite keeps the wall-clock time the event was written with and drops the zone.
        return moment.replace(tzinfo=None) == stored
    return moment.tzinfo is not None and moment == stored


# -- reporting -----------------------------------------------------------------------------


@dataclass(slots=True)
class Findings:
    """Problems found so far, the lowest entry index they implicate, and a cap on the list.

    One deleted entry early in a large log disturbs every tree node above it; the first
    problems name it, the rest are counted rather than listed.
    """

    problems: list[str] = field(default_factory=list)
    problem_texts: list[Text] = field(default_factory=list)
    omitted: int = 0
    first_bad_index: int | None = None

    def add(self, problem: Text, bad_index: int | None = None) -> None:
        """A problem as a message: its English in `problems`, the message in `problem_texts`."""
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem.render())
            self.problem_texts.append(problem)
        else:
            self.omitted += 1
        if bad_index is not None and (self.first_bad_index is None or bad_index < self.first_bad_index):
            self.first_bad_index = bad_index

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class UnsignedTail:
    """Entries beyond the largest verified checkpoint: how many, and the age of the oldest."""

    entries: int
    oldest_seconds: float | None


@dataclass(frozen=True, slots=True)
class LedgerVerification:
    """Outcome of a full verification of the stored ledger.

    `first_bad_index` is the lowest entry index any problem implicates; `signed_size` the
    largest checkpoint whose signature and root both verified (entries beyond it are checked
    against the recomputed tree, but no signature covers them yet).
    """

    ok: bool
    size: int
    checkpoints_checked: int
    signed_size: int
    first_bad_index: int | None
    problems: list[str]  # in English (the JSON, the API, a restore's report)
    problems_omitted: int = 0
    unsigned_tail: UnsignedTail | None = None
    # The same problems as catalogue messages, for the user's language (pages, the CLI's lines).
    problem_texts: list[Text] = field(default_factory=list)


# -- need-to-know on the entries a reader is shown -------------------------------------------

# What an unassigned reader sees in place of a case's contents in an entry's details.
REDACTED = "[redacted: not assigned to the case]"

# The detail keys of a case-scoped entry that say what happened, not what an official wrote or
# offered: an auditor who may not read the case's contents still sees these. Every other key
# (a scoring rationale, a determination's or override's reason, notes, amounts, criteria) is
# replaced by `REDACTED`, so a key added later is closed until it is listed here.
METADATA_KEYS = frozenset(
    {
        "case",
        "case_id",
        "case_state",
        "transition",
        "state",
        "version",
        "document",
        "documents",
        "user",
        "role",
        "role_on_case",
        "successor_company_id",
        "company_id",
        "override",
        "determination",
        "designation",
        "agreement",
        "kind",
        "status",
        "until",
        "policy",
    }
)
_PARTS = ("before", "after", "details")


@dataclass(frozen=True, slots=True)
class ReadableCases(Command):
    """Which of `case_ids` the reader may read the contents of (a frozenset of ids): asked of the
    feature that knows the officials' assignments (cases), which the ledger sits below."""

    actor: Actor
    case_ids: frozenset[int]


def case_of(document: dict[str, Any]) -> int | None:
    """The case a leaf document concerns: its subject, or the case its details name; None when
    it concerns none (an account, a company, the vault)."""
    subject = document.get("subject") or {}
    if subject.get("type") == "case":
        return _as_case_id(subject.get("id"))
    for part in ("details", "after", "before"):
        found = document.get(part)
        if isinstance(found, dict):
            for key in ("case", "case_id"):
                if key in found:
                    return _as_case_id(found[key])
    return None


def _as_case_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def redacted(document: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The leaf document with every non-metadata value of its before, after and details replaced
    by `REDACTED`, and whether anything was replaced."""
    changed = False
    shown = dict(document)
    for part in _PARTS:
        values = document.get(part)
        if not isinstance(values, dict):
            continue
        kept = {key: value if key in METADATA_KEYS else REDACTED for key, value in values.items()}
        changed = changed or any(key not in METADATA_KEYS for key in values)
        shown[part] = kept
    return shown, changed
