"""Trace from pixels: the 2D code first, then OCR of the watermark and the stamp.

1. **code** (confidence 0.97): a QR code whose MAC verifies under the installation's code key
   names its copy. A code can be copied onto another page like any mark, hence not 1.0. A code
   naming a copy id with a MAC that does not verify is **forged**: it is reported (`forged`),
   never taken for that copy, and the trace goes on to the other marks.
2. **ocr** (at most 0.75): copy ids read by Tesseract from the watermark and the stamp, matched
   against every registered copy id after folding the characters OCR confuses (O/0, I/1, S/5...)
   and allowing up to two edits (one per eight characters); a reading counts only for the ids it
   is closest to. Each copy scores the readings that match it (an exact reading
   counts 1, one edit 0.5, two 0.25); a candidate's confidence is 0.75 times its share of the
   score, so two copies read equally often split it and neither is named.

Pages are read in order and the reading stops at the first page that names a copy, and after
`MAX_OCR_PAGES` pages of OCR (a 20-page scan reads its code on page one).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shokei.errors import N_, Text
from shokei.formats import pixels
from shokei.formats.marking.base import Mark, mark_evidence, mark_name
from shokei.formats.marking.pdf_code import read_code
from shokei.succession.register import KnownCopies, KnownCopy, lineage
from shokei.succession.tracing.results import TraceResult, candidate

CODE_CONFIDENCE = 0.97
OCR_CEILING = 0.75
MAX_OCR_PAGES = 3
MAX_EDITS = 2
GRAM = 3
_EDIT_WEIGHT = {0: 1.0, 1: 0.5, 2: 0.25}
_CONFUSABLE = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "I": "1",
        "L": "1",
        "|": "1",
        "!": "1",
        "S": "5",
        "Z": "2",
        "G": "6",
        "?": "7",
        ".": "-",
        ",": "-",
        "_": "-",
        "—": "-",
    }
)
# Where a copy id is written in pixels: after the watermark's SHOKEI or the stamp's labels.
_ANCHOR = re.compile(
    r"(?:SH[O0]KE[I1!l|]?|C[o0]py\s*[I1l]D\s*[:;]?|複製番号)\s*(\S[^\n|]{0,30})", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class PixelFinding:
    """What the pixels said: authentic codes, forged codes, OCR scores, pages read."""

    codes: dict[str, list[int]]  # copy id -> pages with an authentic code
    forged: dict[str, list[int]]  # copy id a forged code names -> pages
    ocr_scores: dict[str, float]  # registered copy id -> summed reading weight
    ocr_readings: dict[str, list[str]]  # registered copy id -> the raw readings that matched
    pages: int


def read_pixels(path: Path, copies: Iterable[KnownCopy], code_key: bytes) -> PixelFinding:
    """Read the codes of every page and, failing them, OCR the first pages."""
    registered = _Register(copies)
    codes: defaultdict[str, list[int]] = defaultdict(list)
    forged: defaultdict[str, list[int]] = defaultdict(list)
    scores: defaultdict[str, float] = defaultdict(float)
    readings: defaultdict[str, list[str]] = defaultdict(list)
    pages = 0
    for number, image in enumerate(pixels.page_images(path), start=1):
        pages = number
        for payload in pixels.decode_codes(image):
            reading = read_code(payload, code_key)
            if reading is not None:
                (codes if reading.authentic else forged)[reading.copy_id].append(number)
        if codes:
            break
        if number <= MAX_OCR_PAGES:
            _score_ocr(pixels.ocr_text(image), registered, scores, readings)
            if scores:
                break
    return PixelFinding(dict(codes), dict(forged), dict(scores), dict(readings), pages)


def fold(text: str) -> str:
    """Upper case, spaces dropped, the characters OCR confuses made one."""
    return "".join(text.upper().split()).translate(_CONFUSABLE)


def _grams(text: str) -> set[str]:
    return {text[index : index + GRAM] for index in range(len(text) - GRAM + 1)}


class _Register:
    """The registered ids, folded, with an index of their 3-grams: an id within two edits of a
    reading shares most of its 3-grams with it, so only those few are aligned in full."""

    def __init__(self, copies: Iterable[KnownCopy]) -> None:
        self.folded = {copy.copy_id: fold(copy.copy_id) for copy in copies}
        self.by_gram: defaultdict[str, set[str]] = defaultdict(set)
        for copy_id, folded in self.folded.items():
            for gram in _grams(folded):
                self.by_gram[gram].add(copy_id)

    def near(self, window: str) -> dict[str, str]:
        shared: Counter[str] = Counter()
        for gram in _grams(window):
            shared.update(self.by_gram.get(gram, ()))
        # The q-gram lemma: k edits destroy at most k*q of an id's len-q+1 grams.
        return {
            copy_id: self.folded[copy_id]
            for copy_id, count in shared.items()
            if count >= len(self.folded[copy_id]) - GRAM + 1 - MAX_EDITS * GRAM
        }


def _score_ocr(
    text: str,
    registered: _Register,
    scores: defaultdict[str, float],
    readings: defaultdict[str, list[str]],
) -> None:
    for match in _ANCHOR.finditer(text):
        raw = match.group(1).strip()
        window = fold(raw)
        near = registered.near(window)
        edits = {copy_id: substring_edits(folded, window) for copy_id, folded in near.items()}
        fewest = min(edits.values(), default=MAX_EDITS + 1)
        if fewest > min(MAX_EDITS, len(window) // 8):
            continue
        for copy_id in (copy_id for copy_id, count in edits.items() if count == fewest):
            # A reading counts for the ids it is closest to only: one misread character must not
            # turn a successor's id into its subcontractor's.
            scores[copy_id] += _EDIT_WEIGHT[fewest]
            readings[copy_id].append(raw)


def substring_edits(pattern: str, text: str) -> int:
    """The fewest edits turning `pattern` into some substring of `text` (Sellers' algorithm)."""
    previous = list(range(len(pattern) + 1))
    best = previous[-1]
    for character in text:
        current = [0]
        for index, wanted in enumerate(pattern, start=1):
            current.append(
                min(previous[index] + 1, current[index - 1] + 1, previous[index - 1] + (wanted != character))
            )
        previous = current
        best = min(best, current[-1])
    return best


def by_pixels(
    path: Path, known: KnownCopies, code_key: bytes, digest: str, before: TraceResult
) -> TraceResult:
    """The code's or OCR's answer; no candidates (and the forged codes in the notes) otherwise."""
    found = read_pixels(path, known.every_copy(), code_key)
    notes = (*before.notes, *(_forged_note(copy_id, pages) for copy_id, pages in found.forged.items()))
    unknown = tuple(sorted({*before.unknown_marks, *(c for c in found.codes if known.by_copy_id(c) is None)}))
    registered = {copy_id: pages for copy_id, pages in found.codes.items() if known.by_copy_id(copy_id)}
    codes = {copy_id: registered[copy_id] for copy_id in last_holders(set(registered), known)}
    if codes:
        return _code_result(codes, found.pages, known, digest, (unknown, notes))
    if found.ocr_scores:
        return _ocr_result(found, known, digest, unknown, notes)
    return TraceResult(None, "code", 0.0, (), digest, unknown, notes)


def _forged_note(copy_id: str, pages: list[int]) -> Text:
    return Text(
        N_("forged 2D code naming %(copy_id)s (its MAC does not verify) on page %(pages)s"),
        {"copy_id": copy_id, "pages": ", ".join(map(str, pages))},
    )


def _code_result(
    codes: dict[str, list[int]],
    pages: int,
    known: KnownCopies,
    digest: str,
    context: tuple[tuple[str, ...], tuple[Text, ...]],
) -> TraceResult:
    unknown, notes = context
    share = CODE_CONFIDENCE / len(codes)
    candidates = tuple(
        candidate(
            _registered(copy_id, known),
            share,
            (mark_evidence(Mark.PDF_CODE, Text(N_("authentic MAC, page %(page)s"), {"page": found[0]})),),
        )
        for copy_id, found in sorted(codes.items())
    )
    if len(codes) == 1:
        return TraceResult(candidates[0].copy_id, "code", CODE_CONFIDENCE, candidates, digest, unknown, notes)
    conflict = Text(
        N_("authentic codes of several copies in one file: %(copies)s"), {"copies": ", ".join(sorted(codes))}
    )
    return TraceResult(None, "code", share, candidates, digest, unknown, (*notes, conflict))


def _ocr_result(
    found: PixelFinding, known: KnownCopies, digest: str, unknown: tuple[str, ...], notes: tuple[Text, ...]
) -> TraceResult:
    holders = last_holders(set(found.ocr_scores), known)  # a copy of a copy shows both ids
    scores = {copy_id: found.ocr_scores[copy_id] for copy_id in holders}
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    candidates = tuple(
        candidate(
            _registered(copy_id, known),
            round(OCR_CEILING * score / total, 4),
            tuple(
                Text(N_("%(mark)s: '%(reading)s'"), {"mark": mark_name(Mark.OCR_TEXT), "reading": reading})
                for reading in found.ocr_readings[copy_id][:5]
            ),
        )
        for copy_id, score in ranked
    )
    leader = ranked[0][0] if ranked[0][1] > total / 2 else None
    if leader is None:
        named = ", ".join(c for c, _ in ranked)
        notes = (*notes, Text(N_("the pixels name several copies equally: %(copies)s"), {"copies": named}))
    return TraceResult(leader, "ocr", candidates[0].confidence, candidates, digest, unknown, notes)


def last_holders(ids: set[str], known: KnownCopies) -> list[str]:
    """The ids that are no other found id's ancestor (one id when all lie on one line of descent)."""
    ancestors = {copy.copy_id for copy_id in ids for copy in lineage(copy_id, known)[:-1]}
    return sorted(ids - ancestors)


def _registered(copy_id: str, known: KnownCopies) -> KnownCopy:
    copy = known.by_copy_id(copy_id)
    if copy is None:  # only called with ids the register answered for a moment ago
        raise LookupError(f"copy {copy_id} vanished from the register during the trace")
    return copy
