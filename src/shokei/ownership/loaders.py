"""Loading BODS packages and CSV register extracts into the ownership tables.

Both keep going past bad input: a statement or row that cannot be imported is reported with its
id (or line) and the reason, and the rest is imported. Stakes are checked against what is
already stored: the declared owners of a company cannot come to more than 100 %.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, NotFound, Text
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.bods import BodsDocument, Relationship, format_identifier, parse_identifier
from shokei.ownership.changes import parse_percent, set_stake
from shokei.ownership.domain import (
    EntityKind,
    Interest,
    Party,
    ProblemCode,
    validate_interests,
)
from shokei.ownership.models import (
    OwnershipEntity,
    OwnershipImport,
    OwnershipInterest,
    OwnershipMatchCandidate,
    OwnershipRecord,
)
from shokei.ownership.names import normalize_company_name
from shokei.ownership.registry import RegistryIndex
from shokei.ownership.schemas import RejectedStatement
from shokei.ownership.store import active_on, batches, interest_of, share_json, stake_of

PENDING = "pending"


@dataclass
class Loading:
    """One import in progress: where it writes (the transaction of `uow`), and what it has done
    so far."""

    uow: UnitOfWork
    registry: RegistryIndex
    batch: OwnershipImport
    now: datetime
    today: date
    rejected: list[RejectedStatement] = field(default_factory=list)
    linked: list[tuple[int, int]] = field(default_factory=list)  # entity id, company id
    candidates: list[OwnershipMatchCandidate] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # entities whose holders or nature changed
    counts: dict[str, int] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)  # BODS relationship records closed

    @property
    def session(self) -> Session:
        return self.uow.session

    def count(self, what: str, by: int = 1) -> None:
        """Add to one of the imported counts."""
        self.counts[what] = self.counts.get(what, 0) + by

    def reject(self, statement_id: str | None, position: int, reason: str) -> None:
        """Report a statement or row that was not imported."""
        self.rejected.append(RejectedStatement(statement_id=statement_id, position=position, reason=reason))


# -- BODS --------------------------------------------------------------------------------------


def plain_json(value: Any) -> Any:
    """JSON-ready copy of a parsed statement: exact decimals become the int or float they were."""

    def number(decimal: Decimal) -> int | float:
        return int(decimal) if decimal == decimal.to_integral_value() else float(decimal)

    return json.loads(json.dumps(value, default=number))


class BodsLoader:
    """Parties, then relationships, then closed records, of one parsed package."""

    def __init__(self, loading: Loading, document: BodsDocument) -> None:
        self.loading, self.document = loading, document
        self.session = loading.session
        self.entity_ids: dict[str, int] = {}

    def run(self) -> None:
        """Load the whole package."""
        for problem in self.document.problems:
            self.loading.reject(problem.statement_id, problem.position, problem.reason)
        for party in self.document.parties.values():
            self._party(party)
        accepted = self._acceptable(list(self.document.relationships.values()))
        for relationship in accepted:
            self._relationship(relationship)
        self._close(self.document.closed)

    # parties

    def _party(self, party: Party) -> None:
        company = (
            self.loading.registry.by_identifiers(party.identifiers)
            if party.kind is not EntityKind.PERSON
            else None
        )
        entity = entities.by_record(self.session, party.key)
        if entity is None and company is not None:
            entity = entities.entity_of_company(self.session, company.id)
        if entity is None:
            entity = OwnershipEntity(key=party.key, created_at=self.loading.now)
            self.session.add(entity)
            self.loading.count("entities" if party.kind is not EntityKind.PERSON else "persons")
        if entity.company_id is None:  # a registry company keeps the registry's description
            entity.kind, entity.country, entity.name = party.kind.value, party.country, party.name
            entity.normalized_name = normalize_company_name(party.name)
        self.session.flush()
        if (
            company is not None
            and entity.company_id is None
            and entities.entity_of_company(self.session, company.id) is None
        ):
            entities.link_company(self.session, entity, company, self.loading.now)
            self.loading.linked.append((entity.id, company.id))
        entities.add_identifiers(self.session, entity, list(party.identifiers))
        self._keep_statement(party.key, entity.id)
        if entity.company_id is None:
            self._propose_matches(entity, party)
        self.entity_ids[party.key] = entity.id
        self.loading.touched.add(entity.id)

    def _keep_statement(self, record_id: str, entity_id: int | None) -> None:
        statement = plain_json(self.document.published[record_id])
        record = self.session.get(OwnershipRecord, record_id)
        if record is None:
            record = OwnershipRecord(record_id=record_id)
            self.session.add(record)
        record.record_type, record.entity_id = statement["recordType"], entity_id
        record.statement, record.import_id = statement, self.loading.batch.id
        record.position = self.document.positions[record_id]

    def _propose_matches(self, entity: OwnershipEntity, party: Party) -> None:
        for company, score in self.loading.registry.name_candidates(party):
            exists = self.session.scalars(
                select(OwnershipMatchCandidate).where(
                    OwnershipMatchCandidate.entity_id == entity.id,
                    OwnershipMatchCandidate.company_id == company.id,
                )
            ).one_or_none()
            if exists is None:
                candidate = OwnershipMatchCandidate(
                    entity_id=entity.id,
                    company_id=company.id,
                    score=score,
                    status=PENDING,
                    created_at=self.loading.now,
                )
                self.session.add(candidate)
                self.loading.candidates.append(candidate)

    # relationships

    def _acceptable(self, relationships: list[Relationship]) -> list[Relationship]:
        """The relationships whose interests are valid, alone and with the stored stakes."""
        valid = []
        for relationship in relationships:
            reason = self._problem(relationship)
            if reason is None:
                valid.append(relationship)
            else:
                self._reject(relationship, reason)
        over = self._oversubscribed(valid)
        for relationship in valid:
            if self.entity_ids[relationship.subject] in over and _has_stake(relationship):
                self._reject(relationship, over[self.entity_ids[relationship.subject]])
        return [
            relationship
            for relationship in valid
            if not (self.entity_ids[relationship.subject] in over and _has_stake(relationship))
        ]

    def _problem(self, relationship: Relationship) -> str | None:
        if relationship.subject == relationship.interested_party:
            return "an entity cannot hold an interest in itself"
        problems = [
            problem
            for problem in validate_interests(relationship.interests)
            if problem.code is not ProblemCode.OWNERS_OVER_100
        ]
        return problems[0].message if problems else None

    def _oversubscribed(self, relationships: list[Relationship]) -> dict[int, str]:
        """Held entities whose owners would hold more than 100 %, with the reason."""
        incoming = [
            self._keyed_by_id(relationship, interest)
            for relationship in relationships
            for interest in relationship.interests
        ]
        owned = {int(interest.owned) for interest in incoming}
        stored = self._stored_stakes(owned, exclude_records=set(self.document.relationships))
        combined = [*stored, *incoming]
        over = {
            int(problem.subject)
            for problem in validate_interests(combined, on=self.loading.today)
            if problem.code is ProblemCode.OWNERS_OVER_100
        }
        return {
            entity_id: f"the declared owners of {self._name(entity_id)} would hold "
            f"{_declared_total(combined, str(entity_id), self.loading.today)} % in total, "
            "more than 100 %"
            for entity_id in over
        }

    def _keyed_by_id(self, relationship: Relationship, interest: Interest) -> Interest:
        return replace(
            interest,
            owner=str(self.entity_ids[relationship.interested_party]),
            owned=str(self.entity_ids[relationship.subject]),
        )

    def _stored_stakes(self, owned: set[int], exclude_records: set[str]) -> list[Interest]:
        found: list[Interest] = []
        for batch in batches(owned):
            rows = self.session.scalars(
                select(OwnershipInterest).where(
                    OwnershipInterest.owned_id.in_(batch),
                    OwnershipInterest.stake.is_not(None),
                    active_on(self.loading.today),
                )
            )
            found.extend(
                interest_of(row)
                for row in rows
                if row.record_id is None or row.record_id not in exclude_records
            )
        return found

    def _name(self, entity_id: int) -> str:
        entity = self.session.get(OwnershipEntity, entity_id)
        return entity.name if entity is not None else str(entity_id)

    def _reject(self, relationship: Relationship, reason: str) -> None:
        statement = self.document.published[relationship.record_id]
        self.loading.reject(
            str(statement.get("statementId")), self.document.positions[relationship.record_id], reason
        )

    def _relationship(self, relationship: Relationship) -> None:
        self.session.execute(
            delete(OwnershipInterest).where(OwnershipInterest.record_id == relationship.record_id)
        )
        owner_id = self.entity_ids[relationship.interested_party]
        owned_id = self.entity_ids[relationship.subject]
        for position, interest in enumerate(relationship.interests):
            self.session.add(
                _interest_row(
                    interest,
                    owner_id,
                    owned_id,
                    record_id=relationship.record_id,
                    position=position,
                    now=self.loading.now,
                )
            )
        self._keep_statement(relationship.record_id, None)
        self.loading.count("relationships")
        self.loading.count("interests", len(relationship.interests))
        self.loading.touched.add(owned_id)

    def _close(self, closed: Iterable[str]) -> None:
        for record_id in closed:
            owned = set(
                self.session.scalars(
                    select(OwnershipInterest.owned_id).where(OwnershipInterest.record_id == record_id)
                )
            )
            if not owned:
                continue
            self.session.execute(delete(OwnershipInterest).where(OwnershipInterest.record_id == record_id))
            record = self.session.get(OwnershipRecord, record_id)
            if record is not None:
                self.session.delete(record)
            self.loading.touched |= owned
            self.loading.closed.append(record_id)


def _declared_total(interests: Iterable[Interest], owned: str, today: date) -> Decimal:
    return sum(
        (
            interest.share.lower or Decimal(0)
            for interest in interests
            if interest.owned == owned
            and interest.counts_as_stake
            and interest.share
            and interest.is_active(today)
        ),
        Decimal(0),
    )


def _has_stake(relationship: Relationship) -> bool:
    return any(interest.counts_as_stake for interest in relationship.interests)


def _interest_row(
    interest: Interest, owner_id: int, owned_id: int, *, record_id: str | None, position: int, now: datetime
) -> OwnershipInterest:
    return OwnershipInterest(
        owner_id=owner_id,
        owned_id=owned_id,
        interest_type=interest.interest_type.value if interest.interest_type else None,
        directness=interest.directness.value,
        share=share_json(interest.share),
        voting=share_json(interest.voting),
        stake=stake_of(interest),
        appoints_board=interest.appoints_board,
        beneficial=interest.beneficial,
        details=interest.details,
        start_date=interest.start_date,
        end_date=interest.end_date,
        source=interest.source,
        record_id=record_id,
        position=position,
        created_at=now,
    )


# -- CSV ---------------------------------------------------------------------------------------

CSV_REQUIRED = ("owned", "owner", "share")
CSV_OPTIONAL = ("owner_name", "owner_kind", "owner_country", "date", "source")


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a register extract with their line numbers; BadInput if a column is missing."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = set(CSV_REQUIRED) - set(reader.fieldnames or [])
        if missing:
            raise BadInput(
                Text(
                    N_("%(path)s: missing column(s) %(missing)s; expected %(value)s"),
                    {
                        "path": path,
                        "missing": ", ".join(sorted(missing)),
                        "value": ", ".join(CSV_REQUIRED + CSV_OPTIONAL),
                    },
                )
            )
        for row in reader:
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


class CsvLoader:
    """Each row sets one holder's direct stake in one company, like an ownership event."""

    def __init__(self, loading: Loading, recorded_by: str) -> None:
        self.loading, self.recorded_by = loading, recorded_by
        self.session = loading.session

    def row(self, line: int, row: Mapping[str, str]) -> None:
        """Import one row, or report why it cannot be imported."""
        try:
            with self.session.begin_nested():
                self._apply(row)
        except (BadInput, NotFound) as error:
            self.loading.reject(None, line, error.message)

    def _apply(self, row: Mapping[str, str]) -> None:
        share = parse_percent(row["share"])
        effective = self._date(row.get("date", ""))
        owned = entities.entity_for_write(self.loading.uow, row["owned"], self.loading.now)
        owner, created = self._owner(row)
        set_stake(
            self.session,
            owner,
            owned,
            share,
            effective=effective,
            today=self.loading.today,
            source=row.get("source") or f"CSV import {self.loading.batch.id}",
            now=self.loading.now,
            recorded_by=self.recorded_by,
        )
        self.loading.count("interests")
        self.loading.count("entities", int(created))
        self.loading.touched.add(owned.id)

    def _date(self, text: str) -> date:
        if not text:
            return self.loading.today
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadInput(Text(N_("date %(text)s is not YYYY-MM-DD"), {"text": repr(text)})) from None
        if day > self.loading.today:
            raise BadInput(
                Text(
                    N_("date %(text)s is in the future: record an event once it has happened"), {"text": text}
                )
            )
        return day

    def _owner(self, row: Mapping[str, str]) -> tuple[OwnershipEntity, bool]:
        """The owner, and whether this row created it."""
        reference = row["owner"]
        try:
            return entities.entity_for_write(self.loading.uow, reference, self.loading.now), False
        except NotFound:
            if not row.get("owner_name") or not row.get("owner_kind"):
                raise BadInput(
                    Text(
                        N_("owner %(reference)s is unknown: give owner_name and owner_kind to add it"),
                        {"reference": repr(reference)},
                    )
                ) from None
        return self._new_owner(row), True

    def _new_owner(self, row: Mapping[str, str]) -> OwnershipEntity:
        kind = _kind(row["owner_kind"])
        country = (row.get("owner_country") or "").upper() or None
        entity = OwnershipEntity(
            key=entities.new_key(),
            kind=kind.value,
            name=row["owner_name"],
            normalized_name=normalize_company_name(row["owner_name"]),
            country=country,
            created_at=self.loading.now,
        )
        self.session.add(entity)
        self.session.flush()
        identifier = _identifier_in(row["owner"])
        if identifier is not None:
            entities.add_identifiers(self.session, entity, [identifier])
        return entity


def _kind(text: str) -> EntityKind:
    try:
        return EntityKind(text.strip())
    except ValueError:
        raise BadInput(
            Text(
                N_("owner_kind %(text)s is not one of: %(entitykind)s"),
                {"text": repr(text), "entitykind": ", ".join(EntityKind)},
            )
        ) from None


def _identifier_in(reference: str) -> str | None:
    """The `SCHEME-ID` a reference is (a bare corporate number becomes `JP-JCN-...`)."""
    number = entities.corporate_number_in(reference)
    if number is not None:
        return format_identifier("JP-JCN", number)
    try:
        parse_identifier(reference)
    except ValueError:
        return None
    return reference.strip()
