"""Reading the registry for the features built on companies (succession's eligibility, holders,
copies): rows as `CompanyRecord`s, never the table. Set-based for registry scale: one query per
batch of ids, the row tests of a `RegistryScreen` counted in the database. Each joins the
caller's transaction (or opens one); the caller's use case decides who may know."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Row, case, cast, func, or_, select
from sqlalchemy import Text as SqlText

from shokei.companies.domain import (
    CompanyRecord,
    RegistryScreen,
    RowTest,
    ScreenedRegistry,
    ScreenedRow,
)
from shokei.companies.geography import REGION_OF_PREFECTURE
from shokei.companies.models import Company
from shokei.errors import N_, NotFound, Text
from shokei.kernel.unit_of_work import UnitOfWork

BATCH = 500
JAPAN = "JP"

_COLUMNS = (
    Company.id,
    Company.corporate_number,
    Company.name,
    Company.country,
    Company.financial_distress,
    Company.security_compliant_until,
    Company.capabilities,
    Company.capacity,
    Company.foreign_share_percent,
    Company.prefecture,
    Company.suspended_since,
    Company.suspension_cause,
    Company.suspension_reason,
)


def _tags(value: object) -> frozenset[str]:
    return frozenset(str(tag) for tag in value) if isinstance(value, list) else frozenset()


def _record(row: Row[Any]) -> CompanyRecord:
    return CompanyRecord(
        id=row.id,
        corporate_number=row.corporate_number,
        name=row.name,
        country=row.country,
        financial_distress=row.financial_distress,
        security_compliant_until=row.security_compliant_until,
        capabilities=_tags(row.capabilities),
        capacity=row.capacity,
        foreign_share_percent=row.foreign_share_percent,
        prefecture=row.prefecture,
        suspended_since=row.suspended_since,
        suspension_cause=row.suspension_cause,
        suspension_reason=row.suspension_reason,
    )


def records_by_id(uow: UnitOfWork, company_ids: Iterable[int]) -> dict[int, CompanyRecord]:
    """The companies by id (those that exist), in id order."""
    wanted = sorted(set(company_ids))
    found: dict[int, CompanyRecord] = {}
    with uow:
        for start in range(0, len(wanted), BATCH):
            query = (
                select(*_COLUMNS).where(Company.id.in_(wanted[start : start + BATCH])).order_by(Company.id)
            )
            found.update({row.id: _record(row) for row in uow.session.execute(query)})
    return found


def record_of(uow: UnitOfWork, company_id: int) -> CompanyRecord:
    """The company, or NotFound."""
    found = records_by_id(uow, [company_id]).get(company_id)
    if found is None:
        raise NotFound(Text(N_("no company %(company)s"), {"company": company_id}))
    return found


def record_by_number(uow: UnitOfWork, corporate_number: str) -> CompanyRecord | None:
    with uow:
        row = uow.session.execute(
            select(*_COLUMNS).where(Company.corporate_number == corporate_number)
        ).first()
        return _record(row) if row is not None else None


def numbered_records(uow: UnitOfWork) -> list[CompanyRecord]:
    """Every registry company with a corporate number, by id (one pass, for ranking many cases)."""
    with uow:
        query = select(*_COLUMNS).where(Company.corporate_number.is_not(None)).order_by(Company.id)
        return [_record(row) for row in uow.session.execute(query)]


def prefectures_in_use(uow: UnitOfWork) -> list[str]:
    """The prefectures registered companies work in, in the customary north-to-south order."""
    with uow:
        named = set(uow.session.execute(select(Company.prefecture).distinct()).scalars())
    order = list(REGION_OF_PREFECTURE)
    return sorted((p for p in named if p), key=lambda p: (order.index(p) if p in order else len(order), p))


def _first_failed(screen: RegistryScreen) -> ColumnElement[Any]:
    """The first row test a company fails (None: it passes them all), as SQL."""
    return case(
        (or_(Company.country.is_(None), func.upper(Company.country) != JAPAN), RowTest.FOREIGN.value),
        (
            or_(Company.financial_distress.is_(None), Company.financial_distress.is_(True)),
            RowTest.DISTRESSED.value,
        ),
        (
            or_(
                Company.security_compliant_until.is_(None),
                Company.security_compliant_until < screen.compliant_on,
            ),
            RowTest.NOT_COMPLIANT.value,
        ),
        (Company.corporate_number == screen.excluded_number, RowTest.EXCLUDED.value),
        else_=None,
    )


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(screen: RegistryScreen) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Company.corporate_number.is_not(None)]
    if screen.name:
        conditions.append(Company.name.ilike(f"%{_escaped(screen.name)}%", escape="\\"))
    if screen.prefecture:
        conditions.append(Company.prefecture == screen.prefecture)
    if screen.capability_text:
        # The stored JSON list holds the tag as a quoted string: a loose match, read exactly after.
        tag = json.dumps(screen.capability_text)
        conditions.append(cast(Company.capabilities, SqlText).like(f"%{_escaped(tag)}%", escape="\\"))
    return conditions


def screen_registry(uow: UnitOfWork, screen: RegistryScreen) -> ScreenedRegistry:
    """The row tests counted in the database for every matching company, and the light rows of
    those passing them (three queries, whatever the size of the registry)."""
    conditions, first_failed = _matching(screen), _first_failed(screen)
    failed: dict[RowTest, int] = {}
    with uow:
        session = uow.session
        counted = select(first_failed, func.count()).where(*conditions).group_by(first_failed)
        for test, count in session.execute(counted):
            if test is not None:
                failed[RowTest(test)] = count
        left = select(Company.id, Company.capabilities, Company.capacity).where(
            *conditions, first_failed.is_(None)
        )
        passing = [
            ScreenedRow(company_id, _tags(capabilities), capacity)
            for company_id, capabilities, capacity in session.execute(left.order_by(Company.id))
        ]
        failing_ids: list[int] = []
        if screen.failing_wanted > 0:
            first = select(Company.id).where(*conditions, first_failed.is_not(None)).order_by(Company.id)
            failing_ids = list(session.execute(first.limit(screen.failing_wanted)).scalars())
    return ScreenedRegistry(failed=failed, passing=passing, failing_ids=failing_ids)
