"""The Japanese and English catalogues are complete, and no page text bypasses them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.lexer import TOKEN_DATA

from shokei.web import i18n

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "src" / "shokei"
MAPPING = REPO / "scripts" / "babel.cfg"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _used_msgids() -> set[str]:
    with MAPPING.open(encoding="utf-8") as source:
        method_map, options_map = parse_mapping_cfg(source)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(language: str) -> Catalog:
    with i18n.po_path(language).open("rb") as source:
        return read_po(source, locale=language)


USED = _used_msgids()


def test_the_pages_use_translated_text() -> None:
    assert len(USED) > 200


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_text_has_a_translation(language: str) -> None:
    catalogue = _catalogue(language)
    missing = sorted(msgid for msgid in USED if msgid not in catalogue or not _translated(catalogue, msgid))
    assert not missing, (
        f"{language}: untranslated (run scripts/update-messages.sh, then translate): {missing}"
    )


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_no_translation_is_fuzzy_or_obsolete(language: str) -> None:
    catalogue = _catalogue(language)
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    unused = [m.id for m in catalogue if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in USED]
    assert not fuzzy, f"{language}: fuzzy entries are not used at run time: {fuzzy}"
    assert not unused, f"{language}: entries no page uses (run scripts/update-messages.sh): {unused}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message in _catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted, (language, message.id, text)
            assert set(PLACEHOLDER.findall(text)) >= set(PLACEHOLDER.findall(ids[0])) - {"num"}, (
                language,
                message.id,
            )


def _translated(catalogue: Catalog, msgid: str) -> bool:
    message = catalogue[msgid]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def _has_words(msgid: str) -> bool:
    """Whether a msgid holds words, not only placeholders and punctuation (a quotation or a
    bracket that Japanese writes full-width: 「%(state)s」, %(mark)s（%(detail)s）)."""
    return bool(re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", msgid)))


def test_japanese_is_really_japanese() -> None:
    catalogue = _catalogue("ja")
    latin_only = [
        m.id
        for m in catalogue
        if m.id
        and m.string
        and _has_words(str(m.id))
        and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(m.string))
    ]
    assert set(latin_only) <= {"SHA-256"}, latin_only


def test_punctuation_alone_is_written_full_width_in_japanese() -> None:
    """A msgid of placeholders and punctuation is marked only because Japanese punctuates it
    otherwise: its translation keeps no ASCII bracket or quotation mark."""
    catalogue = _catalogue("ja")
    punctuation = [m for m in catalogue if m.id and isinstance(m.id, str) and not _has_words(m.id)]
    assert punctuation, "the quotation of a state and the mark beside its detail are in the catalogue"
    for message in punctuation:
        assert not re.search(r"[()'\[\]\"]", PLACEHOLDER.sub("", str(message.string))), message.id


TEMPLATES = sorted(SOURCE.glob("*/templates/**/*.html"))
_TAG = re.compile(r"<[^>]*>", re.S)
_WORDS = re.compile(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]{2,}")
_TEXT_ATTRIBUTES = re.compile(r'\s(?:title|alt|placeholder|aria-label|data-msg-[\w-]+)="([^"{]*)"')


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_templates_hold_no_untranslated_words(template: Path) -> None:
    """Text between tags and in the attributes people read must come from the catalogue."""
    source = template.read_text(encoding="utf-8")
    environment = Environment(extensions=["jinja2.ext.i18n"])
    literal = "".join(value for _line, kind, value in environment.lex(source) if kind == TOKEN_DATA)
    for attribute in _TEXT_ATTRIBUTES.findall(literal):
        assert not _WORDS.search(attribute), f"{template.name}: untranslated attribute text {attribute!r}"
    text = _TAG.sub(" ", literal)
    words = [w for w in _WORDS.findall(text) if w not in {"nbsp", "amp"}]
    assert not words, f"{template.name}: words outside the catalogue: {words}"
