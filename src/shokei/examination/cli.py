"""`shokei exam ...`: the examination policy, scores, overrides and determinations."""

from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_support import Cli, command, print_fields, print_json, print_table
from shokei.errors import N_, BadInput, Text
from shokei.examination import services
from shokei.examination.schemas import DeterminationView, ExaminationView, PolicyView

app = typer.Typer(
    help="Examination of technological significance (技術的重要性の審査).", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(app, name="exam")


def _criteria(pairs: list[str]) -> dict[str, int]:
    values: dict[str, int] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not name.strip() or not number.strip().lstrip("-").isdigit():
            raise BadInput(Text(N_("--criterion %(pair)s must be NAME=INTEGER"), {"pair": repr(pair)}))
        if name.strip() in values:
            raise BadInput(Text(N_("criterion %(strip)s is given twice"), {"strip": name.strip()}))
        values[name.strip()] = int(number)
    return values


def _show_policy(policy: PolicyView) -> None:
    print_fields(
        f"examination policy {policy.version}",
        {
            "title": policy.title,
            "published": policy.published,
            "threshold": f"{policy.threshold} (weighted score 0-100)",
            "examiners per document": policy.examiners_required,
            "disagreement tolerance": f"{policy.disagreement_tolerance} points",
            "source": policy.source,
        },
    )
    print_table(
        "criteria",
        ("name", "scale", "weight", "title"),
        [(c.name, f"{c.min}..{c.max}", c.weight, c.title) for c in policy.criteria],
    )
    print_table(
        "hard rules (protection required whatever the scores)",
        ("name", "kind", "title"),
        [(r.name, r.kind, r.title) for r in policy.hard_rules],
    )


def _show_determination(view: DeterminationView) -> None:
    print_fields(
        f"case {view.case_id}: {view.determination}",
        {
            "deciding rule": view.rule,
            "why": view.rule_detail,
            "rationale": view.rationale,
            "policy version": view.policy_version,
            "by": f"{view.determined_by} at {view.determined_at.isoformat(timespec='seconds')}",
            "case state": view.case_state,
        },
    )


def _supply_chain_line(view: ExaminationView) -> str:
    found = view.supply_chain
    if not found.available:
        return found.note
    systems, sources = (
        ", ".join(found.weapon_systems) or "-",
        ", ".join(found.single_source_components) or "-",
    )
    return f"systems: {systems}; single source: {sources}"


def _show_examination(view: ExaminationView) -> None:
    proposed = view.proposed
    print_fields(
        f"examination of case {view.case_id} ({view.company})",
        {
            "state": view.case_state,
            "policy": f"{view.policy_version}: threshold {view.threshold}, "
            f"{view.examiners_required} examiner(s) per document",
            "supply chain": _supply_chain_line(view),
            "hard rules fired": "; ".join(f"{f.rule}: {f.detail}" for f in view.hard_rules_fired) or "-",
            "policy would decide": f"{proposed.determination} ({proposed.rule})"
            if proposed
            else view.blocked_by,
        },
    )
    print_table(
        "documents",
        ("id", "title", "markings", "current scores", "mean"),
        [
            (
                d.id,
                d.title,
                ", ".join(d.markings),
                ", ".join(f"{s.examiner} {s.weighted_score}" for s in d.scores if s.current),
                d.mean_score,
            )
            for d in view.documents
        ],
    )
    if view.determination:
        _show_determination(view.determination)


@command(app, "policy")
def policy(cli: Cli) -> None:
    """The examination policy in force: criteria, weights, scales, threshold and hard rules."""
    view = services.get_policy(cli.actor)
    cli.emit(view, lambda: _show_policy(view))


@command(app, "score")
def score(
    cli: Cli,
    case_id: int,
    document_id: Annotated[int, typer.Argument(help="Inventory document id, as in `shokei case show`.")],
    criterion: Annotated[list[str], typer.Option("--criterion", help="NAME=VALUE, once per criterion.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why these scores.")],
    package: Annotated[
        bool, typer.Option("--package", help="Score every document of the same component alike.")
    ] = False,
) -> None:
    """Score one document (or its component's package) on every criterion of the policy (examiners)."""
    actor, values = cli.actor, _criteria(criterion)
    if package:
        views = services.score_package(
            cli.uow, actor, case_id, document_id, values=values, rationale=rationale
        )
    else:
        views = [
            services.score_document(cli.uow, actor, case_id, document_id, values=values, rationale=rationale)
        ]
    if cli.json:
        print_json(views if package else views[0])
        return
    for view in views:
        typer.echo(
            f"document {view.document_id} scored {view.weighted_score} under policy {view.policy_version}"
        )


@command(app, "determine")
def determine(
    cli: Cli,
    case_id: int,
    rationale: Annotated[str | None, typer.Option("--rationale", help="Your words beside the rule.")] = None,
) -> None:
    """Determine the case under the policy and move it on (examiners)."""
    view = services.determine_case(cli.uow, cli.actor, case_id, rationale=rationale)
    cli.emit(view, lambda: _show_determination(view))


@command(app, "override")
def override(
    cli: Cli,
    case_id: int,
    determination: Annotated[
        str, typer.Option("--determination", help="protection_required|not_significant")
    ],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Decide the determination with a recorded reason (program managers); an examiner applies it."""
    view = services.override_determination(
        cli.uow, cli.actor, case_id, determination=determination, reason=reason
    )
    cli.emit(view, lambda: typer.echo(f"case {view.case_id}: override to {view.determination} recorded"))


@command(app, "show")
def show(cli: Cli, case_id: int) -> None:
    """The examination form: evidence, scores, flags, what the policy would decide, the determination."""
    view = services.get_examination(cli.uow, cli.actor, case_id)
    cli.emit(view, lambda: _show_examination(view))


@command(app, "declare-interest")
def declare_interest(
    cli: Cli,
    company: Annotated[str, typer.Option("--company", help="Corporate number.")],
    relationship: Annotated[
        str, typer.Option("--relationship", help="employed|formerly_employed|shareholder|family|other")
    ],
    note: Annotated[str | None, typer.Option("--note")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Another official (program managers).")] = None,
) -> None:
    """Declare a link to a company: you then take no part in its cases."""
    view = services.declare_interest(
        cli.uow, cli.actor, company=company, relationship=relationship, note=note, user=user
    )
    cli.emit(view, lambda: typer.echo(f"{view.user}: {view.relationship} with {view.company} declared"))
