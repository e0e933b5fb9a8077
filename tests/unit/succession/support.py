"""Shared inputs for the succession tests: sample files (generated or real), two successors, a
subcontractor."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shokei.formats.marking import CopyLabel, CopyResult
from shokei.formats.marking.base import sha256_file
from shokei.succession.fingerprint import TextFingerprint
from shokei.succession.register import InMemoryKnownCopies, KnownCopy
from shokei.succession.terms import delivery_terms
from tests.samples import STANDARD_SET


def source_file(request: pytest.FixtureRequest, folder: str, name: str) -> Path:
    """A generated sample of the standard set by its name, else the real file `folder/name`
    (whose parameter carries the real_files marker, see tests/real_files.py)."""
    if name in STANDARD_SET:
        sample_files: Path = request.getfixturevalue("sample_files")
        return sample_files / name
    real_files: Path = request.getfixturevalue("real_files")
    return real_files / folder / name


# Published corporate numbers, used for their valid check digits; the names are fictional.
SUCCESSOR_A = CopyLabel("SK-A-0001", "承継電子株式会社", "8010401050387", date(2026, 6, 1))
SUCCESSOR_B = CopyLabel("SK-B-0001", "Example Defense KK", "5010401067252", date(2026, 6, 1))
SUBCONTRACTOR = CopyLabel("SK-S-0001", "下請精機株式会社", "1180301018771", date(2026, 7, 15))
# What a ZIP delivery states of the terms its recipient accepted.
TERMS = delivery_terms()


def known_copy(
    label: CopyLabel,
    result: CopyResult,
    document: Path,
    *,
    parent: str | None = None,
    unchanged: bool = False,
    fingerprint: TextFingerprint | None = None,
) -> KnownCopy:
    """What the integration records at release for one copy of the original `document`."""
    return KnownCopy(
        copy_id=label.copy_id,
        document_id=document.name,
        recipient_corporate_number=label.recipient_corporate_number,
        recipient_name=label.recipient_name,
        sha256=result.sha256,
        document_sha256=sha256_file(document),
        delivered_unchanged=unchanged,
        fingerprint=fingerprint,
        parent_copy_id=parent,
    )


def register(*copies: KnownCopy) -> InMemoryKnownCopies:
    """An in-memory register holding `copies`."""
    return InMemoryKnownCopies(copies)
