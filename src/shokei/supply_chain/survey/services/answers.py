"""Answer use cases: a respondent's upload validated in full and applied as a supply import in
one transaction (a later answer replacing the earlier one), and an answer read back by its
respondent or an official."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session, aliased

from shokei.companies.domain import ForeignId
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services as supply_map
from shokei.supply_chain.batch import RecordKind, SupplyBatch
from shokei.supply_chain.models import (
    BomLine,
    Component,
    ForeignSupplyRelation,
    SurveyAnswer,
    SurveyRespondent,
)
from shokei.supply_chain.survey import sheets
from shokei.supply_chain.survey.domain import (
    BOM,
    Answer,
    AnswerContext,
    Problem,
    Sheet,
    SupplyRow,
    SurveyAnswered,
    answered_status,
    problem,
    validate,
)
from shokei.supply_chain.survey.schemas import AnswerReport, AnswerSupplyRow, AnswerView, ProblemView
from shokei.supply_chain.survey.services.support import (
    acting_respondent,
    find_campaign,
    find_respondent,
    latest_answer,
    sees_all,
)

MAX_ANSWER_BYTES = 20 * 1024 * 1024
_PART_COLUMNS = ("part_number", "parent_part_number", "child_part_number")


def admit_answer(uow: UnitOfWork, actor: Actor, campaign_id: int) -> None:
    """Before an answer file is received: refuses as `answer_survey` would (the survey is open,
    the user answers for a company asked in it)."""
    with uow:
        find_campaign(uow.session, campaign_id, open_only=True)
        acting_respondent(uow, actor, campaign_id)


def answer_survey(
    uow: UnitOfWork, actor: Actor, campaign_id: int, file_name: str, data: bytes
) -> AnswerReport:
    """A respondent's answer (XLSX or CSV): validated completely first; with any problem nothing
    is applied and every problem is reported by sheet, row and column; a valid answer is applied
    as a supply import (its source recorded) and replaces the respondent's earlier answer (supply
    pairs it no longer gives are removed). Every upload is kept and audited. A respondent's user,
    for its own company, while the survey is open."""
    digest = hashlib.sha256(data).hexdigest()
    with uow:
        session = uow.session
        find_campaign(session, campaign_id, open_only=True)
        asked = acting_respondent(uow, actor, campaign_id)
        if len(data) > MAX_ANSWER_BYTES:
            problems = [
                problem("supply", 0, "", N_("the file is over %(size)s MiB"), size=MAX_ANSWER_BYTES // 2**20)
            ]
            answer = Answer()
        else:
            problems, answer = _checked(session, asked, file_name, data)
        stored = SurveyAnswer(
            respondent_id=asked.id,
            received_at=uow.clock.now(),
            uploaded_by=actor.username,
            file_name=file_name[:255],
            sha256=digest,
            content=data,
            accepted=not problems,
            problems=[problem.as_dict() for problem in problems],
            applied={},
            supply_keys=[],
        )
        previous = latest_answer(session, asked.id)
        session.add(stored)
        session.flush()
        source: dict[str, Any] = {"file": file_name, "sha256": digest}
        details: dict[str, Any] = {**source, "answer": stored.id, "respondent": asked.corporate_number}
        if problems:
            uow.record(
                "supply_chain:survey:answer_refused",
                "survey_campaign",
                campaign_id,
                actor,
                details={**details, "problems": len(problems)},
            )
            return AnswerReport(
                accepted=False, problems=[ProblemView(**p.as_dict()) for p in problems], applied={}
            )
        source |= {"survey": campaign_id, "respondent": asked.corporate_number, "answer": stored.id}
        applied = _apply(uow, actor, answer, previous=previous, source=source)
        stored.applied = {**applied, "rows": _rows(answer)}
        stored.supply_keys = [[row.supplier, row.part_number] for row in answer.supply]
        asked.status = answered_status(asked.asked_parts, answer)
        session.flush()
        uow.record(
            "supply_chain:survey:answer",
            "survey_campaign",
            campaign_id,
            actor,
            details={**details, "status": asked.status, "applied": applied},
        )
        uow.publish(SurveyAnswered(campaign_id, asked.corporate_number))
        return AnswerReport(accepted=True, problems=[], applied={"answer_id": stored.id, **applied})


def _checked(
    session: Session, asked: SurveyRespondent, name: str, data: bytes
) -> tuple[list[Problem], Answer]:
    read, problems = sheets.read_answer(name, data)
    if problems:
        return problems, Answer()
    mentioned = {cells[c] for sheet in read for _, cells in sheet.rows for c in _PART_COLUMNS if cells.get(c)}
    known = _known_parts(session, {part for part in mentioned if part})
    context = AnswerContext(asked.corporate_number, asked.tier, known, _children_below(session, read, known))
    return validate(read, context)


def _known_parts(session: Session, parts: set[str]) -> set[str]:
    found: set[str] = set()
    listed = sorted(parts)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        found.update(
            session.execute(select(Component.part_number).where(Component.part_number.in_(chunk))).scalars()
        )
    return found


def _children_below(session: Session, read: list[Sheet], known: set[str]) -> dict[str, list[str]]:
    """The stored BOM below the stored parts an answer's BOM lines name as children: where a
    new line could close a cycle."""
    starts = sorted(
        {cells["child_part_number"] or "" for sheet in read if sheet.name == BOM for _, cells in sheet.rows}
        & known
    )
    if not starts:
        return {}
    seeds = select(Component.id.label("id")).where(Component.part_number.in_(starts))
    tree = seeds.cte("below", recursive=True)
    tree = tree.union(select(BomLine.child_id).join(tree, BomLine.parent_id == tree.c.id))
    parent, child = aliased(Component), aliased(Component)
    rows = session.execute(
        select(parent.part_number, child.part_number)
        .join(BomLine, BomLine.parent_id == parent.id)
        .join(child, child.id == BomLine.child_id)
        .where(BomLine.parent_id.in_(select(tree.c.id)))
    )
    children: dict[str, list[str]] = {}
    for a, b in rows:
        children.setdefault(a, []).append(b)
    return children


def _apply(
    uow: UnitOfWork,
    actor: Actor,
    answer: Answer,
    *,
    previous: SurveyAnswer | None,
    source: dict[str, Any],
) -> dict[str, Any]:
    given = {(row.supplier, row.part_number) for row in answer.supply}
    dropped = [tuple(key) for key in (previous.supply_keys if previous else []) if tuple(key) not in given]
    batch = SupplyBatch(sources=[source["file"]])
    _append(
        batch,
        RecordKind.COMPONENTS,
        {"part_number": [p for p, _ in answer.components], "name": [n for _, n in answer.components]},
    )
    _append(
        batch,
        RecordKind.BOM,
        {
            "parent_part_number": [a for a, _, _ in answer.bom],
            "child_part_number": [b for _, b, _ in answer.bom],
            "quantity": [q for _, _, q in answer.bom],
            "removed": [False] * len(answer.bom),
        },
    )
    domestic = [row for row in answer.supply if row.corporate_number]
    gone = [(number, part) for number, part in dropped if "-" not in number]
    _append(
        batch,
        RecordKind.SUPPLY,
        {
            "corporate_number": [r.corporate_number for r in domestic] + [n for n, _ in gone],
            "part_number": [r.part_number for r in domestic] + [p for _, p in gone],
            "tier": [r.tier for r in domestic] + [None] * len(gone),
            "share": [r.share for r in domestic] + [None] * len(gone),
            "qualified": [r.qualified for r in domestic] + [None] * len(gone),
            "removed": [False] * len(domestic) + [True] * len(gone),
        },
    )
    report = supply_map.import_answer_batch(uow, actor, batch, source=source)
    foreign = _write_foreign(
        uow.session, [r for r in answer.supply if r.foreign], [k for k in dropped if "-" in k[0]]
    )
    counts = report.model_dump(include={kind.value for kind in RecordKind})
    return {"revision": report.revision, **counts, "foreign_supply": foreign}


def _append(batch: SupplyBatch, kind: RecordKind, columns: dict[str, list[Any]]) -> None:
    batch[kind].append_columns(f"answer {kind}", columns)


def _write_foreign(
    session: Session, rows: list[SupplyRow], dropped: Iterable[tuple[str, ...]]
) -> dict[str, int]:
    parts = {row.part_number for row in rows} | {key[1] for key in dropped}
    dropped = list(dropped)
    query = select(Component.part_number, Component.id).where(Component.part_number.in_(sorted(parts)))
    ids: dict[str, int] = dict(session.execute(query).all()) if parts else {}
    removed = 0
    for supplier, part in dropped:
        country, registry = supplier.split("-", 1)
        result = session.execute(
            delete(ForeignSupplyRelation).where(
                tuple_(
                    ForeignSupplyRelation.country,
                    ForeignSupplyRelation.registry_id,
                    ForeignSupplyRelation.component_id,
                )
                == (country, registry, ids[part])
            )
        )
        removed += getattr(result, "rowcount", 0) or 0
    created = updated = 0
    for row in rows:
        assert row.foreign is not None
        key = (row.foreign.country, row.foreign.registry_id, ids[row.part_number])
        stored = session.get(ForeignSupplyRelation, key)
        if stored is None:
            session.add(
                ForeignSupplyRelation(
                    country=key[0],
                    registry_id=key[1],
                    component_id=key[2],
                    tier=row.tier,
                    share=row.share,
                    qualified=row.qualified,
                )
            )
            created += 1
        else:
            stored.tier, stored.share, stored.qualified = row.tier, row.share, row.qualified
            updated += 1
    session.flush()
    return {"created": created, "updated": updated, "removed": removed}


def _rows(answer: Answer) -> dict[str, list[list[Any]]]:
    return {
        "components": [[part, name] for part, name in answer.components],
        "bom": [[a, b, q] for a, b, q in answer.bom],
        "supply": [
            [
                row.corporate_number,
                row.foreign.country if row.foreign else None,
                row.foreign.registry_id if row.foreign else None,
                row.part_number,
                row.tier,
                row.share,
                row.qualified,
            ]
            for row in answer.supply
        ],
    }


def answer_rows(stored: SurveyAnswer) -> Answer:
    """An accepted answer's records, as applied."""
    rows = stored.applied.get("rows", {})
    return Answer(
        components=[(part, name) for part, name in rows.get("components", [])],
        bom=[(a, b, float(q)) for a, b, q in rows.get("bom", [])],
        supply=[
            SupplyRow(part, tier, share, qualified, number, ForeignId(country, registry) if country else None)
            for number, country, registry, part, tier, share, qualified in rows.get("supply", [])
        ],
    )


