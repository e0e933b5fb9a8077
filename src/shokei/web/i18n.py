"""Translations: Japanese by default, English on request; every visible text is a catalogue entry.

Catalogues are the `.po` files under `locale/` (msgids in English). They are read and compiled in
memory when first needed, so no build step produces `.mo` files and none can go stale.
The active language is a context variable set around each rendering (`activate`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from shokei.errors import Text

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}  # each in its own language, never translated

_active: ContextVar[str] = ContextVar("shokei_language", default=DEFAULT_LANGUAGE)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they fall back to the msgid
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def normalise(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def activate(language: str) -> Iterator[None]:
    token = _active.set(normalise(language))
    try:
        yield
    finally:
        _active.reset(token)


def current_language() -> str:
    return _active.get()


def gettext(message: str) -> str:
    return translations(_active.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_active.get()).ungettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is defined; it is translated where it is shown."""
    return message


def label(labels: dict[str, str], value: str) -> str:
    """The translated label of a stored code (a state, a rule, a status); the code itself when unlabelled."""
    msgid = labels.get(value)
    return gettext(msgid) if msgid else value


def message(text: Text | None, fallback: str = "") -> str:
    """A service's message (`shokei.errors.Text`) in the active language; `fallback` (its English
    rendering, or a value no catalogue knows) when there is none."""
    return text.render(gettext) if text is not None else fallback
