"""The ledger entries about one case, for the case page's audit section (auditors)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.audit.services.ledger import _require_reader
from shokei.audit.services.reading import AuditEntryView, _view, entries_for_subject, shown_to
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


def entries_about(uow: UnitOfWork, actor: Actor, subjects: Iterable[tuple[str, str]]) -> list[AuditEntryView]:
    """The entries about these (subject type, subject id) pairs, in ledger order, for a caller
    that has checked need-to-know on each subject (a case page: the case and its files).
    Auditors only; redacted as `list_entries` is."""
    _require_reader(actor)
    with uow:
        found = [entry for kind, key in subjects for entry in entries_for_subject(uow, kind, key)]
        return shown_to(uow, actor, sorted(found, key=lambda entry: entry.index))


# Entries recorded on a subject of their own (a fiscal year's budget, a copy, a designation) name
# the case they concern in their details, as {"case": <id>}.
_OWN_SUBJECTS = ("case", "document")


def entries_about_case(
    uow: UnitOfWork, actor: Actor, case_id: int, documents: Iterable[int], opened_at: datetime
) -> list[AuditEntryView]:
    """Every entry that concerns a case, in ledger order: those about the case and its files, and
    those recorded on another subject that name the case (the budget's commitment and payment,
    the copies' issue and downloads, designations...). For a caller that has checked
    need-to-know on the case (its page). Auditors only; an auditor who may not read the case's
    contents gets them redacted (`shown_to`).

    The entries naming the case are found among those recorded since the case was opened (none
    can concern it before); their details are read in Python, as the ledger keeps no case column.
    """
    _require_reader(actor)
    subjects = [("case", str(case_id)), *(("document", str(document_id)) for document_id in documents)]
    with uow.transaction() as session:
        found = [entry for kind, key in subjects for entry in entries_for_subject(uow, kind, key)]
        others = session.execute(
            select(AuditEntry)
            .where(AuditEntry.subject_type.not_in(_OWN_SUBJECTS), AuditEntry.at >= opened_at)
            .order_by(AuditEntry.index)
        ).scalars()
        found += [view for view in map(_view, others) if _names_case(view, case_id)]
        return shown_to(uow, actor, sorted(found, key=lambda entry: entry.index))


def _names_case(entry: AuditEntryView, case_id: int) -> bool:
    details = entry.event.get("details")
    return isinstance(details, dict) and str(details.get("case")) == str(case_id)
