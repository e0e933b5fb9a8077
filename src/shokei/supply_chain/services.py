"""Supply-chain use cases: import and export the map, exit impact, single points of failure, and
the exit-impact evidence port other features call.

Imports: authorise, parse, upsert, refuse cycles, bump the revision and write one ledger entry,
all in one transaction (all or nothing). Queries answer from the process's cached graph
(`supply_chain.cache`), which follows the database's revision, and name what they return from
the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor, AuditEvent, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import store
from shokei.supply_chain.batch import RecordKind, SupplyBatch
from shokei.supply_chain.cache import LoadedMap, cache_for
from shokei.supply_chain.domain import BomCycleError, ImpactReport, SpofEntry
from shokei.supply_chain.engine import check_acyclic
from shokei.supply_chain.io import FileFormat, SupplyFile, export_path, read_batch, write_records
from shokei.supply_chain.loader import load_bom
from shokei.supply_chain.models import BomLine, SupplyRelation, SystemComponent, WeaponSystem
from shokei.supply_chain.schemas import (
    CompanyImpact,
    ComponentRef,
    ExitImpactEvidence,
    ExportReport,
    ImpactView,
    ImportCounts,
    ImportReport,
    SpofEntryView,
    SystemImpactView,
)

MAX_IMPACT_COMPANIES = 1_000
MAX_SPOF_TOP = 10_000


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


# -- import and export -----------------------------------------------------------------------


def admit_import(actor: Actor) -> None:
    """Before an upload of supply files is received: whether `actor` may import them."""
    _require(actor, Permission.SUPPLY_IMPORT)


def import_supply_files(uow: UnitOfWork, actor: Actor, files: Sequence[SupplyFile]) -> ImportReport:
    """Upsert systems, components, BOM lines and supply relations from CSV or Parquet files.

    Decides: every value is valid, no record is given twice, every part number and system code
    named is stored or imported, and the BOM stays acyclic; otherwise nothing is imported.
    Intake officers, program managers and admins. One ledger entry with the files' digests and
    the counts.
    """
    _require(actor, Permission.SUPPLY_IMPORT)
    if not files:
        raise BadInput(Text(N_("name at least one file to import")))
    sources = [{"file": file.name, "sha256": file.sha256()} for file in files]
    return _import(uow, actor, read_batch(files), sources)


def import_supply_batch(
    uow: UnitOfWork, actor: Actor, batch: SupplyBatch, *, source: dict[str, Any]
) -> ImportReport:
    """Upsert an already-built batch (a generated base, the demo map) by the same rules and bulk
    path as a file import. Intake officers, program managers and admins."""
    _require(actor, Permission.SUPPLY_IMPORT)
    batch.check()
    return _import(uow, actor, batch, [source])


def import_answer_batch(
    uow: UnitOfWork, actor: Actor, batch: SupplyBatch, *, source: dict[str, Any]
) -> ImportReport:
    """Apply an accepted survey answer by the same rules and bulk path as a file import, with
    one ledger entry naming the answer as its source. The survey's `answer` use case authorises
    it (a respondent's user answering its own task), so no import permission is asked here."""
    batch.check()
    return _import(uow, actor, batch, [source])


def _import(uow: UnitOfWork, actor: Actor, batch: SupplyBatch, sources: list[dict[str, Any]]) -> ImportReport:
    try:
        return _apply(uow, actor, batch, sources)
    except IntegrityError:
        # Imports queue on the state row; only the very first two can race to create it.
        raise Conflict(
            Text(N_("another import changed the supply map at the same time; run this one again"))
        ) from None


def _apply(uow: UnitOfWork, actor: Actor, batch: SupplyBatch, sources: list[dict[str, Any]]) -> ImportReport:
    with uow.transaction() as session:
        state = store.lock_state(session)
        outcome = store.write_batch(session, batch)
        if outcome.bom_grew:
            _refuse_cycles(session)
        report = _import_report(store.advance(session, state, outcome), outcome, sources)
        uow.record_many([_import_event(uow, actor, report, sources)])
        return report


def _import_report(revision: int, outcome: store.WriteOutcome, sources: list[dict[str, Any]]) -> ImportReport:
    return ImportReport(
        revision=revision,
        sources=[str(source.get("file") or source.get("generator")) for source in sources],
        structural=outcome.structural,
        **{kind.value: ImportCounts(**vars(outcome.counts[kind])) for kind in RecordKind},
    )


def _import_event(
    uow: UnitOfWork, actor: Actor, report: ImportReport, sources: list[dict[str, Any]]
) -> AuditEvent:
    """One ledger entry per import: what came in (digests) and what it changed (counts)."""
    counts = report.model_dump(include={kind.value for kind in RecordKind})
    details = {"sources": sources, "counts": counts, "structural": report.structural}
    return AuditEvent(
        "supply_chain:map:import", "supply_map", str(report.revision), uow.clock.now(), actor, details=details
    )


def _refuse_cycles(session: Session) -> None:
    component_ids, parents, children = load_bom(session.connection())
    try:
        check_acyclic(parents, children, int(component_ids.size))
    except BomCycleError as error:
        named = store.components_by_id(session, component_ids[error.cycle].tolist())
        path = [named[int(component_ids[node])][0] for node in [*error.cycle, error.cycle[0]]]
        raise BadInput(
            Text(
                N_(
                    "the bill of materials would contain a cycle: %(path)s (a component "
                    "cannot contain itself); nothing was imported"
                ),
                {"path": " → ".join(path)},
            )
        ) from None


def export_supply_map(
    uow: UnitOfWork, actor: Actor, directory: Path, file_format: FileFormat = FileFormat.CSV
) -> ExportReport:
    """Write the whole map as one file per record kind, in the import format (re-importable).

    Officials and auditors. Bulk extraction of the national map is recorded in the ledger; the
    files are removed again if that record cannot be written.
    """
    _require(actor, Permission.SUPPLY_READ)
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    try:
        with uow.transaction() as session:
            _consistent_reads(session)
            for kind in RecordKind:
                path = export_path(directory, kind, file_format)
                written[path.name] = write_records(path, kind, file_format, store.export_rows(session, kind))
            state = store.read_state(session)
            uow.record_many(
                [
                    AuditEvent(
                        "supply_chain:map:export",
                        "supply_map",
                        str(state.revision if state else 0),
                        uow.clock.now(),
                        actor,
                        details={"directory": str(directory), "format": file_format.value, "rows": written},
                    )
                ]
            )
    except BaseException:
        for name in written:
            (directory / name).unlink(missing_ok=True)
        raise
    return ExportReport(directory=str(directory), format=file_format.value, files=written)


def _consistent_reads(session: Session) -> None:
    """Every file of one export from one snapshot, though imports may commit meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# -- analysis --------------------------------------------------------------------------------


@contextmanager
def _graph(uow: UnitOfWork) -> Iterator[LoadedMap]:
    with cache_for(uow.engine).current(uow.engine) as loaded:
        yield loaded


def _parse_numbers(corporate_numbers: Sequence[str]) -> list[str]:
    numbers = list(dict.fromkeys(CorporateNumber.parse(raw).value for raw in corporate_numbers))
    if not numbers:
        raise BadInput(Text(N_("name at least one company by corporate number")))
    if len(numbers) > MAX_IMPACT_COMPANIES:
        raise BadInput(
            Text(
                N_("at most %(max_impact_companies)s companies exit together in one question"),
                {"max_impact_companies": MAX_IMPACT_COMPANIES},
            )
        )
    return numbers


def exit_impact(
    uow: UnitOfWork, actor: Actor, corporate_numbers: Sequence[str], *, limit: int = 100
) -> ImpactView:
    """What is lost if these companies exit together: components that lose every qualified
    source, everything above them in the BOM, the weapon systems hit (depth, lost components)
    and the criticality score. Officials and auditors. A number that is neither registered nor
    in the map is refused as unknown (a typo must not read as "no impact")."""
    _require(actor, Permission.SUPPLY_READ)
    if limit < 0:
        raise BadInput(Text(N_("limit must not be negative")))
    numbers = _parse_numbers(corporate_numbers)
    with _graph(uow) as loaded:
        dense = {number: loaded.company(number) for number in numbers}
        report = loaded.graph.impact([company for company in dense.values() if company is not None])
        qualified = {number: _qualified_count(loaded, company) for number, company in dense.items()}
        named = _NamedReport(loaded, report)
    with uow.transaction() as session:
        return ImpactView(
            companies=[_company_impact(uow, number, qualified[number]) for number in numbers],
            lost_components=len(report.lost_components),
            criticality=report.criticality.score,
            systems_hit=report.criticality.systems_hit,
            system_component_losses=report.criticality.system_component_losses,
            deepest_origin_level=report.criticality.deepest_origin_level,
            systems=named.systems(session),
            components=named.part_numbers(session, named.lost, limit),
            single_source_components=named.part_numbers(session, named.origins, limit),
            limit=limit,
        )


def _qualified_count(loaded: LoadedMap, company: int | None) -> int:
    return 0 if company is None else int(loaded.graph.components_supplied_by(company).size)


def _company_impact(uow: UnitOfWork, number: str, qualified_components: int) -> CompanyImpact:
    registered = companies.record_by_number(uow, number)
    if registered is None and not store.supplies_anything(uow.session, number):
        raise NotFound(
            Text(
                N_("no company with corporate number %(number)s in the registry or the supply map"),
                {"number": number},
            )
        )
    return CompanyImpact(
        corporate_number=number,
        name=registered.name if registered else None,
        registered=registered is not None,
        qualified_components=qualified_components,
    )


class _NamedReport:
    """An impact report's dense ids translated to database ids, ready to be named."""

    def __init__(self, loaded: LoadedMap, report: ImpactReport) -> None:
        self.report = report
        ids = loaded.component_ids([loss.component for loss in report.lost_components])
        self.component_of = dict(zip((loss.component for loss in report.lost_components), ids, strict=True))
        self.system_of = dict(
            zip(report.hit_system_ids, loaded.system_ids(list(report.hit_system_ids)), strict=True)
        )
        self.lost = sorted(ids)
        self.origins = sorted(
            self.component_of[loss.component] for loss in report.lost_components if loss.originated_here
        )

    def part_numbers(self, session: Session, component_ids: list[int], limit: int) -> list[str]:
        """The first `limit` part numbers in ascending order (all are named to sort them)."""
        named = store.components_by_id(session, component_ids)
        return sorted(named[ident][0] for ident in component_ids)[:limit]

    def components(self, session: Session, component_ids: list[int]) -> list[ComponentRef]:
        named = store.components_by_id(session, component_ids)
        refs = [ComponentRef(part_number=named[i][0], name=named[i][1]) for i in component_ids]
        return sorted(refs, key=lambda ref: ref.part_number)

    def systems(self, session: Session) -> list[SystemImpactView]:
        systems = store.systems_by_id(session, self.system_of.values())
        top_ids = [self.component_of[top] for s in self.report.systems for top in s.lost_top_components]
        tops = store.components_by_id(session, top_ids)
        views = [
            SystemImpactView(
                id=systems[self.system_of[s.system]][0],
                name=systems[self.system_of[s.system]][1],
                lost_components=s.lost_components,
                depth=s.depth,
                lost_top_components=sorted(tops[self.component_of[t]][0] for t in s.lost_top_components),
            )
            for s in self.report.systems
        ]
        return sorted(views, key=lambda view: (-view.lost_components, view.id))


def single_points_of_failure(uow: UnitOfWork, actor: Actor, *, top: int = 20) -> list[SpofEntryView]:
    """The `top` companies whose exit alone does the most damage to weapon systems, by
    criticality score (ties by corporate number). Officials and auditors."""
    _require(actor, Permission.SUPPLY_READ)
    if not 1 <= top <= MAX_SPOF_TOP:
        raise BadInput(Text(N_("top must be between 1 and %(max_spof_top)s"), {"max_spof_top": MAX_SPOF_TOP}))
    with _graph(uow) as loaded:
        entries = [(loaded.corporate_number(entry.company), entry) for entry in loaded.ranking(top)]
    # The engine breaks ties by dense id, which is corporate-number order except for companies
    # added since the graph was loaded: sort again so the order never depends on cache history.
    entries.sort(key=lambda pair: (-pair[1].score, pair[0]))
    with uow:
        return [_spof_view(uow, rank, number, entry) for rank, (number, entry) in enumerate(entries, 1)]


def _spof_view(uow: UnitOfWork, rank: int, number: str, entry: SpofEntry) -> SpofEntryView:
    registered = companies.record_by_number(uow, number)
    return SpofEntryView(
        rank=rank,
        corporate_number=number,
        name=registered.name if registered else None,
        criticality=entry.score,
        sole_sourced_components=entry.sole_sourced_components,
        systems_hit=entry.criticality.systems_hit,
        components_lost=entry.criticality.components_lost,
        system_component_losses=entry.criticality.system_component_losses,
        deepest_origin_level=entry.criticality.deepest_origin_level,
    )


# -- ports for other features ----------------------------------------------------------------


def exit_impact_evidence(uow: UnitOfWork, actor: Actor, company_id: int) -> ExitImpactEvidence:
    """Evidence for examining a withdrawing company's documents: the weapon systems its exit
    hits (with depth and lost components) and the components it is the only qualified source
    of. Officials and auditors; for the examination and succession features."""
    _require(actor, Permission.SUPPLY_READ)
    company = companies.views_by_id(uow, [company_id]).get(company_id)
    if company is None:
        raise NotFound(Text(N_("no company %(company_id)s"), {"company_id": company_id}))
    number = company.corporate_number
    with _graph(uow) as loaded:
        dense = loaded.company(number) if number else None
        report = loaded.graph.impact([dense] if dense is not None else [])
        named = _NamedReport(loaded, report)
    with uow.transaction() as session:
        return ExitImpactEvidence(
            company_id=company_id,
            corporate_number=number,
            criticality=report.criticality.score,
            systems=named.systems(session),
            single_source_components=named.components(session, named.origins),
            lost_components=len(report.lost_components),
        )


# -- for other features (inside their transaction) ------------------------------------------
#
# A company supplies a weapon system when one of the components it is a **qualified** supplier
# of lies in that system's bill of materials: the component itself is a top-level component of
# the system, or an assembly above it is (walked up `bom_lines`). One recursive query answers for
# a batch of companies, so ranking ~200 successor candidates costs one round trip per 500.

_SUPPLIED_BATCH = 500


def systems_supplied(uow: UnitOfWork, corporate_numbers: Iterable[str]) -> dict[str, frozenset[str]]:
    """Weapon system codes each company supplies into (companies supplying none are absent)."""
    with uow:
        session = uow.session
        numbers = sorted({number for number in corporate_numbers if number})
        found: dict[str, set[str]] = {}
        for start in range(0, len(numbers), _SUPPLIED_BATCH):
            batch = numbers[start : start + _SUPPLIED_BATCH]
            supplied = (
                select(
                    SupplyRelation.corporate_number.label("number"),
                    SupplyRelation.component_id.label("component"),
                )
                .where(SupplyRelation.corporate_number.in_(batch), SupplyRelation.qualified.is_(True))
                .cte("supplied_up", recursive=True)
            )
            above = select(supplied.c.number, BomLine.parent_id).join(
                BomLine, BomLine.child_id == supplied.c.component
            )
            walk = supplied.union(above)
            rows = session.execute(
                select(walk.c.number, WeaponSystem.code)
                .join(SystemComponent, SystemComponent.component_id == walk.c.component)
                .join(WeaponSystem, WeaponSystem.id == SystemComponent.system_id)
                .distinct()
            ).all()
            for number, code in rows:
                found.setdefault(number, set()).add(code)
        return {number: frozenset(codes) for number, codes in found.items()}


def system_codes(uow: UnitOfWork, names: Iterable[str]) -> dict[str, str]:
    """Free-text weapon system names (inventory lines, documents) mapped to system codes, where the
    text is a registered system's code or name; unknown texts are absent."""
    with uow:
        session = uow.session
        wanted = sorted({name.strip() for name in names if name and name.strip()})
        if not wanted:
            return {}
        rows = session.execute(
            select(WeaponSystem.code, WeaponSystem.name).where(
                or_(WeaponSystem.code.in_(wanted), WeaponSystem.name.in_(wanted))
            )
        ).all()
        codes: dict[str, str] = {}
        for code, name in rows:
            for text in (code, name):
                if text in wanted:
                    codes.setdefault(text, code)
        return codes
