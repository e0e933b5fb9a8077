"""The `--help` of `shokei` and of every command in the user's language: Japanese when LANG is
Japanese (`cli_language`), Typer's own page otherwise. Every group is a `LocalisedGroup` and every
command a `LocalisedCommand` (`cli_support.command` gives it); their help texts are catalogue
messages marked in the generated `shokei.cli_help_messages` (scripts/cli-help-messages.py).

Importing it loads no database, web or feature code (`shokei --help` imports it); the catalogue is
read only when a page is shown in Japanese."""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from typer.core import TyperCommand, TyperGroup

from shokei.errors import N_


def cli_language() -> str:
    """Japanese when the user's locale is Japanese (LC_ALL, LC_MESSAGES or LANG, as gettext reads
    them), English otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


# Typer's own words in a help page (its panels' titles and the notes after an option's help), by
# the name of the constant typer.rich_utils reads them from when it lays the page out.
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
USAGE = N_("Usage:")
# Click's help of every `--help` option (not in any docstring of ours).
HELP_OPTION = N_("Show this message and exit.")


def help_paragraphs(text: str) -> list[str]:
    """The msgids of a command's or group's help (its docstring or `help=`): the paragraphs of the
    text Typer shows (cleaned, up to a form feed), each translated on its own, so the first one,
    which `shokei --help` lists, is the same msgid there (the manifest's stand-ins) and on the
    command's own page."""
    return inspect.cleandoc(text).partition("\f")[0].split("\n\n")


class _LocalisedHelp:
    """A command's or group's `--help` in the CLI user's language: under a Japanese locale its
    help, its parameters' and its subcommands' help and Typer's own words are put through the
    catalogue while the page is laid out, then put back (a process may show help in either
    language); otherwise the page is Typer's, byte for byte."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if cli_language() == "en":
            super().format_help(ctx, formatter)  # type: ignore[misc]
            return
        with _help_in_japanese(self, ctx):
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        if cli_language() == "en":
            super().format_usage(ctx, formatter)  # type: ignore[misc]
            return
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=f"{_in_japanese(USAGE)} ")


class LocalisedCommand(_LocalisedHelp, TyperCommand):
    """Every command's class (`command` gives it): its `--help` in the user's language."""


class LocalisedGroup(_LocalisedHelp, TyperGroup):
    """Every group's class (`typer.Typer(cls=LocalisedGroup)`): its `--help` in the user's language."""


@contextmanager
def _help_in_japanese(shown: Any, ctx: Any) -> Iterator[None]:
    from typer import rich_utils  # noqa: PLC0415 - Typer loads it to lay out any help page

    from shokei.web import i18n  # noqa: PLC0415 - the catalogue is read only for a Japanese page

    saved: list[tuple[Any, str, Any]] = []

    def put(owner: Any, name: str, value: Any) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    with i18n.activate("ja"):
        gettext = i18n.gettext
        for constant, msgid in _TYPER_WORDS.items():
            put(rich_utils, constant, gettext(msgid))
        commands = [shown]
        if isinstance(shown, TyperGroup):
            commands += [shown.get_command(ctx, name) for name in shown.list_commands(ctx)]
        for command in commands:
            if command is None:
                continue
            if command.help:
                put(command, "help", "\n\n".join(gettext(p) for p in help_paragraphs(command.help)))
            if command.short_help:
                put(command, "short_help", gettext(command.short_help))
        for param in shown.get_params(ctx):
            if getattr(param, "help", None):
                put(param, "help", gettext(param.help))
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def _in_japanese(msgid: str) -> str:
    from shokei.web import i18n  # noqa: PLC0415 - the catalogue is read only for a Japanese page

    with i18n.activate("ja"):
        return i18n.gettext(msgid)
