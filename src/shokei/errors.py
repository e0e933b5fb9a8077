"""The error vocabulary every adapter translates: CLI exit codes and HTTP Problem Details.

A refusal a user must act on is raised with a `Text` (a msgid of the ja/en gettext catalogue,
`shokei/web/locale`, with its parameters) instead of an English string: `message` keeps the
English rendering (logs, the CLI in an English locale), and each adapter renders `text` in its
user's language (`localised`): the pages in the session's language, the API by Accept-Language,
the CLI by LANG. Msgids are marked with `N_` where they are written, so
`scripts/update-messages.sh` extracts them beside the pages' texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a msgid for the catalogue where it is written; it is translated where it is shown."""
    return message


def _same(message: str) -> str:
    return message


@dataclass(frozen=True, slots=True)
class Text:
    """A message as data: a catalogue msgid (English, with `%(name)s` placeholders) and its
    parameters; a parameter may itself be a `Text` (a rule's evidence inside a refusal), or a
    tuple of them (joined with "; "). A msgid of placeholders and punctuation only is left
    unmarked where it reads the same in both languages, and marked where Japanese punctuates
    otherwise (a quotation, 「%(state)s」; brackets, %(mark)s（%(detail)s）; a label beside its
    detail, %(rule)s：%(evidence)s)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = _same) -> str:
        """The text in the language `gettext` translates to (English with the default)."""
        values = {name: _render(value, gettext) for name, value in self.params.items()}
        return gettext(self.msgid) % values if values else gettext(self.msgid)

    def __str__(self) -> str:
        return self.render()


def _render(value: Any, gettext: Callable[[str], str]) -> Any:
    if isinstance(value, Text):
        return value.render(gettext)
    if isinstance(value, tuple) and value and all(isinstance(item, Text) for item in value):
        return "; ".join(item.render(gettext) for item in value)
    return value


def text(msgid: str, **params: Any) -> Text:
    return Text(msgid, params)


# -- a message stored in a text column (a suspension's reason, a timeline note) ------------------
# Stored as JSON (`{"msgid": ..., "params": {...}}`, a nested Text likewise) so that each reader
# renders it in its language; a column written before messages were data holds free text, shown
# as written.
_STORED_PREFIX = '{"msgid":'


def stored(message: str | Text) -> str:
    """What a text column keeps of `message`: a `Text` as JSON, a string (typed by a user) as is."""
    if isinstance(message, str):
        return message
    return json.dumps(_encoded(message), ensure_ascii=False, separators=(",", ":"))


def _encoded(message: Text) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in message.params.items():
        if isinstance(value, Text):
            params[name] = _encoded(value)
        elif isinstance(value, tuple) and value and all(isinstance(item, Text) for item in value):
            params[name] = [_encoded(item) for item in value]
        else:
            params[name] = value
    return {"msgid": message.msgid, "params": params}


def from_stored(value: str) -> Text:
    """The message a text column holds: the stored `Text`, or free text as a message that reads
    the same in every language."""
    if value.startswith(_STORED_PREFIX):
        try:
            return _decoded(json.loads(value))
        except (ValueError, KeyError, TypeError):
            pass
    return Text("%(text)s", {"text": value})


def _decoded(data: Mapping[str, Any]) -> Text:
    params: dict[str, Any] = {}
    for name, value in dict(data.get("params") or {}).items():
        if isinstance(value, dict) and "msgid" in value:
            params[name] = _decoded(value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            params[name] = tuple(_decoded(item) for item in value)
        else:
            params[name] = value
    return Text(str(data["msgid"]), params)


def stored_english(value: str | None) -> str | None:
    """A stored message's English (logs, the API, the CLI's JSON): free text as written."""
    return None if value is None else from_stored(value).render()


class ShokeiError(Exception):
    """Base of every error a user can cause: `message` in English, `text` (when raised with a
    `Text`) rendered in the user's language by the adapters (`localised`)."""

    exit_code = 1
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str | Text) -> None:
        self.text = message if isinstance(message, Text) else None
        rendered = message.render() if isinstance(message, Text) else message
        super().__init__(rendered)
        self.message = rendered

    def localised(self, gettext: Callable[[str], str]) -> str:
        """The message in the language `gettext` translates to (as is when raised with a string)."""
        return self.text.render(gettext) if self.text is not None else self.message


class BadInput(ShokeiError):
    exit_code = 2
    http_status = 422
    title = "Invalid input"


class NotFound(ShokeiError):
    exit_code = 3
    http_status = 404
    title = "Not found"


class Forbidden(ShokeiError):
    """Refused by role, need-to-know or separation of duties."""

    exit_code = 3
    http_status = 403
    title = "Forbidden"


class TooLarge(ShokeiError):
    """More bytes than a limit allows (an upload, or what a case may hold)."""

    exit_code = 2
    http_status = 413
    title = "Content too large"


class Unauthenticated(ShokeiError):
    exit_code = 3
    http_status = 401
    title = "Authentication required"


class Conflict(ShokeiError):
    """The world changed under the request: a concurrent change, or a state that forbids it."""

    exit_code = 4
    http_status = 409
    title = "Conflict"


class IntegrityFailure(ShokeiError):
    """Stored data failed a cryptographic or hash check."""

    exit_code = 5
    http_status = 500
    title = "Integrity failure"
