"""Trace a file found in the wild to the copy it came from.

Five steps, strongest first; the first that identifies something answers (the `method`):

1. **hash** (confidence 1.0): the file's SHA-256 is an issued copy's. A file identical to an
   original document is also recognised: if it was delivered unchanged in a ZIP, each such
   recipient is a candidate (confidence 0.5 shared among them: the supplier and MoD hold those
   bytes too); if it never left MoD unmarked, no recipient is named and a note says the file
   comes from upstream of the hand-over.
2. **marks** (confidence 0.95): copy ids read from the format's own places (`read_marks`)
   and from the file's text (the marker, or the visible stamp's "Copy ID:" line). Ids on one
   line of descent (a subcontractor's copy of a successor's copy) name the last holder. Marks
   can be copied from another file, hence not 1.0; marks of unrelated copies in one file (pages
   merged from two copies) name no single copy, and each candidate gets 0.95 times its share
   of the evidence. With the code key and none of those marks left, the bits woven into the
   pages' own character spacing (`woven`, at most 0.9): they survive the removal of every
   layer the copy added.
3. **code** and 4. **ocr** (`pixels`): with the code key, the pages' pixels (a scan, a photo,
   an image-only PDF or a PDF printed anew): the QR code's authenticated copy id (0.97), else
   copy ids read by OCR from the watermark and the stamp (at most 0.75). A forged code is
   reported in the notes and names no copy.
5. **text** (at most 0.8): MinHash similarity of the file's text to each registered
   copy's fingerprint. A candidate's confidence is 0.8 x similarity x its share of the summed
   similarities, so copies of one document (same text) split it; a copy id is returned only
   when one candidate outweighs all the others together.

Confidence is an ordinal guide for the investigator, not a calibrated probability.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shokei.errors import N_, Text
from shokei.formats.marking import read_marks
from shokei.formats.marking.base import (
    COPY_ID_PATTERN,
    FoundMark,
    Mark,
    find_markers,
    mark_evidence,
    sha256_file,
)
from shokei.formats.pixels import readable_as_pixels
from shokei.succession.fingerprint import document_text, fingerprint_text
from shokei.succession.register import KnownCopies, KnownCopy, lineage
from shokei.succession.tracing.pixels import by_pixels
from shokei.succession.tracing.results import TraceCandidate, TraceResult, candidate
from shokei.succession.tracing.woven import by_woven_bits

HASH_CONFIDENCE = 1.0
UNCHANGED_PAYLOAD_CONFIDENCE = 0.5
EMBEDDED_CONFIDENCE = 0.95
SIMILARITY_CEILING = 0.8
MIN_SIMILARITY = 0.2  # below this, texts share little more than common words
_STAMP_TEXT = re.compile(r"(?:Copy ID: |複製番号\s*)(" + COPY_ID_PATTERN + r")(?![A-Za-z0-9_-])")


def trace(
    path: Path,
    known_copies: KnownCopies,
    *,
    manifest_key: Ed25519PublicKey | None = None,
    code_key: bytes | None = None,
) -> TraceResult:
    """Identify which registered copy `path` is, by hash, embedded marks, the pixels' code or
    OCR, or text similarity.

    `manifest_key` verifies the signatures of ZIP manifests; without it they are read
    unverified, and with it a manifest whose signature fails is not believed. `code_key`
    verifies the 2D codes; without it pixels are not read.
    """
    digest = sha256_file(path)
    by_hash = _by_hash(digest, known_copies)
    if by_hash is not None:
        return by_hash
    text = document_text(path)
    marks = read_marks(path, manifest_key) + _text_marks(text)
    embedded = _by_marks(marks, known_copies, digest)
    if embedded.copy_id is not None or embedded.candidates:
        return embedded
    woven = by_woven_bits(path, known_copies, code_key, embedded) if code_key is not None else None
    if woven is not None and woven.candidates:
        return woven
    embedded = woven or embedded  # its note (bits of no issued copy) goes on
    if code_key is not None and readable_as_pixels(path):
        from_pixels = by_pixels(path, known_copies, code_key, digest, embedded)
        if from_pixels.candidates:
            return from_pixels
        embedded = from_pixels  # its notes (a forged code) go on to the text step
    return _by_similarity(text, known_copies, digest, embedded)


# --- hash -------------------------------------------------------------------------------------


def _by_hash(digest: str, known: KnownCopies) -> TraceResult | None:
    matches = known.by_sha256(digest)
    issued = [copy for copy in matches if copy.sha256 == digest]
    if len(issued) == 1:
        only = candidate(issued[0], HASH_CONFIDENCE, (Text(N_("SHA-256 of the copy as issued")),))
        return TraceResult(issued[0].copy_id, "hash", HASH_CONFIDENCE, (only,), digest)
    originals = [copy for copy in matches if copy.document_sha256 == digest]
    if not originals:
        return None
    return _original_bytes(digest, originals)


def _original_bytes(digest: str, originals: list[KnownCopy]) -> TraceResult:
    unchanged = [copy for copy in originals if copy.delivered_unchanged]
    documents = ", ".join(sorted({copy.document_id for copy in originals}))
    if not unchanged:
        note = Text(
            N_(
                "identical to the original of document %(documents)s, never issued unmarked: "
                "the file comes from upstream of the hand-over (supplier or MoD)"
            ),
            {"documents": documents},
        )
        return TraceResult(None, "hash", 0.0, (), digest, notes=(note,))
    share = UNCHANGED_PAYLOAD_CONFIDENCE / len(unchanged)
    evidence = (
        Text(N_("identical to the unchanged payload of this ZIP delivery (supplier and MoD hold it too)")),
    )
    candidates = tuple(candidate(copy, share, evidence) for copy in unchanged)
    copy_id = unchanged[0].copy_id if len(unchanged) == 1 else None
    return TraceResult(copy_id, "hash", share, candidates, digest)


# --- embedded ---------------------------------------------------------------------------------


def _text_marks(text: str) -> list[FoundMark]:
    """The marker, and the visible stamp's copy id, wherever they survive in the text."""
    marker, stamp = Text(N_("marker in text")), Text(N_("stamp text"))
    found = [FoundMark(copy_id, Mark.EXTRACTED_TEXT, marker) for copy_id in find_markers(text)]
    stamp_ids = dict.fromkeys(_STAMP_TEXT.findall(text))
    return found + [FoundMark(copy_id, Mark.PDF_VISIBLE_STAMP, stamp) for copy_id in stamp_ids]


