"""Custody rules of `documents.domain` that need no database."""

from __future__ import annotations

import pytest

from shokei.cases.domain import CaseState
from shokei.documents.domain import supplier_reading_closed
from shokei.kernel import Actor, Role

SUPPLIER = Actor(1, "supplier", Role.SUPPLIER)
EXAMINER = Actor(2, "examiner", Role.EXAMINER)


@pytest.mark.parametrize(
    "state",
    [CaseState.NOTIFIED, CaseState.UNDER_EXAMINATION, CaseState.NEGOTIATING, CaseState.NEGOTIATION_FAILED],
)
def test_a_supplier_reads_its_files_until_the_purchase_is_approved(state: CaseState) -> None:
    assert not supplier_reading_closed(SUPPLIER, state)


@pytest.mark.parametrize(
    "state", [CaseState.PURCHASE_AGREED, CaseState.HANDED_OVER, CaseState.CLOSED, CaseState.CLOSED_RELEASED]
)
def test_a_supplier_reading_ends_with_approval_or_release(state: CaseState) -> None:
    assert supplier_reading_closed(SUPPLIER, state)


def test_an_official_reading_does_not_end_with_the_case() -> None:
    assert not supplier_reading_closed(EXAMINER, CaseState.CLOSED_RELEASED)
