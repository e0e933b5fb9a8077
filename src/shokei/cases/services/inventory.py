"""The document inventory: lines described by hand or linked to stored files, and their
examination marks (the determination guard counts unexamined lines)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from shokei.cases.domain import INVENTORY_EDITABLE_STATES, CaseState, InventoryItem
from shokei.cases.models import ExitCase, InventoryLine
from shokei.cases.schemas import InventoryLineView
from shokei.cases.services.access import load_case
from shokei.cases.services.reading import line_view
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.interests import services as interests
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.bounds import require_text
from shokei.kernel.unit_of_work import UnitOfWork


def add_inventory_line(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    title: str,
    drawing_number: str | None = None,
    revision: str | None = None,
    component: str | None = None,
    weapon_system: str | None = None,
) -> InventoryLineView:
    """Describe one handed-in document. The case's supplier or an intake officer, before examination."""
    if not actor.can(Permission.CASE_INVENTORY_WRITE):
        raise Forbidden(
            Text(N_("%(role)s may not edit document inventories"), {"role": role_name(actor.role)})
        )
    if not title.strip():
        raise BadInput(Text(N_("a document needs a title")))
    for field, value in (
        ("title", title),
        ("drawing_number", drawing_number),
        ("revision", revision),
        ("component", component),
        ("weapon_system", weapon_system),
    ):
        require_text(field, value)
    with uow:
        case = _open_inventory(uow, actor, case_id)
        line = InventoryLine(
            case_id=case.id,
            title=title.strip(),
            drawing_number=drawing_number,
            revision=revision,
            component=component,
            weapon_system=weapon_system,
            created_by_id=actor.user_id,
            created_at=uow.clock.now(),
        )
        uow.session.add(line)
        uow.session.flush()
        view = line_view(line)
        uow.record("case:inventory:add", "case", case.id, actor, after=view.model_dump(mode="json"))
        return view


def require_inventory_open(uow: UnitOfWork, actor: Actor, case_id: int) -> int:
    """For the documents feature: the case exists for this actor and still takes documents.

    Asked again in the transaction that links each stored file, so a case that has moved on
    while an archive was being read takes no more files.
    """
    if not actor.can(Permission.CASE_INVENTORY_WRITE):
        raise Forbidden(Text(N_("%(role)s may not hand in documents"), {"role": role_name(actor.role)}))
    with uow:
        return _open_inventory(uow, actor, case_id).id


def _open_inventory(uow: UnitOfWork, actor: Actor, case_id: int) -> ExitCase:
    # Locked, so a move of the case (which updates this row) waits for the link, or the link
    # waits for the move and then sees the new state: never both at once.
    case = load_case(uow, actor, case_id, for_update=True)
    if CaseState(case.state) not in INVENTORY_EDITABLE_STATES:
        raise Conflict(
            Text(N_("the inventory is closed once the case is '%(state)s'"), {"state": case.state})
        )
    return case


def link_stored_document(uow: UnitOfWork, actor: Actor, case_id: int, *, document_id: int, title: str) -> int:
    """An inventory line for a stored file (the caller's ledger entry covers it); refused when
    the inventory has closed in the meantime."""
    with uow:
        case_id = require_inventory_open(uow, actor, case_id)
        line = InventoryLine(
            case_id=case_id,
            title=title[:500],
            created_by_id=actor.user_id,
            created_at=uow.clock.now(),
            document_id=document_id,
        )
        uow.session.add(line)
        uow.session.flush()
        return line.id


def link_stored_documents(
    uow: UnitOfWork, actor: Actor, case_id: int, documents: Sequence[tuple[int, str]]
) -> None:
    """Inventory lines for stored files, `(document id, title)` each, in one statement (the
    caller's ledger entries cover them); refused when the inventory has closed meanwhile."""
    with uow:
        case_id = require_inventory_open(uow, actor, case_id)
        now = uow.clock.now()
        uow.session.add_all(
            InventoryLine(
                case_id=case_id,
                title=title[:500],
                created_by_id=actor.user_id,
                created_at=now,
                document_id=document_id,
            )
            for document_id, title in documents
        )
        uow.session.flush()


def describe_stored_document(
    uow: UnitOfWork,
    document_id: int,
    *,
    title: str | None,
    drawing_number: str | None,
    revision: str | None,
    component: str | None,
    weapon_system: str | None,
) -> None:
    """Keep a stored file's inventory line in step with its description (caller audits)."""
    with uow:
        line = uow.session.execute(
            select(InventoryLine).where(InventoryLine.document_id == document_id)
        ).scalar_one()
        if title:
            line.title = title
        line.drawing_number, line.revision = drawing_number, revision
        line.component, line.weapon_system = component, weapon_system


def examine_document(
    uow: UnitOfWork, actor: Actor, case_id: int, line_id: int, *, note: str
) -> InventoryLineView:
    """Record that an examiner has examined one inventory document, with a note.

    The policy's scores (`shokei exam score`) are the full examination; a note-only examination
    lets the examiner determine on judgement alone (see examination.domain.settle).
    """
    if actor.role is not Role.EXAMINER:
        raise Forbidden(Text(N_("only an examiner may examine documents")))
    if not note.strip():
        raise BadInput(Text(N_("an examination note is required")))
    with uow:
        case = load_case(uow, actor, case_id)
        interests.refuse_if_conflicted(uow, actor, case.company_id, "examine")
        line = _examinable_line(uow, case, line_id)
        line.examined_by_id, line.examined_at, line.examination_note = actor.user_id, uow.clock.now(), note
        uow.record(
            "case:document:examine", "case", case.id, actor, details={"document": line_id, "note": note}
        )
        return line_view(line)


def mark_document_examined(
    uow: UnitOfWork, actor: Actor, case_id: int, line_id: int, *, note: str
) -> InventoryItem:
    """The document counts as examined (the determination guard); the caller audits.

    The first examiner stays on the line: later ones are known to the examination feature.
    """
    with uow:
        line = _examinable_line(uow, load_case(uow, actor, case_id), line_id)
        if line.examined_by_id is None:
            line.examined_by_id, line.examined_at, line.examination_note = (
                actor.user_id,
                uow.clock.now(),
                note,
            )
        return item_of(line)


def inventory_items(uow: UnitOfWork, case_id: int) -> list[InventoryItem]:
    with uow:
        lines = uow.session.execute(
            select(InventoryLine).where(InventoryLine.case_id == case_id).order_by(InventoryLine.id)
        ).scalars()
        return [item_of(line) for line in lines]


def _examinable_line(uow: UnitOfWork, case: ExitCase, line_id: int) -> InventoryLine:
    if case.state != CaseState.UNDER_EXAMINATION:
        raise Conflict(
            Text(
                N_("documents are examined while the case is under examination, not '%(state)s'"),
                {"state": case.state},
            )
        )
    line = uow.session.get(InventoryLine, line_id)
    if line is None or line.case_id != case.id:
        raise NotFound(
            Text(N_("no document %(line_id)s in case %(id)s"), {"line_id": line_id, "id": case.id})
        )
    return line


def item_of(line: InventoryLine) -> InventoryItem:
    return InventoryItem(
        id=line.id,
        title=line.title,
        drawing_number=line.drawing_number,
        revision=line.revision,
        component=line.component,
        weapon_system=line.weapon_system,
        document_id=line.document_id,
        examined_by_id=line.examined_by_id,
    )