def _evidence(mark: FoundMark) -> Text:
    return mark_evidence(mark.where, mark.detail)


def _last_holders(ids: set[str], known: KnownCopies) -> list[str]:
    """The ids that are no other found id's ancestor (one id when all lie on one line of descent)."""
    ancestors = {copy.copy_id for copy_id in ids for copy in lineage(copy_id, known)[:-1]}
    return sorted(ids - ancestors)


@dataclass(frozen=True, slots=True)
class _MarkEvidence:
    by_copy: dict[str, list[Text]]  # registered copy id -> where it was found
    unknown: tuple[str, ...]
    notes: tuple[Text, ...]


def _gather(marks: list[FoundMark], known: KnownCopies) -> _MarkEvidence:
    evidence: defaultdict[str, list[Text]] = defaultdict(list)
    for mark in marks:
        if mark.trusted:
            evidence[mark.copy_id].append(_evidence(mark))
    registered = {copy_id: places for copy_id, places in evidence.items() if known.by_copy_id(copy_id)}
    unknown = tuple(sorted(set(evidence) - set(registered)))
    notes = tuple(
        Text(
            N_("not believed: %(copy_id)s in %(evidence)s"),
            {"copy_id": mark.copy_id, "evidence": _evidence(mark)},
        )
        for mark in marks
        if not mark.trusted
    )
    return _MarkEvidence(registered, unknown, notes)


def _by_marks(marks: list[FoundMark], known: KnownCopies, digest: str) -> TraceResult:
    found = _gather(marks, known)
    if not found.by_copy:
        return TraceResult(None, "marks", 0.0, (), digest, found.unknown, found.notes)
    holders = _last_holders(set(found.by_copy), known)
    if len(holders) == 1:
        candidates = _line_of_descent(holders[0], found, known)
        return TraceResult(
            holders[0], "marks", EMBEDDED_CONFIDENCE, candidates, digest, found.unknown, found.notes
        )
    conflict = Text(N_("marks of unrelated copies in one file: %(copies)s"), {"copies": ", ".join(holders)})
    candidates = _shared_evidence(holders, found, known)
    notes = (*found.notes, conflict)
    return TraceResult(None, "marks", candidates[0].confidence, candidates, digest, found.unknown, notes)


def _line_of_descent(holder: str, found: _MarkEvidence, known: KnownCopies) -> tuple[TraceCandidate, ...]:
    """The holder first (0.95), then the earlier copies whose marks it still carries (0.0)."""
    chain = [copy for copy in reversed(lineage(holder, known)) if copy.copy_id in found.by_copy]
    return tuple(
        candidate(
            copy, EMBEDDED_CONFIDENCE if copy.copy_id == holder else 0.0, tuple(found.by_copy[copy.copy_id])
        )
        for copy in chain
    )


def _shared_evidence(
    holders: list[str], found: _MarkEvidence, known: KnownCopies
) -> tuple[TraceCandidate, ...]:
    """Unrelated copies in one file: each gets 0.95 times its share of the marks found."""
    counts = Counter({copy_id: len(found.by_copy[copy_id]) for copy_id in holders})
    total = sum(counts.values())
    return tuple(
        candidate(_known(copy_id, known), EMBEDDED_CONFIDENCE * count / total, tuple(found.by_copy[copy_id]))
        for copy_id, count in counts.most_common()
    )


def _known(copy_id: str, known: KnownCopies) -> KnownCopy:
    copy = known.by_copy_id(copy_id)
    if copy is None:  # only called with ids the register answered for a moment ago
        raise LookupError(f"copy {copy_id} vanished from the register during the trace")
    return copy


# --- similarity -------------------------------------------------------------------------------


def _by_similarity(text: str, known: KnownCopies, digest: str, embedded: TraceResult) -> TraceResult:
    fingerprint = fingerprint_text(text)
    if fingerprint is None:
        note = Text(N_("too little text to compare"))
        return TraceResult(None, "text", 0.0, (), digest, embedded.unknown_marks, (*embedded.notes, note))
    scored = [
        (fingerprint.similarity(copy.fingerprint), copy)
        for copy in known.with_fingerprints()
        if copy.fingerprint is not None
    ]
    close = sorted(
        (item for item in scored if item[0] >= MIN_SIMILARITY), key=lambda item: (-item[0], item[1].copy_id)
    )
    total = sum(similarity for similarity, _ in close)
    candidates = tuple(
        candidate(
            copy,
            SIMILARITY_CEILING * similarity * similarity / total,
            (Text(N_("text similarity %(similarity)s"), {"similarity": f"{similarity:.2f}"}),),
        )
        for similarity, copy in close
    )
    leader = close[0] if close and close[0][0] > total / 2 else None
    return TraceResult(
        leader[1].copy_id if leader else None,
        "text",
        candidates[0].confidence if candidates else 0.0,
        candidates,
        digest,
        embedded.unknown_marks,
        embedded.notes,
    )
