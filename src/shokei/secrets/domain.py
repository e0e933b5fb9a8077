"""Designations of 装備品等秘密: pure rules, no I/O.

A designation names one handed-in document, a reason and the last day it is valid (`until`).
It is renewed by moving `until` later, and lifted with a reason; a lifted designation stays on
the register (status `lifted`), never deleted. A document has at most one designation that is
not lifted. A designation past its last day and not lifted reads `expired`: it no longer
protects the document (Art. 27 designations run for a stated period), but stays listed so an
official renews or lifts it.

Copies of a document whose designation is in force go only to companies whose certification
is in force on that day and covers the scope tag `designated_secret`, and carry the statutory
marking with the validity on every page (`shokei.formats.marking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from shokei.companies.domain import Certification
from shokei.errors import N_, BadInput, Conflict, Text
from shokei.kernel.bus import Command, Event

# The certification scope tag (`shokei company certify --scope designated_secret`) a company
# needs to receive copies of designated documents.
DESIGNATION_SCOPE = "designated_secret"
# The rule a refusal names (as the holder rules name theirs).
CERTIFICATION_RULE = "designated_secret_certification"


class DesignationStatus(StrEnum):
    DESIGNATED = "designated"  # in force
    EXPIRED = "expired"  # past its last day, not lifted (computed, never stored)
    LIFTED = "lifted"


class DesignationAction(StrEnum):
    """One line of a designation's history."""

    DESIGNATE = "designate"
    RENEW = "renew"
    LIFT = "lift"


# The ledger's tag for each act (the kernel's audit tag catalogue lists them).
LEDGER_TAGS: dict[DesignationAction, str] = {
    DesignationAction.DESIGNATE: "secret:designation:designate",
    DesignationAction.RENEW: "secret:designation:renew",
    DesignationAction.LIFT: "secret:designation:lift",
}


def status_on(stored: str, until: date, today: date) -> DesignationStatus:
    """The status a register reader sees today: a stored `designated` past its day is expired."""
    if stored == DesignationStatus.LIFTED:
        return DesignationStatus.LIFTED
    return DesignationStatus.DESIGNATED if today <= until else DesignationStatus.EXPIRED


def in_force(stored: str, until: date, today: date) -> bool:
    return status_on(stored, until, today) is DesignationStatus.DESIGNATED


def require_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise BadInput(Text(N_("a reason is required")))
    return text


def check_designation(until: date, today: date) -> None:
    """A designation is valid at least until tomorrow: one that ends today protects nothing."""
    if until <= today:
        raise BadInput(
            Text(
                N_("a designation must run beyond today (%(today)s); got %(until)s"),
                {"today": today.isoformat(), "until": until.isoformat()},
            )
        )


def check_renewal(stored: str, current: date, until: date, today: date) -> None:
    """A renewal moves the last day later; a lifted designation is designated again, not renewed."""
    if stored == DesignationStatus.LIFTED:
        raise Conflict(Text(N_("a lifted designation cannot be renewed: designate the document again")))
    check_designation(until, today)
    if until <= current:
        raise BadInput(
            Text(
                N_("a renewal extends the validity beyond %(current)s; got %(until)s"),
                {"current": current.isoformat(), "until": until.isoformat()},
            )
        )


def expiring_within(until: date, today: date, days: int | None) -> bool:
    """`--expiring-within DAYS`: ends at most `days` days from today (already expired included)."""
    if days is None:
        return True
    if days < 0:
        raise BadInput(Text(N_("--expiring-within counts days from today: 0 or more")))
    return until <= today + timedelta(days=days)


class CertificationGap(StrEnum):
    """Why a company may not receive copies of designated documents (pages translate these)."""

    NEVER_CERTIFIED = "never_certified"
    NOT_IN_FORCE = "not_in_force"  # revoked or expired
    SCOPE = "scope"  # in force, without `designated_secret`


def certification_gap(
    certification: Certification | None, today: date
) -> tuple[CertificationGap | None, Text]:
    """Whether a company may receive copies of designated documents today (None) or why not, with
    the reason as a catalogue message."""
    if certification is None:
        return CertificationGap.NEVER_CERTIFIED, Text(N_("never certified as a recipient"))
    if not certification.valid_on(today):
        return CertificationGap.NOT_IN_FORCE, certification.describe(today)
    if DESIGNATION_SCOPE not in certification.scope:
        scope = ", ".join(certification.scope) or "—"
        msgid = N_("certification scope (%(scope)s) does not cover %(needed)s")
        return CertificationGap.SCOPE, Text(msgid, {"scope": scope, "needed": DESIGNATION_SCOPE})
    msgid = N_("%(certification)s, scope %(needed)s")
    return None, Text(msgid, {"certification": certification.describe(today), "needed": DESIGNATION_SCOPE})


@dataclass(frozen=True, slots=True)
class SecretMarking:
    """What a copy of a designated document must carry: the designation and its last day."""

    document_id: int
    until: date


# -- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DesignationChanged(Event):
    """A designation was made, renewed or lifted (published in its transaction), so a feature
    keeping deadlines may start or stop a clock on its last day."""

    designation_id: int
    document_id: int
    case_id: int
    action: DesignationAction
    until: date
    status: DesignationStatus


@dataclass(frozen=True, slots=True)
class DocumentHolders(Command):
    """Which companies hold copies (not destroyed) of these documents: answered by the feature
    that keeps the register of copies (succession, above this one) with
    {document id: [(corporate number, name, copy id), ...]}."""

    document_ids: tuple[int, ...]


class NotCertifiedForSecrets(Conflict):
    """A copy of a designated document would go to a company not certified for them today (exit 4),
    naming the rule `designated_secret_certification`."""

    def __init__(
        self,
        act: str | Text,
        company_name: str,
        document_ids: tuple[int, ...],
        gap: CertificationGap,
        why: Text,
    ) -> None:
        documents = ", ".join(str(document_id) for document_id in document_ids)
        msgid = N_(
            "%(act)s refused: %(rule)s: %(company)s is not certified for 装備品等秘密 "
            "(designated documents %(documents)s): %(why)s"
        )
        values = {"act": act, "rule": CERTIFICATION_RULE, "company": company_name, "documents": documents}
        super().__init__(Text(msgid, {**values, "why": why}))
        self.company_name, self.document_ids, self.gap = company_name, document_ids, gap
