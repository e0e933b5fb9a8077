from __future__ import annotations

import typer

app = typer.Typer(help="The tamper-evident audit ledger.", no_args_is_help=True)
