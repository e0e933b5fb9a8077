"""Company registry use cases: register, import, read (need-to-know for company-bound users)."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.clock import as_utc
from shokei.companies.domain import (
    Access,
    CompanyConditionChanged,
    CorporateNumber,
    ForeignId,
    Industry,
    SuspensionCause,
    classify_sme,
)
from shokei.companies.geography import REGION_OF_PREFECTURE
from shokei.companies.models import Company, CompanyCertification
from shokei.companies.registry import (
    numbered_records,
    prefectures_in_use,
    record_by_number,
    record_of,
    records_by_id,
    screen_registry,
)
from shokei.companies.schemas import (
    CertificationView,
    CompanyInput,
    CompanyUpdate,
    CompanyView,
    SuspensionView,
)
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text, from_stored
from shokei.kernel import Actor, AuditEvent, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork

# The use cases, and the registry reads (`registry`) other features' use cases make.
__all__ = [
    "access_state",
    "certification_view",
    "certifications_in_force",
    "company_id_for",
    "count_companies",
    "get_company",
    "import_companies",
    "list_companies",
    "numbered_records",
    "parse_prefecture",
    "prefectures_in_use",
    "record_by_number",
    "record_of",
    "records_by_id",
    "register_company",
    "screen_registry",
    "suspension_view",
    "update_company",
    "view",
    "views",
    "views_by_id",
    "views_by_number",
]


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


def view(company: Company, certification: CompanyCertification | None = None) -> CompanyView:
    """The company as users see it; `certification`: the one in force (`certifications_in_force`)."""
    status = classify_sme(Industry(company.industry), company.capital_yen, company.employees)
    foreign = f"{company.foreign_country}-{company.foreign_registry_id}" if company.foreign_country else None
    return CompanyView(
        id=company.id,
        corporate_number=company.corporate_number,
        foreign_id=foreign,
        name=company.name,
        name_en=company.name_en,
        country=company.country,
        industry=company.industry,
        capital_yen=company.capital_yen,
        employees=company.employees,
        sme=status.sme,
        small_scale=status.small_scale,
        sme_reason=status.reason,
        security_compliant_until=company.security_compliant_until,
        capabilities=list(company.capabilities or []),
        capacity=company.capacity,
        financial_distress=company.financial_distress,
        foreign_share_percent=company.foreign_share_percent,
        foreign_share_country=company.foreign_share_country,
        prefecture=company.prefecture,
        access=access_state(company),
        suspension=suspension_view(company),
        certification=certification_view(certification) if certification is not None else None,
    )


def access_state(company: Company) -> Access:
    """Suspended while a suspension is on record (`suspended_since`), else active."""
    return Access.SUSPENDED if company.suspended_since is not None else Access.ACTIVE


def suspension_view(company: Company) -> SuspensionView | None:
    if company.suspended_since is None:
        return None
    return SuspensionView(
        reason=from_stored(company.suspension_reason or "").render(),
        reason_text=from_stored(company.suspension_reason or ""),
        cause=company.suspension_cause or SuspensionCause.MANUAL,
        since=as_utc(company.suspended_since),  # SQLite gives it back without its zone
    )


def certification_view(row: CompanyCertification) -> CertificationView:
    return CertificationView(custodian=row.custodian, until=row.valid_until, scope=list(row.scope or []))


def certifications_in_force(session: Session, company_ids: Iterable[int]) -> dict[int, CompanyCertification]:
    """Each company's certification not ended (revoked, expired or superseded), by company id."""
    wanted = sorted(set(company_ids))
    found: dict[int, CompanyCertification] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(CompanyCertification).where(
                CompanyCertification.company_id.in_(wanted[start : start + 500]),
                CompanyCertification.ended_at.is_(None),
            )
        ).scalars()
        found.update({row.company_id: row for row in rows})
    return found


def views(session: Session, companies: Iterable[Company]) -> list[CompanyView]:
    """`view` of each company, their certifications read at once."""
    rows = list(companies)
    certified = certifications_in_force(session, [row.id for row in rows])
    return [view(row, certified.get(row.id)) for row in rows]


