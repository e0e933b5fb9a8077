"""What a trace answers: the candidates and the result (shared by `matching` and `pixels`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shokei.errors import Text
from shokei.succession.register import KnownCopy

Method = Literal["hash", "marks", "code", "ocr", "text"]


@dataclass(frozen=True, slots=True)
class TraceCandidate:
    """A copy the file may come from, how sure, and why (each piece of evidence a catalogue
    message: its English in the JSON, the reader's language on the pages)."""

    copy_id: str
    recipient_corporate_number: str
    document_id: str
    confidence: float
    evidence: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class TraceResult:
    """The answer: the copy (when one is identified), how it was found and how sure."""

    copy_id: str | None
    method: Method
    confidence: float
    candidates: tuple[TraceCandidate, ...]
    sha256: str
    unknown_marks: tuple[str, ...] = ()  # copy ids found in the file that the register lacks
    notes: tuple[Text, ...] = ()  # catalogue messages, like the evidence


def candidate(copy: KnownCopy, confidence: float, evidence: tuple[Text, ...]) -> TraceCandidate:
    return TraceCandidate(
        copy.copy_id, copy.recipient_corporate_number, copy.document_id, confidence, evidence
    )
