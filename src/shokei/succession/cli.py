"""`shokei successor ...`, `shokei handover ...` and `shokei trace FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_support import AsUser, JsonOutput, acting, command, print_json, print_table, ready_app, stdout
from shokei.succession import services

successor_app = typer.Typer(
    help="Successor eligibility, ranking, selection and acceptance.", no_args_is_help=True
)
handover_app = typer.Typer(
    help="Release of traced copies to the successor and dissemination.", no_args_is_help=True
)

Reason = Annotated[str, typer.Option("--reason", help="Why this successor (kept in the ledger).")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(successor_app, name="successor")
    root.add_typer(handover_app, name="handover")
    command(root, "trace")(trace)


@command(successor_app, "rank")
def rank(case_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Every candidate with its per-rule results and score, best eligible first."""
    shokei = ready_app()
    candidates = services.rank_candidates(shokei.uow, acting(shokei, as_user), case_id)
    if json_output:
        print_json(candidates)
        return
    print_table(
        f"successor candidates for case {case_id}",
        ("corporate no.", "name", "eligible", "score", "failing rules"),
        [
            (
                c.corporate_number,
                c.name,
                "yes" if c.eligible else "no",
                f"{c.score.total:.3f}",
                "; ".join(f"{r.name}: {r.reason}" for r in c.rules if not r.passed),
            )
            for c in candidates
        ],
    )


@command(successor_app, "assign")
def assign(
    case_ids: Annotated[list[int] | None, typer.Argument(help="Cases to place (or --all-open).")] = None,
    all_open: Annotated[
        bool, typer.Option("--all-open", help="Every case in successor selection without a successor.")
    ] = False,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Propose case → successor pairs under capacity limits; confirm each with `successor select`."""
    shokei = ready_app()
    proposal = services.propose_assignment(
        shokei.uow, acting(shokei, as_user), case_ids or [], all_open=all_open
    )
    if json_output:
        print_json(proposal)
        return
    print_table(
        "proposed successors (confirm each with `shokei successor select CASE CORPNO --reason ...`)",
        ("case", "corporate no.", "name", "score", "rank in case"),
        [
            (str(a.case_id), a.corporate_number, a.name, f"{a.score:.3f}", str(a.rank_in_case))
            for a in proposal.assignments
        ],
    )
    if proposal.unassigned:
        stdout.print("no eligible successor with room: " + ", ".join(map(str, proposal.unassigned)))


@command(successor_app, "select")
def select(
    case_id: int,
    corporate_number: str,
    reason: Reason,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Select an eligible successor (program manager); it is notified in its inbox."""
    shokei = ready_app()
    view = services.select_successor(
        shokei.uow, acting(shokei, as_user), case_id, corporate_number, reason=reason
    )
    print_json(view) if json_output else stdout.print(f"case {case_id}: {view.successor_name} selected")


@command(successor_app, "accept")
def accept(case_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Accept the terms of hand-over for a case (the selected successor's user)."""
    shokei = ready_app()
    view = services.accept_terms(shokei.uow, acting(shokei, as_user), case_id)
    print_json(view) if json_output else stdout.print(
        f"terms {view.terms_version} accepted for case {case_id}"
    )


@command(successor_app, "inbox")
def inbox(as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Messages to your company."""
    shokei = ready_app()
    messages = services.inbox(shokei.uow, acting(shokei, as_user))
    if json_output:
        print_json(messages)
        return
    for message in messages:
        stdout.print(f"[bold]{message.subject}[/]\n{message.body}")


@command(handover_app, "release")
def release(case_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Issue the successor's marked copies of every document and move the case to handed_over."""
    shokei = ready_app()
    copies = services.release_copies(
        shokei.uow,
        shokei.vaults.documents,
        acting(shokei, as_user),
        case_id,
        copies=shokei.vaults.copies,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
    )
    if json_output:
        print_json(copies)
        return
    print_table(
        f"copies released for case {case_id}",
        ("copy id", "document", "file", "sha256"),
        [(c.copy_id, c.document, c.file_name, c.sha256) for c in copies],
    )


@command(handover_app, "list")
def list_copies(case_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """The copies issued for a case (company users: their own)."""
    shokei = ready_app()
    copies = services.list_copies(shokei.uow, acting(shokei, as_user), case_id)
    if json_output:
        print_json(copies)
        return
    print_table(
        f"copies of case {case_id}",
        ("copy id", "document", "recipient", "parent", "file"),
        [(c.copy_id, c.document, c.recipient, c.parent_copy_id or "", c.file_name) for c in copies],
    )


@command(handover_app, "download")
def download(
    copy_id: str,
    out: Annotated[Path, typer.Option("--out", help="Where to write the copy.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Download one of your company's copies (audited)."""
    shokei = ready_app()
    view = services.download_copy(shokei.uow, shokei.vaults.copies, acting(shokei, as_user), copy_id, out)
    print_json(view) if json_output else stdout.print(f"copy {copy_id} written to {out}")


@command(handover_app, "disseminate")
def disseminate(
    copy_id: str,
    to: Annotated[str, typer.Option("--to", help="The subcontractor's corporate number.")],
    purpose: Annotated[str, typer.Option("--purpose")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Ask to pass a copy to a named subcontractor (needs a program manager's approval)."""
    shokei = ready_app()
    view = services.request_dissemination(
        shokei.uow, acting(shokei, as_user), copy_id, to=to, purpose=purpose
    )
    print_json(view) if json_output else stdout.print(f"dissemination request {view.id} recorded")


@command(handover_app, "approve-dissemination")
def approve_dissemination(request_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Approve a dissemination request: the subcontractor gets its own traced copy."""
    shokei = ready_app()
    view = services.approve_dissemination(
        shokei.uow,
        shokei.vaults.copies,
        acting(shokei, as_user),
        request_id,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
    )
    if json_output:
        print_json(view)
        return
    stdout.print(f"approved: copy {view.new_copy.copy_id if view.new_copy else ''} issued to {view.to}")


def trace(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A file found in the wild.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Identify which issued copy a file comes from, and its chain of holders."""
    shokei = ready_app()
    view = services.trace_file(shokei.uow, acting(shokei, as_user), path, key=shokei.handover_signing_key)
    if json_output:
        print_json(view)
        return
    stdout.print(
        f"copy: {view.copy_id or 'not identified'} ({view.method}, confidence {view.confidence:.2f})"
    )
    stdout.print("chain: " + " → ".join(f"{h.name} ({h.corporate_number or 'MoD'})" for h in view.chain))
    for note in view.notes:
        stdout.print(f"note: {note}")


@command(handover_app, "destruction-certificate")
def destruction_certificate(
    case_id: int,
    reference: Annotated[str, typer.Option("--reference", help="The certificate's number or title.")],
    certificate: Annotated[
        Path | None, typer.Option("--file", exists=True, dir_okay=False, help="The scanned certificate.")
    ] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Record the supplier's certificate of destruction of its own copies; closes the case."""
    shokei = ready_app()
    view = services.record_destruction_certificate(
        shokei.uow, acting(shokei, as_user), case_id, reference=reference, certificate=certificate
    )
    print_json(view) if json_output else stdout.print(f"case {case_id}: certificate recorded, case closed")
