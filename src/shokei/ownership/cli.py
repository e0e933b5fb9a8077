"""`shokei ownership ...` and `shokei alerts ...`: translate the command line to ownership use cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    Cli,
    command,
    echo,
    parse_date,
    print_fields,
    print_json,
    print_table,
    translated,
    verbatim,
    yes_no,
)
from shokei.errors import N_
from shokei.ownership import services
from shokei.ownership.schemas import AlertView, ChainView, ControlView, ImportReport, MatchCandidateView

app = typer.Typer(
    cls=LocalisedGroup,
    help="Ownership: BODS and register imports, foreign control, ownership events.",
    no_args_is_help=True,
)
alerts_app = typer.Typer(
    cls=LocalisedGroup, help="Foreign-control alerts raised by ownership changes.", no_args_is_help=True
)

Entity = Annotated[str, typer.Argument(help="Corporate number, SCHEME-ID identifier or BODS recordId.")]
DateOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(app, name="ownership")
    root.add_typer(alerts_app, name="alerts")


def _date(value: str | None) -> date | None:
    return None if value is None else parse_date(value)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


def _chain_text(chain: ChainView | None) -> str:
    if chain is None:
        return ""
    steps = [
        f"{step.name} ({step.country or '?'})"
        + (f" -{_percent(step.holds)}->" if step.holds is not None else "")
        for step in chain.path
    ]
    return f"{' '.join(steps)}  [{_percent(chain.share)}]"


def _show_import(report: ImportReport) -> None:
    counts = ", ".join(f"{count} {what}" for what, count in report.imported.items()) or translated(
        N_("nothing")
    )
    echo(
        N_(
            "import %(import_id)s (%(format)s) of %(file)s: read %(read)s, "
            "imported %(counts)s; %(rejected)s rejected"
        ),
        import_id=report.import_id,
        format=report.format,
        file=report.file,
        read=report.read,
        counts=counts,
        rejected=len(report.rejected),
    )
    for rejected in report.rejected:
        echo(
            N_("  rejected %(statement)s @%(position)s: %(reason)s"),
            statement=rejected.statement_id or translated(N_("line")),
            position=rejected.position,
            reason=rejected.reason,
        )
    for link in report.linked:
        echo(
            N_("  linked %(name)s to %(company_name)s (%(corporate_number)s)"),
            name=link.entity.name,
            company_name=link.company_name,
            corporate_number=link.corporate_number,
        )
    if report.review:
        echo(
            N_("  %(count)s name match(es) to review: `shokei ownership matches`"),
            count=len(report.review),
        )
    _show_alerts(report.alerts_raised, "raised")
    _show_alerts(report.alerts_resolved, "resolved")


def _show_alerts(alerts: list[AlertView], verb: str) -> None:
    for alert in alerts:
        echo(
            N_(
                "  alert %(id)s %(verb)s: %(company_name)s (%(corporate_number)s) at "
                "%(threshold)s, foreign control %(foreign_control)s  %(chain)s"
            ),
            id=alert.id,
            verb=verb,
            company_name=alert.company_name,
            corporate_number=alert.corporate_number,
            threshold=_percent(alert.threshold),
            foreign_control=_percent(alert.measures["foreign_control"]),
            chain=_chain_text(alert.chain),
        )


@command(app, "import-bods")
def import_bods(cli: Cli, file: Path) -> None:
    """Import a BODS 0.4 package (JSON array of statements); bad statements are reported."""
    report = services.import_bods(cli.uow, cli.actor, file)
    cli.emit(report, lambda: _show_import(report))


@command(app, "import-csv")
def import_csv(cli: Cli, file: Path) -> None:
    """Import a register extract (CSV).

    Columns owned,owner,share and optionally owner_name,owner_kind,owner_country,date,source.
    """
    report = services.import_csv(cli.uow, cli.actor, file)
    cli.emit(report, lambda: _show_import(report))


@command(app, "export-bods")
def export_bods(cli: Cli, file: Path) -> None:
    """Write every entity and interest as a BODS 0.4 package."""
    report = services.export_bods(cli.uow, cli.actor, file)
    cli.emit(
        report,
        lambda: echo(
            N_("wrote %(statements)s statements to %(file)s"),
            statements=report.statements,
            file=report.file,
        ),
    )


@command(app, "control")
def control(
    cli: Cli,
    entity: Entity,
    on: DateOption = None,
) -> None:
    """Direct, integrated and attributed foreign control of an entity, with the chains behind it."""
    view = services.foreign_control_of(cli.uow, cli.actor, entity, on=_date(on))
    cli.emit(view, lambda: _show_control(view))


def _show_control(view: ControlView) -> None:
    print_fields(
        verbatim(f"{view.entity.name} ({view.entity.reference})"),
        {
            N_("as of"): view.as_of,
            N_("direct foreign"): _percent(view.direct_foreign),
            N_("integrated foreign"): _percent(view.integrated_foreign),
            N_("attributed foreign (50 % rule)"): _percent(view.attributed_foreign),
            N_("foreign-controlled"): yes_no(view.foreign_controlled),
            N_("by country"): ", ".join(
                f"{code} {_percent(share)}" for code, share in view.by_country.items()
            ),
        },
    )
    print_table(
        N_("chains"), (N_("share"), N_("path")), [(_percent(c.share), _chain_text(c)) for c in view.chains]
    )
    for declared in view.declared_indirect:
        computed = _percent(declared.computed) if declared.computed is not None else "cannot be computed"
        echo(
            N_("declared indirect: %(name)s %(declared)s -> %(computed)s"),
            name=declared.owner.name,
            declared=declared.declared,
            computed=computed,
        )


@command(app, "add-interest")
def add_interest(
    cli: Cli,
    owner: Annotated[str, typer.Option("--owner", help="The holder (entity reference).")],
    owned: Annotated[str, typer.Option("--owned", help="The company held (entity reference).")],
    share: Annotated[str, typer.Option("--share", help="Percent now held directly (0 = sold out).")],
    on: DateOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Where this is known from.")] = None,
) -> None:
    """Record an ownership event: OWNER now holds SHARE % of OWNED; alerts follow."""
    view = services.record_interest_change(
        cli.uow,
        cli.actor,
        owner=owner,
        owned=owned,
        share=share,
        on=_date(on),
        source=source,
    )
    if cli.json:
        print_json(view)
        return
    echo(
        N_(
            "event %(change_id)s: %(owner)s holds %(after)s %% of %(owned)s (was "
            "%(before)s %%) from %(effective_date)s; %(recomputed)s recomputed"
        ),
        change_id=view.change_id,
        owner=view.owner.name,
        after=view.after,
        owned=view.owned.name,
        before=view.before or 0,
        effective_date=view.effective_date,
        recomputed=view.recomputed,
    )
    _show_alerts(view.alerts_raised, "raised")
    _show_alerts(view.alerts_resolved, "resolved")


@command(app, "add-entity")
def add_entity(
    cli: Cli,
    kind: Annotated[str, typer.Option("--kind", help="foreign_company|person|state|arrangement|...")],
    name: Annotated[str, typer.Option("--name")],
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 alpha-2.")] = None,
    identifier: Annotated[list[str] | None, typer.Option("--identifier", help="SCHEME-ID.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Registry company to link.")] = None,
) -> None:
    """Enter a holder not yet known (e.g. a foreign investor) so events can name it."""
    view = services.add_entity(
        cli.uow,
        cli.actor,
        kind=kind,
        name=name,
        country=country,
        identifiers=identifier or [],
        company=company,
    )
    cli.emit(
        view,
        lambda: echo(N_("added %(name)s: %(reference)s"), name=view.name, reference=view.reference),
    )


@command(app, "entity")
def show_entity(cli: Cli, entity: Entity) -> None:
    """One entity: kind, country, identifiers and BODS records."""
    view = services.get_entity(cli.uow, cli.actor, entity)
    cli.emit(
        view,
        lambda: print_fields(
            verbatim(view.name),
            {
                N_("reference"): view.reference,
                N_("kind"): view.kind,
                N_("country"): view.country,
                N_("identifiers"): ", ".join(view.identifiers),
                N_("records"): ", ".join(view.record_ids),
            },
        ),
    )


@command(app, "matches")
def matches(
    cli: Cli,
    status: Annotated[str, typer.Option("--status", help="pending|accepted|rejected|all")] = "pending",
) -> None:
    """Imported entities whose names resemble registry companies, for review."""
    rows = services.list_match_candidates(cli.uow, cli.actor, status=None if status == "all" else status)
    cli.emit(rows, lambda: _show_candidates(rows))


def _show_candidates(rows: list[MatchCandidateView]) -> None:
    print_table(
        N_("name matches"),
        (N_("id"), N_("imported entity"), N_("registry company"), N_("score"), N_("status")),
        [(r.id, r.entity.name, f"{r.company_name} ({r.corporate_number})", r.score, r.status) for r in rows],
    )


@command(app, "accept-match")
def accept_match(cli: Cli, candidate: int) -> None:
    """The imported entity is this registry company: link (or merge) them."""
    decision = services.decide_match(cli.uow, cli.actor, candidate, accept=True)
    cli.emit(decision, lambda: _show_candidates([decision.candidate]))


@command(app, "reject-match")
def reject_match(cli: Cli, candidate: int) -> None:
    """The imported entity is not this registry company."""
    decision = services.decide_match(cli.uow, cli.actor, candidate, accept=False)
    cli.emit(decision, lambda: _show_candidates([decision.candidate]))


@command(app, "thresholds")
def thresholds(
    cli: Cli,
    set_levels: Annotated[
        str | None, typer.Option("--set", help="Comma-separated percentages, e.g. 1,5,10,25,50.")
    ] = None,
) -> None:
    """Show (or set) the foreign-control thresholds alerts are raised at."""
    actor = cli.actor
    if set_levels is None:
        view = services.get_thresholds(cli.uow, actor)
    else:
        view = services.set_thresholds(cli.uow, actor, set_levels.split(","))
    cli.emit(
        view,
        lambda: echo(
            N_("thresholds: %(levels)s"), levels=", ".join(_percent(level) for level in view.levels)
        ),
    )


@command(alerts_app, "list")
def list_alerts(
    cli: Cli,
    status: Annotated[str | None, typer.Option("--status", help="open|resolved (default: both)")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Corporate number.")] = None,
) -> None:
    """Foreign-control alerts, newest first, each with the chain that caused it."""
    rows = services.list_alerts(cli.uow, cli.actor, status=status, company=company)
    cli.emit(
        rows,
        lambda: print_table(
            N_("alerts"),
            (N_("id"), N_("status"), N_("company"), N_("threshold"), N_("foreign control"), N_("chain")),
            [
                (
                    a.id,
                    a.status,
                    f"{a.company_name} ({a.corporate_number})",
                    _percent(a.threshold),
                    _percent(a.foreign_control),
                    _chain_text(a.chain),
                )
                for a in rows
            ],
        ),
    )


@command(alerts_app, "acknowledge")
def acknowledge_alert(
    cli: Cli,
    alert_id: int,
    note: Annotated[str, typer.Option("--note", help="What was done or will be (kept in the ledger).")],
) -> None:
    """Acknowledge an alert with a note."""
    view = services.acknowledge_alert(cli.uow, cli.actor, alert_id, note=note)
    cli.emit(view, lambda: echo(N_("alert %(alert_id)s acknowledged"), alert_id=alert_id))


@command(alerts_app, "close")
def close_alert(
    cli: Cli,
    alert_id: int,
    reason: Annotated[str, typer.Option("--reason", help="Why its handling is over (kept in the ledger).")],
) -> None:
    """Close an alert with a reason."""
    view = services.close_alert(cli.uow, cli.actor, alert_id, reason=reason)
    cli.emit(view, lambda: echo(N_("alert %(alert_id)s closed"), alert_id=alert_id))