def parse_prefecture(text: str) -> str:
    """A prefecture written in full (愛知県, 東京都, 北海道; full-width or half-width alike)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value not in REGION_OF_PREFECTURE:
        raise BadInput(
            Text(
                N_("prefecture %(text)s is not one of the 47 prefectures written in full (e.g. 愛知県)"),
                {"text": repr(text)},
            )
        )
    return value


def _parse_industry(value: str) -> Industry:
    try:
        return Industry(value)
    except ValueError:
        choices = ", ".join(i.value for i in Industry)
        raise BadInput(
            Text(
                N_("industry %(value)s is not one of: %(choices)s"),
                {"value": repr(value), "choices": choices},
            )
        ) from None


def _new_company(data: CompanyInput, now: datetime) -> Company:
    industry = _parse_industry(data.industry)
    if data.corporate_number:
        number: str | None = CorporateNumber.parse(data.corporate_number).value
        foreign = None
    elif data.foreign_country or data.foreign_registry_id:
        number = None
        foreign = ForeignId.parse(data.foreign_country or "", data.foreign_registry_id or "")
    else:
        raise BadInput(Text(N_("a company needs a corporate number or a foreign country + registry id")))
    return Company(
        corporate_number=number,
        foreign_country=foreign.country if foreign else None,
        foreign_registry_id=foreign.registry_id if foreign else None,
        name=data.name.strip(),
        name_en=data.name_en,
        country=foreign.country if foreign else "JP",
        industry=industry.value,
        capital_yen=data.capital_yen,
        employees=data.employees,
        security_compliant_until=data.security_compliant_until,
        capabilities=sorted(set(data.capabilities)),
        prefecture=parse_prefecture(data.prefecture) if data.prefecture else None,
        created_at=now,
    )


def _add(session: Session, uow: UnitOfWork, actor: Actor, data: CompanyInput) -> Company:
    company = _new_company(data, uow.clock.now())
    if company.corporate_number and _row_by_number(session, company.corporate_number):
        raise Conflict(
            Text(
                N_("company %(corporate_number)s is already registered"),
                {"corporate_number": company.corporate_number},
            )
        )
    session.add(company)
    session.flush()
    uow.record_many(
        [
            AuditEvent(
                action="company:registry:create",
                subject_type="company",
                subject_id=str(company.id),
                at=uow.clock.now(),
                actor=actor,
                after=view(company).model_dump(mode="json"),
            )
        ]
    )
    return company


def register_company(uow: UnitOfWork, actor: Actor, data: CompanyInput) -> CompanyView:
    """Add one company to the registry. Intake officers, program managers and admins."""
    _require(actor, Permission.COMPANY_WRITE)
    try:
        with uow.transaction() as session:
            return view(_add(session, uow, actor, data))
    except IntegrityError as error:
        raise Conflict(Text(N_("company already registered: %(orig)s"), {"orig": error.orig})) from None


CSV_COLUMNS = ("corporate_number", "name", "name_en", "industry", "capital_yen", "employees")


def _csv_rows(path: Path) -> Iterable[tuple[int, CompanyInput]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"corporate_number", "name"} - set(reader.fieldnames or [])
        if missing:
            raise BadInput(
                Text(
                    N_("%(path)s: missing column(s) %(missing)s"),
                    {"path": path, "missing": ", ".join(sorted(missing))},
                )
            )
        for line_number, row in enumerate(reader, start=2):
            cleaned = {k: (v.strip() or None) for k, v in row.items() if k and v is not None}
            try:
                yield line_number, CompanyInput.model_validate(cleaned)
            except ValidationError as error:
                raise BadInput(
                    Text(
                        "%(path)s:%(line_number)s: %(errors)s",
                        {"path": path, "line_number": line_number, "errors": error.errors()[0]["msg"]},
                    )
                ) from None


def import_companies(uow: UnitOfWork, actor: Actor, path: Path) -> list[CompanyView]:
    """Import a registry extract (CSV, columns CSV_COLUMNS). All rows or none."""
    _require(actor, Permission.COMPANY_WRITE)
    rows = list(_csv_rows(path))
    with uow.transaction() as session:
        created = []
        for line_number, data in rows:
            try:
                created.append(view(_add(session, uow, actor, data)))
            except BadInput as error:
                raise BadInput(
                    Text(
                        "%(path)s:%(line_number)s: %(message)s",
                        {"path": path, "line_number": line_number, "message": error.text or error.message},
                    )
                ) from None
        return created


def _row_by_number(session: Session, corporate_number: str) -> Company | None:
    """The registry row (for this feature's own use cases; others read `record_by_number`)."""
    return session.execute(
        select(Company).where(Company.corporate_number == corporate_number)
    ).scalar_one_or_none()


def _id_for(session: Session, identifier: str) -> int:
    company = _row_by_number(session, CorporateNumber.parse(identifier).value)
    if company is None:
        raise NotFound(
            Text(N_("no company with corporate number %(identifier)s"), {"identifier": identifier})
        )
    return company.id


def company_id_for(uow: UnitOfWork, identifier: str) -> int:
    """Resolve a corporate number (any accepted spelling) to the company's id (in the caller's
    transaction, or one of its own)."""
    with uow:
        return _id_for(uow.session, identifier)


def _visible(actor: Actor, company: Company) -> bool:
    return not actor.is_company_bound or actor.company_id == company.id


def get_company(uow: UnitOfWork, actor: Actor, identifier: str) -> CompanyView:
    """One company's profile; suppliers and successors see only their own company."""
    _require(actor, Permission.COMPANY_READ)
    with uow.transaction() as session:
        company = session.get(Company, _id_for(session, identifier))
        if company is None or not _visible(actor, company):
            raise NotFound(
                Text(N_("no company with corporate number %(identifier)s"), {"identifier": identifier})
            )
        return views(session, [company])[0]


def list_companies(
    uow: UnitOfWork, actor: Actor, *, search: str | None = None, limit: int = 500, offset: int = 0
) -> list[CompanyView]:
    """Companies in registry order, filtered to the actor's own company for bound roles."""
    _require(actor, Permission.COMPANY_READ)
    with uow.transaction() as session:
        query = select(Company).order_by(Company.id)
        if actor.is_company_bound:
            query = query.where(Company.id == actor.company_id)
        if search:
            query = query.where(Company.name.contains(search) | Company.corporate_number.contains(search))
        return views(session, session.execute(query.limit(limit).offset(offset)).scalars())


def views_by_id(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, CompanyView]:
    """The registered companies among `ids`, by id (in the caller's transaction, or one of its
    own)."""
    wanted = set(ids)
    if not wanted:
        return {}
    with uow:
        session = uow.session
        rows = session.execute(select(Company).where(Company.id.in_(wanted))).scalars()
        return {item.id: item for item in views(session, rows)}


def views_by_number(uow: UnitOfWork, corporate_numbers: Iterable[str]) -> dict[str, CompanyView]:
    """The registered companies among `corporate_numbers`, by number, in one query (in the
    caller's transaction, or one of its own)."""
    wanted = set(corporate_numbers)
    if not wanted:
        return {}
    with uow:
        session = uow.session
        rows = session.execute(select(Company).where(Company.corporate_number.in_(wanted))).scalars()
        return {item.corporate_number: item for item in views(session, rows) if item.corporate_number}


def count_companies(uow: UnitOfWork) -> int:
    """How many companies the registry holds."""
    with uow:
        return uow.session.execute(select(func.count(Company.id))).scalar_one()


def update_company(uow: UnitOfWork, actor: Actor, identifier: str, changes: CompanyUpdate) -> CompanyView:
    """Record the facts successor eligibility reads (officials with company write permission)."""
    _require(actor, Permission.COMPANY_WRITE)
    fields = changes.model_dump(exclude_unset=True)
    if not fields:
        raise BadInput(Text(N_("nothing to update: give at least one option")))
    if ("foreign_share_percent" in fields) != ("foreign_share_country" in fields):
        raise BadInput(Text(N_("--foreign-share and --foreign-country go together")))
    if "foreign_share_country" in fields and fields["foreign_share_country"] is not None:
        fields["foreign_share_country"] = fields["foreign_share_country"].upper()
    if "capabilities" in fields and fields["capabilities"] is not None:
        fields["capabilities"] = sorted({tag.strip() for tag in fields["capabilities"] if tag.strip()})
    if "prefecture" in fields:  # an empty text clears it
        given = fields["prefecture"]
        fields["prefecture"] = parse_prefecture(given) if given and given.strip() else None
    with uow.transaction() as session:
        company = session.get(Company, _id_for(session, identifier))
        assert company is not None  # _id_for found it
        before = {name: _jsonable(getattr(company, name)) for name in fields}
        for name, value in fields.items():
            setattr(company, name, value)
        after = {name: _jsonable(value) for name, value in fields.items()}
        uow.record_many(
            [
                AuditEvent(
                    "company:facts:update", "company", str(company.id), uow.clock.now(), actor, before, after
                )
            ]
        )
        session.flush()
        uow.publish(
            CompanyConditionChanged(
                company.id,
                SuspensionCause.CHANGED_CONDITION,
                Text(
                    N_("facts updated by %(user)s: %(fields)s"),
                    {"user": actor.username, "fields": ", ".join(f"'{name}'" for name in fields)},
                ),
            )
        )
        return views(session, [company])[0]


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
