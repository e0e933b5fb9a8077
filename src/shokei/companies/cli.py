from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
    print_table,
    translated,
    verbatim,
    yen,
    yes_no,
)
from shokei.companies import access, conditions, services
from shokei.companies.schemas import CompanyInput, CompanyUpdate, CompanyView
from shokei.errors import N_, BadInput, Text

app = typer.Typer(cls=LocalisedGroup, help="The company registry.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="company")


def _show(company: CompanyView) -> None:
    print_fields(
        verbatim(company.name),
        {
            N_("corporate number"): company.corporate_number or company.foreign_id,
            N_("English name"): company.name_en,
            N_("industry"): company.industry,
            N_("capital"): yen(company.capital_yen),
            N_("employees"): company.employees,
            N_("SME"): translated(N_("%(sme)s (small-scale)"), sme=yes_no(company.sme))
            if company.small_scale
            else yes_no(company.sme),
            N_("security compliance until"): company.security_compliant_until,
            N_("capabilities"): ", ".join(company.capabilities),
            N_("prefecture"): company.prefecture,
            N_("access"): company.access,
            N_("suspension"): (
                translated(
                    N_("%(reason)s (%(cause)s, since %(since)s)"),
                    reason=company.suspension.reason_text or company.suspension.reason,
                    cause=company.suspension.cause,
                    since=f"{company.suspension.since:%Y-%m-%d %H:%M}",
                )
                if company.suspension
                else None
            ),
            N_("certification"): (
                translated(
                    N_("%(custodian)s, until %(until)s"),
                    custodian=company.certification.custodian,
                    until=company.certification.until,
                )
                + (f" ({', '.join(company.certification.scope)})" if company.certification.scope else "")
                if company.certification
                else None
            ),
        },
    )


@command(app, "add")
def add(
    cli: Cli,
    name: Annotated[str, typer.Option("--name", help="Registered (Japanese) name.")],
    corporate_number: Annotated[str | None, typer.Option("--corporate-number")] = None,
    foreign_country: Annotated[str | None, typer.Option("--foreign-country", help="ISO 3166 code.")] = None,
    foreign_id: Annotated[str | None, typer.Option("--foreign-id", help="Foreign registry id.")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    industry: Annotated[
        str, typer.Option("--industry", help="manufacturing|wholesale|retail|services")
    ] = "manufacturing",
    capital_yen: Annotated[int | None, typer.Option("--capital-yen", min=0)] = None,
    employees: Annotated[int | None, typer.Option("--employees", min=0)] = None,
) -> None:
    """Register a company (Japanese by corporate number, foreign by country + registry id)."""
    data = CompanyInput(
        corporate_number=corporate_number,
        foreign_country=foreign_country,
        foreign_registry_id=foreign_id,
        name=name,
        name_en=name_en,
        industry=industry,
        capital_yen=capital_yen,
        employees=employees,
    )
    company = services.register_company(cli.uow, cli.actor, data)
    cli.emit(company, lambda: _show(company))


@command(app, "show")
def show(cli: Cli, corporate_number: str) -> None:
    """One company's profile with its SME classification."""
    company = services.get_company(cli.uow, cli.actor, corporate_number)
    cli.emit(company, lambda: _show(company))


@command(app, "list")
def list_companies(
    cli: Cli,
    search: Annotated[str | None, typer.Option("--search", help="Part of a name or number.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 500,
) -> None:
    """Companies in the registry (only your own if you are a supplier or successor)."""
    rows = services.list_companies(cli.uow, cli.actor, search=search, limit=limit)
    cli.emit(
        rows,
        lambda: print_table(
            N_("companies"),
            (N_("corporate number"), N_("name"), N_("industry"), N_("capital"), N_("employees"), N_("SME")),
            [
                (
                    c.corporate_number or c.foreign_id,
                    c.name,
                    c.industry,
                    yen(c.capital_yen),
                    c.employees,
                    yes_no(c.sme),
                )
                for c in rows
            ],
        ),
    )


@command(app, "import")
def import_csv(cli: Cli, path: Path) -> None:
    """Import a CSV registry extract.

    Columns: corporate_number,name,name_en,industry,capital_yen,employees (UTF-8, header row).
    """
    created = services.import_companies(cli.uow, cli.actor, path)
    cli.emit(created, lambda: echo(N_("imported %(count)s companies"), count=len(created)))


@command(app, "update", opened=False)
def update(
    cli: Cli,
    corporate_number: str,
    security_compliant_until: Annotated[
        str | None, typer.Option("--security-compliant-until", help="YYYY-MM-DD.")
    ] = None,
    capabilities: Annotated[str | None, typer.Option("--capabilities", help="TAG,TAG,...")] = None,
    capacity: Annotated[int | None, typer.Option("--capacity", min=0, help="Cases it can take on.")] = None,
    financial_distress: Annotated[str | None, typer.Option("--financial-distress", help="yes|no")] = None,
    foreign_share: Annotated[str | None, typer.Option("--foreign-share", help="Percent, 0-100.")] = None,
    foreign_country: Annotated[str | None, typer.Option("--foreign-country", help="ISO 3166 code.")] = None,
    prefecture: Annotated[
        str | None, typer.Option("--prefecture", help="Where it works, in full: 愛知県 (empty clears).")
    ] = None,
) -> None:
    """Record the facts successor eligibility reads (security compliance, capabilities, ...)."""
    fields: dict[str, object] = {}
    if security_compliant_until is not None:
        fields["security_compliant_until"] = parse_date(security_compliant_until)
    if capabilities is not None:
        fields["capabilities"] = [tag for tag in capabilities.split(",") if tag.strip()]
    if capacity is not None:
        fields["capacity"] = capacity
    if financial_distress is not None:
        if financial_distress.lower() not in ("yes", "no"):
            raise BadInput(Text(N_("--financial-distress must be yes or no")))
        fields["financial_distress"] = financial_distress.lower() == "yes"
    if foreign_share is not None:
        try:
            fields["foreign_share_percent"] = Decimal(foreign_share)
        except InvalidOperation:
            raise BadInput(
                Text(
                    N_("--foreign-share %(foreign_share)s is not a number"),
                    {"foreign_share": repr(foreign_share)},
                )
            ) from None
    if foreign_country is not None:
        fields["foreign_share_country"] = foreign_country
    if prefecture is not None:
        fields["prefecture"] = prefecture
    uow = cli.uow  # opened before validating, as ever: an uninitialised database is named first
    changes = CompanyUpdate.model_validate(fields)
    company = services.update_company(uow, cli.actor, corporate_number, changes)
    cli.emit(company, lambda: _show(company))


Reason = Annotated[str, typer.Option("--reason", help="Why (recorded in the ledger).")]


@command(app, "suspend")
def suspend(cli: Cli, corporate_number: str, reason: Reason) -> None:
    """Cut a company's access to copies: no download, new copy or dissemination (program manager)."""
    company = access.suspend(cli.uow, cli.actor, corporate_number, reason)
    cli.emit(company, lambda: _show(company))


@command(app, "reinstate")
def reinstate(cli: Cli, corporate_number: str, reason: Reason) -> None:
    """Give a suspended company its access back (program manager; exit 4 while a rule fails)."""
    company = access.reinstate(cli.uow, cli.actor, corporate_number, reason)
    cli.emit(company, lambda: _show(company))


@command(app, "certify")
def certify(
    cli: Cli,
    corporate_number: str,
    custodian: Annotated[str, typer.Option("--custodian", help="The named data custodian.")],
    until: Annotated[str, typer.Option("--until", help="Last day valid, YYYY-MM-DD.")],
    scope: Annotated[str | None, typer.Option("--scope", help="TAG,TAG,...")] = None,
) -> None:
    """Certify a company as a recipient of design documents (replaces its certification in force)."""
    company = access.certify(
        cli.uow,
        cli.actor,
        corporate_number,
        custodian=custodian,
        until=parse_date(until),
        scope=scope,
    )
    cli.emit(company, lambda: _show(company))


@command(app, "revoke-certification")
def revoke_certification(cli: Cli, corporate_number: str, reason: Reason) -> None:
    """Revoke a company's certification (a holder of copies is suspended at once)."""
    company = access.revoke_certification(cli.uow, cli.actor, corporate_number, reason)
    cli.emit(company, lambda: _show(company))


@command(app, "certifications")
def certifications(
    cli: Cli,
    expiring_within: Annotated[
        int | None, typer.Option("--expiring-within", min=0, help="Only those ending within DAYS.")
    ] = None,
) -> None:
    """The register of certified recipients, soonest to lapse first."""
    rows = access.certifications(cli.uow, cli.actor, expiring_within)
    cli.emit(
        rows,
        lambda: print_table(
            N_("certified recipients"),
            (N_("corporate number"), N_("name"), N_("custodian"), N_("until"), N_("scope"), N_("valid")),
            [
                (
                    r.corporate_number,
                    r.name,
                    r.custodian,
                    r.until,
                    ", ".join(r.scope),
                    yes_no(r.valid),
                )
                for r in rows
            ],
        ),
    )


@command(app, "expire-certifications")
def expire_certifications(cli: Cli) -> None:
    """End every certification past its last valid day (holders of copies are suspended)."""
    ended = access.expire_certifications(cli.uow, cli.actor)
    cli.emit(ended, lambda: echo(N_("%(count)s certification(s) expired"), count=len(ended)))


@command(app, "report-change")
def report_change(
    cli: Cli,
    corporate_number: str,
    kind: Annotated[str, typer.Option("--kind", help="ownership|management|financial|location")],
    details: Annotated[str, typer.Option("--details", help="What changed.")],
    owner: Annotated[str | None, typer.Option("--owner", help="Ownership: the holder (reference).")] = None,
    owner_country: Annotated[
        str | None, typer.Option("--owner-country", help="Ownership: a new holder's ISO 3166 code.")
    ] = None,
    share: Annotated[str | None, typer.Option("--share", help="Ownership: percent now held.")] = None,
) -> None:
    """Report a changed condition of a company (its own users or officials)."""
    report = conditions.report_change(
        cli.uow,
        cli.actor,
        corporate_number,
        kind=kind,
        details=details,
        owner=owner,
        owner_country=owner_country,
        share=share,
    )
    cli.emit(
        report,
        lambda: echo(
            N_("report %(id)s (%(kind)s) recorded; access %(access)s"),
            id=report.id,
            kind=report.kind,
            access=report.access,
        ),
    )
