"""A weapon system's whole supplier base: the supply map's suppliers by tier, sole sources and
survey coverage (supply_chain), with what only features above it know: SMEs (the registry),
foreign-influenced suppliers (ownership's foreign control) and suppliers on the watchlist.
It lives in risk because risk may use all three; supply_chain may not use ownership."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Forbidden, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk.domain import Recommendation
from shokei.risk.schemas import SupplierBaseView, SupplierView
from shokei.risk.services.support import load_policy
from shokei.risk.services.watchlist import scored
from shokei.supply_chain.survey import services as survey


def system_supplier_base(uow: UnitOfWork, actor: Actor, code: str) -> SupplierBaseView:
    """How many companies supply the system, by tier; how many are SMEs, sole sources, foreign
    (in the map by country and registry id), foreign-influenced (foreign control at or above the
    risk policy's lowest band, through ownership), on the watchlist (a recommendation beyond
    monitoring); and the latest survey's answered and unanswered respondents. Officials and
    auditors."""
    for permission in (Permission.SUPPLY_READ, Permission.OWNERSHIP_READ, Permission.RISK_READ):
        if not actor.can(permission):
            raise Forbidden(
                Text(
                    N_("%(role)s may not %(permission)s"),
                    {"role": role_name(actor.role), "permission": permission},
                )
            )
    base = survey.system_supply_base(uow, actor, code)
    by_number = companies.views_by_number(
        uow, (entry.corporate_number for entry in base.suppliers if entry.corporate_number)
    )
    views = {
        entry.supplier: by_number[entry.corporate_number]
        for entry in base.suppliers
        if entry.corporate_number in by_number
    }
    registry = list(views.values())
    influenced_from = min(level for level, _ in load_policy().foreign_control_bands)
    facts = {item.corporate_number: (item, assessment) for item, assessment in scored(uow, actor, registry)}
    suppliers = []
    for entry in base.suppliers:
        view = views.get(entry.supplier)
        known = facts.get(entry.supplier)
        foreign_control = known[0].foreign.control if known and known[0].foreign else 0.0
        suppliers.append(
            SupplierView(
                supplier=entry.supplier,
                name=view.name if view else None,
                foreign=entry.foreign,
                country=entry.country or ("JP" if entry.corporate_number else None),
                tier=entry.tier,
                sole_source=entry.sole_source,
                sme=bool(view and (view.sme or view.small_scale)),
                foreign_influenced=foreign_control >= influenced_from - 1e-9,
                on_watchlist=bool(known and known[1].recommendation is not Recommendation.MONITOR),
                risk_score=known[1].score if known else None,
            )
        )
    return SupplierBaseView(
        code=base.code,
        name=base.name,
        parts=base.parts,
        companies=base.companies,
        by_tier=base.by_tier,
        smes=sum(s.sme for s in suppliers),
        sole_sources=base.sole_sources,
        foreign=base.foreign,
        foreign_influenced=sum(s.foreign_influenced for s in suppliers),
        on_watchlist=sum(s.on_watchlist for s in suppliers),
        survey=base.survey.model_dump(),
        suppliers=suppliers,
    )


EXPORT_FORMATS = ("csv", "xlsx")
SUPPLIER_COLUMNS = (
    "supplier",
    "name",
    "country",
    "foreign",
    "tier",
    "sole_source",
    "sme",
    "foreign_influenced",
    "on_watchlist",
    "risk_score",
)


def export_supplier_base(uow: UnitOfWork, actor: Actor, code: str, file_format: str) -> bytes:
    """The supplier base as a file: CSV (one row per supplier, `SUPPLIER_COLUMNS`) or XLSX (a
    summary sheet with the counts, the suppliers, and survey coverage by tier). Who may read
    the supplier base (officials and auditors)."""
    if file_format not in EXPORT_FORMATS:
        raise BadInput(
            Text(N_("export as one of %(export_formats)s"), {"export_formats": ", ".join(EXPORT_FORMATS)})
        )
    view = system_supplier_base(uow, actor, code)
    rows = [[_cell(getattr(s, column)) for column in SUPPLIER_COLUMNS] for s in view.suppliers]
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(SUPPLIER_COLUMNS)
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")
    return _workbook(view, rows)


def _cell(value: object) -> object:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else value


def _workbook(view: SupplierBaseView, rows: list[list[object]]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "summary"
    summary.append(["field", "value"])
    for key in ("code", "name", "parts", "companies", "smes", "sole_sources", "foreign"):
        summary.append([key, getattr(view, key)])
    for key in ("foreign_influenced", "on_watchlist"):
        summary.append([key, getattr(view, key)])
    for tier, count in sorted(view.by_tier.items(), key=lambda item: int(item[0])):
        summary.append([f"tier_{tier}", count])
    for key in ("answered", "partial", "unanswered", "pending"):
        summary.append([f"survey_{key}", view.survey.get(key, 0)])
    suppliers = book.create_sheet("suppliers")
    suppliers.append(list(SUPPLIER_COLUMNS))
    for row in rows:
        suppliers.append(row)
    coverage = book.create_sheet("survey_by_tier")
    statuses = ("answered", "partial", "unanswered", "pending")
    coverage.append(["tier", *statuses])
    by_tier: dict[str, dict[str, int]] = view.survey.get("by_tier", {})
    for tier in sorted(by_tier, key=int):
        coverage.append([int(tier), *(by_tier[tier].get(status, 0) for status in statuses)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
