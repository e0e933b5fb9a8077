"""`shokei successor ...`, `shokei handover ...` and `shokei trace FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_remote import Remote
from shokei.cli_support import (
    Cli,
    command,
    in_cli_language,
    print_json,
    print_table,
    say,
    shown,
    stdout,
    translated,
    yes_no,
)
from shokei.errors import N_, Text
from shokei.succession import services
from shokei.succession.schemas import RecallView

successor_app = typer.Typer(
    cls=LocalisedGroup, help="Successor eligibility, ranking, selection and acceptance.", no_args_is_help=True
)
handover_app = typer.Typer(
    cls=LocalisedGroup,
    help="Release of traced copies to the successor and dissemination.",
    no_args_is_help=True,
)

Reason = Annotated[str, typer.Option("--reason", help="Why this successor (kept in the ledger).")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(successor_app, name="successor")
    root.add_typer(handover_app, name="handover")
    command(root, "trace", remote=Remote("POST", "/api/v1/traces", file="path"))(trace)
    # The holdings register belongs to succession (above companies in the DAG): its command is
    # added to the `company` group the companies feature registered before this one.
    [company_app] = [group.typer_instance for group in root.registered_groups if group.name == "company"]
    assert company_app is not None
    command(company_app, "holdings")(holdings)


@command(successor_app, "rank", remote=Remote("GET", "/api/v1/cases/{case_id}/successor-candidates"))
def rank(cli: Cli, case_id: int) -> None:
    """Every candidate with its per-rule results and score, best eligible first."""
    candidates = services.rank_candidates(cli.uow, cli.actor, case_id)
    cli.emit(
        candidates,
        lambda: print_table(
            Text(N_("successor candidates for case %(case_id)s"), {"case_id": case_id}),
            (N_("corporate no."), N_("name"), N_("eligible"), N_("score"), N_("failing rules")),
            [
                (
                    c.corporate_number,
                    c.name,
                    yes_no(c.eligible),
                    f"{c.score.total:.3f}",
                    "; ".join(f"{r.name}: {r.reason}" for r in c.rules if not r.passed),
                )
                for c in candidates
            ],
        ),
    )


@command(successor_app, "assign")
def assign(
    cli: Cli,
    case_ids: Annotated[list[int] | None, typer.Argument(help="Cases to place (or --all-open).")] = None,
    all_open: Annotated[
        bool, typer.Option("--all-open", help="Every case in successor selection without a successor.")
    ] = False,
) -> None:
    """Propose case → successor pairs under capacity limits; confirm each with `successor select`."""
    proposal = services.propose_assignment(cli.uow, cli.actor, case_ids or [], all_open=all_open)
    if cli.json:
        print_json(proposal)
        return
    print_table(
        N_("proposed successors (confirm each with `shokei successor select CASE CORPNO --reason ...`)"),
        (N_("case"), N_("corporate no."), N_("name"), N_("score"), N_("rank in case")),
        [
            (str(a.case_id), a.corporate_number, a.name, f"{a.score:.3f}", str(a.rank_in_case))
            for a in proposal.assignments
        ],
    )
    if proposal.unassigned:
        say(N_("no eligible successor with room: %(cases)s"), cases=", ".join(map(str, proposal.unassigned)))


@command(successor_app, "select")
def select(
    cli: Cli,
    case_id: int,
    corporate_number: str,
    reason: Reason,
) -> None:
    """Select an eligible successor (program manager); it is notified in its inbox."""
    view = services.select_successor(cli.uow, cli.actor, case_id, corporate_number, reason=reason)
    cli.emit(
        view,
        lambda: say(
            N_("case %(case_id)s: %(successor_name)s selected"),
            case_id=case_id,
            successor_name=view.successor_name,
        ),
    )


@command(successor_app, "accept")
def accept(cli: Cli, case_id: int) -> None:
    """Accept the terms of hand-over for a case (the selected successor's user)."""
    view = services.accept_terms(cli.uow, cli.actor, case_id)
    cli.emit(
        view,
        lambda: say(
            N_("terms %(terms_version)s accepted for case %(case_id)s"),
            terms_version=view.terms_version,
            case_id=case_id,
        ),
    )


@command(successor_app, "inbox")
def inbox(cli: Cli) -> None:
    """Messages to your company."""
    messages = services.inbox(cli.uow, cli.actor)
    if cli.json:
        print_json(messages)
        return
    for message in messages:
        subject, body = shown(message.subject_text, message.subject), shown(message.body_text, message.body)
        stdout.print(f"[bold]{subject}[/]\n{body}")


@command(handover_app, "release")
def release(cli: Cli, case_id: int) -> None:
    """Issue the successor's marked copies of every document and move the case to handed_over."""
    copies = services.release_copies(
        cli.uow,
        cli.app.vaults.documents,
        cli.actor,
        case_id,
        copies=cli.app.vaults.copies,
        scratch_dir=cli.app.scratch_dir,
        key=cli.app.handover_signing_key,
        code_key=cli.app.copy_code_key,
    )
    cli.emit(
        copies,
        lambda: print_table(
            Text(N_("copies released for case %(case_id)s"), {"case_id": case_id}),
            (N_("copy id"), N_("document"), N_("file"), N_("sha256")),
            [(c.copy_id, c.document, c.file_name, c.sha256) for c in copies],
        ),
    )


@command(handover_app, "list")
def list_copies(cli: Cli, case_id: int) -> None:
    """The copies issued for a case (company users: their own)."""
    copies = services.list_copies(cli.uow, cli.actor, case_id)
    cli.emit(
        copies,
        lambda: print_table(
            Text(N_("copies of case %(case_id)s"), {"case_id": case_id}),
            (N_("copy id"), N_("document"), N_("recipient"), N_("parent"), N_("status"), N_("file")),
            [
                (c.copy_id, c.document, c.recipient, c.parent_copy_id or "", c.status, c.file_name)
                for c in copies
            ],
        ),
    )


@command(handover_app, "download")
def download(
    cli: Cli,
    copy_id: str,
    out: Annotated[Path, typer.Option("--out", help="Where to write the copy.")],
) -> None:
    """Download one of your company's copies (audited)."""
    view = services.download_copy(cli.uow, cli.app.vaults.copies, cli.actor, copy_id, out)
    cli.emit(view, lambda: say(N_("copy %(copy_id)s written to %(out)s"), copy_id=copy_id, out=out))


@command(handover_app, "disseminate")
def disseminate(
    cli: Cli,
    copy_id: str,
    to: Annotated[str, typer.Option("--to", help="The subcontractor's corporate number.")],
    purpose: Annotated[str, typer.Option("--purpose")],
) -> None:
    """Ask to pass a copy to a named subcontractor (needs a program manager's approval)."""
    view = services.request_dissemination(cli.uow, cli.actor, copy_id, to=to, purpose=purpose)
    cli.emit(view, lambda: say(N_("dissemination request %(id)s recorded"), id=view.id))


@command(handover_app, "approve-dissemination")
def approve_dissemination(cli: Cli, request_id: int) -> None:
    """Approve a dissemination request: the subcontractor gets its own traced copy."""
    view = services.approve_dissemination(
        cli.uow,
        cli.app.vaults.copies,
        cli.actor,
        request_id,
        scratch_dir=cli.app.scratch_dir,
        key=cli.app.handover_signing_key,
        code_key=cli.app.copy_code_key,
    )
    cli.emit(
        view,
        lambda: say(N_("approved: copy %(copy_id)s issued to %(to)s"), copy_id=view.copy_id, to=view.to),
    )


@command(handover_app, "reject-dissemination")
def reject_dissemination(
    cli: Cli,
    request_id: int,
    reason: Annotated[str, typer.Option("--reason", help="Why it is rejected (kept in the ledger).")],
) -> None:
    """Reject a dissemination request with a reason (program manager)."""
    view = services.reject_dissemination(cli.uow, cli.actor, request_id, reason=reason)
    cli.emit(view, lambda: say(N_("dissemination request %(request_id)s rejected"), request_id=request_id))


@command(handover_app, "accept-dissemination")
def accept_dissemination(cli: Cli, request_id: int) -> None:
    """Accept the terms of an approved dissemination (the subcontractor's user): its copy can then
    be downloaded."""
    view = services.accept_dissemination(cli.uow, cli.actor, request_id)
    cli.emit(
        view,
        lambda: say(N_("terms accepted for dissemination request %(request_id)s"), request_id=request_id),
    )


def trace(
    cli: Cli,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A file found in the wild.")],
) -> None:
    """Identify which issued copy a file comes from, and its chain of holders.

    The file is kept in the vault as evidence. Reads PDF, CAD, office files, text, and scans or
    photos (PNG, JPEG, TIFF, image-only PDF) by their 2D code or OCR."""
    view = services.trace_found_file(
        cli.uow,
        cli.actor,
        path,
        file_name=path.name,
        vault=cli.app.vaults.copies,
        key=cli.app.handover_signing_key,
        code_key=cli.app.copy_code_key,
    )
    if cli.json:
        print_json(view)
        return
    say(
        N_("copy: %(copy)s (%(method)s, confidence %(confidence)s)"),
        copy=view.copy_id or translated(N_("not identified")),
        method=view.method,
        confidence=format(view.confidence, ".2f"),
    )
    ministry = translated(N_("MoD"))
    chain = " → ".join(f"{h.name} ({h.corporate_number or ministry})" for h in view.chain)
    say(N_("chain: %(chain)s"), chain=chain)
    for found in view.candidates:
        evidence = "; ".join(_rendered(found.evidence_text, found.evidence))
        say(
            N_("candidate: %(copy)s (%(recipient)s, confidence %(confidence)s): %(evidence)s"),
            markup=False,
            copy=found.copy_id,
            recipient=found.recipient,
            confidence=f"{found.confidence:.2f}",
            evidence=evidence,
        )
    for note in _rendered(view.notes_text, view.notes):
        say(N_("note: %(note)s"), markup=False, note=note)


def _rendered(texts: list[Text] | None, english: list[str]) -> list[str]:
    """Catalogue messages in the CLI user's language (LANG=ja: Japanese); the English as received
    when only that came (a remote server's JSON)."""
    if texts is None:
        return english
    return in_cli_language(lambda gettext: [text.render(gettext) for text in texts])


@command(handover_app, "destruction-certificate")
def destruction_certificate(
    cli: Cli,
    case_id: int,
    reference: Annotated[str, typer.Option("--reference", help="The certificate's number or title.")],
    certificate: Annotated[
        Path | None, typer.Option("--file", exists=True, dir_okay=False, help="The scanned certificate.")
    ] = None,
) -> None:
    """Record the supplier's certificate of destruction of its own copies; closes the case."""
    view = services.record_destruction_certificate(
        cli.uow, cli.actor, case_id, reference=reference, certificate=certificate
    )
    cli.emit(view, lambda: say(N_("case %(case_id)s: certificate recorded, case closed"), case_id=case_id))


@command(handover_app, "recall")
def recall(
    cli: Cli,
    copy_id: Annotated[str, typer.Argument(help="The copy to recall (its derived copies follow).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is recalled (kept in the ledger).")],
) -> None:
    """Recall an issued copy and the copies derived from it (program manager)."""
    recalled = services.recall_copy(cli.uow, cli.actor, copy_id, reason=reason)
    cli.emit(
        recalled, lambda: _print_recalls(Text(N_("recalled with %(copy)s"), {"copy": copy_id}), recalled)
    )


@command(handover_app, "recall-company")
def recall_company(
    cli: Cli,
    corporate_number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why they are recalled (kept in the ledger).")],
) -> None:
    """Recall every issued copy a company holds, with the copies derived from them."""
    recalled = services.recall_company_copies(cli.uow, cli.actor, corporate_number, reason=reason)
    cli.emit(
        recalled,
        lambda: _print_recalls(
            Text(N_("copies recalled from %(corporate_number)s"), {"corporate_number": corporate_number}),
            recalled,
        ),
    )


@command(handover_app, "return")
def return_copy(
    cli: Cli,
    copy_id: str,
    reference: Annotated[str, typer.Option("--reference", help="The certificate's number or title.")],
    certificate: Annotated[
        Path | None,
        typer.Option("--file", exists=True, dir_okay=False, help="The scanned certificate (sha256 kept)."),
    ] = None,
) -> None:
    """Record the holder's certificate of destruction of one copy: the copy is destroyed."""
    view = services.return_copy(cli.uow, cli.actor, copy_id, reference=reference, certificate=certificate)
    cli.emit(
        view,
        lambda: say(
            N_("copy %(copy_id)s: %(status)s (%(destruction_reference)s)"),
            copy_id=copy_id,
            status=view.status,
            destruction_reference=view.destruction_reference,
        ),
    )


@command(handover_app, "recalls")
def recalls(cli: Cli) -> None:
    """Recalled copies still waiting for their certificate of destruction."""
    outstanding = services.outstanding_recalls(cli.uow, cli.actor)
    cli.emit(outstanding, lambda: _print_recalls(Text(N_("outstanding recalls")), outstanding))


def _print_recalls(title: Text, rows: list[RecallView]) -> None:
    print_table(
        title,
        (N_("copy id"), N_("case"), N_("holder"), N_("status"), N_("recalled"), N_("reason")),
        [
            (
                r.copy_id,
                str(r.case_id),
                f"{r.recipient_name} ({r.recipient})",
                r.status,
                r.recalled_at.date().isoformat() if r.recalled_at else "",
                r.recall_reason or "",
            )
            for r in rows
        ],
    )


def holdings(cli: Cli, corporate_number: str) -> None:
    """The holdings register of a company: every copy it holds and every case it is in."""
    view = services.company_holdings(cli.uow, cli.actor, corporate_number)

    def show() -> None:
        print_table(
            Text(N_("copies held by %(corporate_number)s"), {"corporate_number": corporate_number}),
            (N_("copy id"), N_("case"), N_("document"), N_("derived from"), N_("status")),
            [
                (c.copy_id, str(c.case_id), str(c.document), c.parent_copy_id or "", c.status)
                for c in view.copies
            ],
        )
        print_table(
            N_("cases"),
            (N_("case"), N_("as"), N_("state")),
            [(str(c.id), c.as_, c.state) for c in view.cases],
        )

    cli.emit(view, show)
