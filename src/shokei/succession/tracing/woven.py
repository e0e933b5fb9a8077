"""Trace from the mark woven into a PDF page's own text (`formats.marking.pdf_weave`).

The bits read from the pages' character spacing are compared with every registered copy's bit
string under the code key. A copy is a candidate when at least `MIN_BITS` bits were read and at
least `MIN_AGREEMENT` of them agree with its string (an unrelated copy agrees on about half; a
match by chance over 24 bits at 90 % is about one in 30,000 copies); its confidence is
`WOVEN_CEILING` times its agreement. A copy of a copy carries only the last holder's bits, so one
copy answers; two candidates (pages of two copies merged) name none.
"""

from __future__ import annotations

from pathlib import Path

from shokei.errors import N_, Text
from shokei.formats.marking.base import Mark, mark_evidence
from shokei.formats.marking.pdf_weave import read_woven_bits, woven_agreement
from shokei.succession.register import KnownCopies
from shokei.succession.tracing.results import TraceResult, candidate

MIN_BITS = 24
MIN_AGREEMENT = 0.9
WOVEN_CEILING = 0.9


def by_woven_bits(path: Path, known: KnownCopies, code_key: bytes, before: TraceResult) -> TraceResult | None:
    """The copies whose bits the file's pages carry, or None when it carries too few to tell."""
    found = read_woven_bits(path)
    if found.count < MIN_BITS:
        return None
    scored = []
    for copy in known.every_copy():
        agreeing = woven_agreement(found, copy.copy_id, code_key)
        if agreeing >= MIN_AGREEMENT * found.count:
            scored.append((agreeing, copy))
    if not scored:
        note = Text(N_("%(count)s woven bits read, no issued copy's"), {"count": found.count})
        return TraceResult(None, "marks", 0.0, (), before.sha256, before.unknown_marks, (*before.notes, note))
    scored.sort(key=lambda item: (-item[0], item[1].copy_id))
    pages = len(found.pages)
    candidates = tuple(
        candidate(
            copy,
            round(WOVEN_CEILING * agreeing / found.count, 3),
            (
                mark_evidence(
                    Mark.PDF_CONTENT_SPACING,
                    Text(
                        N_("%(agreeing)s of %(count)s bits agree, %(pages)s pages"),
                        {"agreeing": agreeing, "count": found.count, "pages": pages},
                    ),
                ),
            ),
        )
        for agreeing, copy in scored
    )
    copy_id = candidates[0].copy_id if len(candidates) == 1 else None
    return TraceResult(
        copy_id,
        "marks",
        candidates[0].confidence,
        candidates,
        before.sha256,
        before.unknown_marks,
        before.notes,
    )
