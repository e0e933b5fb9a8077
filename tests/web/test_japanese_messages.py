"""Every error, refusal, rule result and flash the code can produce reads in Japanese.

The messages are enumerated from the code itself: every msgid marked where it is written (`N_`
for the services' `Text`, `_`/`gettext`/`ngettext` for the pages' flashes) in
`src/shokei/**/*.py`, rendered as the adapters render them (`Text.render` through the Japanese
catalogue, each parameter filled). A rendering fails when it still holds an English sentence:
three ASCII words in a row, once codes a user types (`shokei ...` commands, `--options`,
environment variables, file formats) and the proper names of standards are set aside. A second
test fails on a message without both translations, and a third on a service raising an error
with an English sentence instead of a catalogue message.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from shokei.errors import Text
from shokei.web import i18n

SOURCE = Path(__file__).resolve().parents[2] / "src" / "shokei"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-0-9.]*([sdf])")

# What a Japanese sentence may quote in ASCII: commands and options a user types, field and
# environment names, and the proper names of standards and formats.
CODE = re.compile(
    r"`[^`]*`"  # a command, quoted
    r"|'[^']*'"  # a value or header, quoted
    r"|--[a-z][\w-]*(?:\s+[A-Za-z|]+(?=\s|$|）))?"  # an option and its metavariable
    r"|\b[A-Z][A-Z0-9_]{2,}\b"  # SHOKEI_USER, SHA-256's SHA, ASCII
    r"|\b\w+(?:[_.]\w+)+\b"  # owner_kind, checkpoint.tree_size, name@example.go.jp
    r"|\b\w+(?:[-/]\w+)+\b"  # multipart/form-data, Content-Transfer-Encoding, ISO 3166-1
)
PROPER_NAMES = ("ISO 3166-1 alpha-2", "Ed25519", "Shokei", "PostgreSQL", "SQLite", "Bearer")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")
FILLER = "〇"


def _marked_messages() -> Iterator[tuple[str, str | tuple[str, str]]]:
    """(where, message) of every message marked in the Python code (a plural as a pair)."""
    for path in sorted(SOURCE.rglob("*.py")):
        for lineno, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
            if message and all(message):
                yield f"{path.relative_to(SOURCE)}:{lineno}", message


MESSAGES = sorted({message: where for where, message in _marked_messages()}.items(), key=str)


def english_sentences(text: str) -> list[str]:
    """The English sentences left in `text` once codes and proper names are set aside."""
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return ENGLISH_SENTENCE.findall(CODE.sub(" ", text))


def english_sentence(text: str) -> str | None:
    """The first English sentence left in `text`, if any."""
    return next(iter(english_sentences(text)), None)


def render_japanese(message: str | tuple[str, str]) -> str:
    """The message as a Japanese user reads it (a plural for two), each parameter filled."""
    with i18n.activate("ja"):
        if isinstance(message, tuple):
            return i18n.ngettext(*message, 2) % {name: 2 for name, _kind in PLACEHOLDER.findall(message[1])}
        params = {name: FILLER if kind == "s" else 2 for name, kind in PLACEHOLDER.findall(message)}
        return Text(message, params).render(i18n.gettext)


def test_the_detector_finds_english_and_spares_codes() -> None:
    assert english_sentence("'submit' refused: the document inventory is empty") is not None
    assert english_sentence("詳細： successor may not documents:content:read") is not None
    assert english_sentence("--format と --out は併せて指定してください") is None
    assert english_sentence("`shokei handover release 12` を使用してください") is None
    assert english_sentence("国CNは ISO 3166-1 alpha-2 コードで入力してください") is None
    assert english_sentence("owner_kind 〇 は次のいずれでもありません") is None


def test_the_code_marks_its_messages() -> None:
    """The enumeration is not vacuous: the services' refusals are among the marked messages."""
    msgids = {message for message, _where in MESSAGES}
    assert len(msgids) > 800
    assert "the commitment was already carried over into FY%(line_year)s; it is carried once" in msgids
    assert "Wrong username or password." in msgids


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_has_a_translation(language: str) -> None:
    with i18n.po_path(language).open("rb") as source:
        catalogue = read_po(source, locale=language)
    missing = []
    for message, where in MESSAGES:
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid not in catalogue or not all(_strings(catalogue[msgid].string)):
            missing.append(f"{where}: {msgid}")
    assert not missing, f"{language}: no translation (run scripts/update-messages.sh): {missing}"


def test_every_message_reads_in_japanese() -> None:
    english = [
        f"{where}: {message!r} → {rendered!r}"
        for message, where in MESSAGES
        if english_sentence(rendered := render_japanese(message))
    ]
    assert not english, "English left in the Japanese rendering:\n" + "\n".join(english)


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """ShokeiError and every class deriving from it in the code (by name, to any depth)."""
    names = {
        "ShokeiError",
        "BadInput",
        "Forbidden",
        "Conflict",
        "NotFound",
        "Unauthenticated",
        "IntegrityFailure",
    }
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:
        found = {
            node.name
            for node in classes
            if any(getattr(base, "id", getattr(base, "attr", "")) in names for base in node.bases)
        }
        grown = not found <= names
        names |= found
    return names


def _english_refusals(path: Path, tree: ast.Module, errors: set[str]) -> Iterator[str]:
    """Errors raised with a string literal: English no catalogue translates."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in errors and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
            yield f"{path.relative_to(SOURCE)}:{node.lineno}"


def test_errors_are_raised_with_catalogue_messages() -> None:
    """A refusal is a `Text` (or a page's `_()`), never an English string: the Japanese user
    reads it in Japanese, and the rendering above covers it."""
    sources = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SOURCE.rglob("*.py"))}
    errors = _error_classes(list(sources.values()))
    assert {"GuardRefused", "DeterminationRefused", "NotCertifiedForSecrets"} <= errors
    found = [where for path, tree in sources.items() for where in _english_refusals(path, tree, errors)]
    assert not found, f"raise with Text(N_(...)) instead of a string: {found}"


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)