def get_answer(uow: UnitOfWork, actor: Actor, campaign_id: int, corporate_number: str) -> AnswerView:
    """A respondent's latest accepted answer. Answers are commercially sensitive: a respondent's
    user reads only its own company's; officials and auditors read every one."""
    with uow:
        session = uow.session
        find_campaign(session, campaign_id)
        if not sees_all(actor):
            own = acting_respondent(uow, actor, campaign_id)
            if own.corporate_number != corporate_number:
                raise Forbidden(Text(N_("a respondent reads only its own answer")))
        asked = find_respondent(session, campaign_id, corporate_number)
        stored = latest_answer(session, asked.id) if asked else None
        if stored is None:
            raise NotFound(
                Text(
                    N_("no answer from %(corporate_number)s in survey %(campaign_id)s"),
                    {"corporate_number": corporate_number, "campaign_id": campaign_id},
                )
            )
        answer = answer_rows(stored)
        return AnswerView(
            campaign_id=campaign_id,
            corporate_number=corporate_number,
            answer_id=stored.id,
            received_at=stored.received_at,
            uploaded_by=stored.uploaded_by,
            file_name=stored.file_name,
            sha256=stored.sha256,
            supply=[
                AnswerSupplyRow(
                    supplier=r.supplier,
                    part_number=r.part_number,
                    tier=r.tier,
                    share=r.share,
                    qualified=r.qualified,
                )
                for r in answer.supply
            ],
            bom=answer.bom,
            components=answer.components,
        )
