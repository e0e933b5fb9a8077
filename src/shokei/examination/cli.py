"""`shokei exam ...`: the examination policy, scores, overrides and determinations."""

from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, print_fields, print_json, print_table, shown, translated
from shokei.errors import N_, BadInput, Text
from shokei.examination import services
from shokei.examination.schemas import DeterminationView, ExaminationView, PolicyView

app = typer.Typer(
    cls=LocalisedGroup,
    help="Examination of technological significance (技術的重要性の審査).",
    no_args_is_help=True,
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
        Text(N_("examination policy %(version)s"), {"version": policy.version}),
        {
            N_("title"): policy.title,
            N_("published"): policy.published,
            N_("threshold"): translated(
                N_("%(threshold)s (weighted score 0-100)"), threshold=policy.threshold
            ),
            N_("examiners per document"): policy.examiners_required,
            N_("disagreement tolerance"): translated(
                N_("%(points)s points"), points=policy.disagreement_tolerance
            ),
            N_("source"): policy.source,
        },
    )
    print_table(
        N_("criteria"),
        (N_("name"), N_("scale"), N_("weight"), N_("title")),
        [(c.name, f"{c.min}..{c.max}", c.weight, c.title) for c in policy.criteria],
    )
    print_table(
        N_("hard rules (protection required whatever the scores)"),
        (N_("name"), N_("kind"), N_("title")),
        [(r.name, r.kind, r.title) for r in policy.hard_rules],
    )


def _show_determination(view: DeterminationView) -> None:
    print_fields(
        Text(
            N_("case %(case_id)s: %(determination)s"),
            {"case_id": view.case_id, "determination": view.determination},
        ),
        {
            N_("deciding rule"): view.rule,
            N_("why"): shown(view.rule_detail_text, view.rule_detail),
            N_("rationale"): shown(view.rationale_text, view.rationale),
            N_("policy version"): view.policy_version,
            N_("by"): translated(
                N_("%(user)s at %(at)s"),
                user=view.determined_by,
                at=view.determined_at.isoformat(timespec="seconds"),
            ),
            N_("case state"): view.case_state,
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
    return translated(
        N_("systems: %(systems)s; single source: %(sources)s"), systems=systems, sources=sources
    )


def _show_examination(view: ExaminationView) -> None:
    proposed = view.proposed
    print_fields(
        Text(
            N_("examination of case %(case_id)s (%(company)s)"),
            {"case_id": view.case_id, "company": view.company},
        ),
        {
            N_("state"): view.case_state,
            N_("policy"): translated(
                N_("%(version)s: threshold %(threshold)s, %(examiners)s examiner(s) per document"),
                version=view.policy_version,
                threshold=view.threshold,
                examiners=view.examiners_required,
            ),
            N_("supply chain"): _supply_chain_line(view),
            N_("hard rules fired"): "; ".join(
                f"{f.rule}: {shown(f.detail_text, f.detail)}" for f in view.hard_rules_fired
            )
            or "-",
            N_("policy would decide"): f"{proposed.determination} ({proposed.rule})"
            if proposed
            else shown(view.blocked_by_text, view.blocked_by),
        },
    )
    print_table(
        N_("documents"),
        (N_("id"), N_("title"), N_("markings"), N_("current scores"), N_("mean")),
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
        echo(
            N_("document %(document_id)s scored %(weighted_score)s under policy %(policy_version)s"),
            document_id=view.document_id,
            weighted_score=view.weighted_score,
            policy_version=view.policy_version,
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
    cli.emit(
        view,
        lambda: echo(
            N_("case %(case_id)s: override to %(determination)s recorded"),
            case_id=view.case_id,
            determination=view.determination,
        ),
    )


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
    cli.emit(
        view,
        lambda: echo(
            N_("%(user)s: %(relationship)s with %(company)s declared"),
            user=view.user,
            relationship=view.relationship,
            company=view.company,
        ),
    )
