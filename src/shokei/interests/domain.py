"""Declared links between officials and companies, and the rule that bars a linked official."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shokei.errors import N_, Forbidden, Text
from shokei.kernel import Role

OFFICIAL_ROLES = frozenset({Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER})


class Relationship(StrEnum):
    """Declared links between an official and a company that bar them from its case."""

    EMPLOYED = "employed"
    FORMERLY_EMPLOYED = "formerly_employed"
    SHAREHOLDER = "shareholder"
    FAMILY = "family"
    OTHER = "other"


def refuse_conflict(company_name: str, relationships: Iterable[Relationship], doing: str) -> None:
    """An official linked to the withdrawing company takes no part in its case."""
    declared = sorted(set(relationships))
    if declared:
        raise Forbidden(
            Text(
                N_(
                    "conflict of interest: you declared a relationship (%(declared)s) with "
                    "%(company_name)s, so you may not %(doing)s its case"
                ),
                {"declared": ", ".join(declared), "company_name": company_name, "doing": doing},
            )
        )
