"""The notices' texts in Japanese and English (`messages/ja.toml`, `messages/en.toml`): a subject
and body per occasion, with what the duty asks for and what it is on from the deadlines
catalogue (a survey answer has its own wording, `survey_<occasion>`), and the daily digest.
Notices name the case or record, the duty, its due date and a link, never a document's content
nor an answer's."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from shokei.deadlines.catalogue import about, what
from shokei.notifications.domain import Occasion

LANGUAGES = ("ja", "en")


@cache
def catalogue(language: str) -> dict[str, Any]:
    text = (resources.files("shokei.notifications") / "messages" / f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True, slots=True)
class DutyLine:
    """One duty as a notice names it: its kind, its case or record, its due date."""

    kind: str
    case_id: int | None
    reference: str | None
    due: date
    survey_id: int | None = None  # a survey answer: its own wording (`survey_<occasion>`)


def _values(language: str, duty: DutyLine) -> dict[str, Any]:
    on = about(duty.kind, duty.case_id, duty.reference, language)
    return {
        "what": what(duty.kind, language),
        "about": on,
        "About": on[:1].upper() + on[1:],
        "due": duty.due,
        "case_id": duty.case_id,
        "survey_id": duty.survey_id,
    }


def render(language: str, occasion: Occasion, duty: DutyLine, *, link: str, days: int) -> tuple[str, str]:
    """(subject, body) of one notice in one language."""
    values = {**_values(language, duty), "link": link, "days": days}
    entry = catalogue(language)[f"survey_{occasion.value}" if duty.survey_id is not None else occasion.value]
    return entry["subject"].format(**values), entry["body"].format(**values)


def compose(occasion: Occasion, duty: DutyLine, *, link: str, days: int) -> tuple[str, str]:
    """The notice: a Japanese subject, and the Japanese body followed by the English one."""
    subject, body_ja = render("ja", occasion, duty, link=link, days=days)
    _, body_en = render("en", occasion, duty, link=link, days=days)
    return subject, _bilingual(body_ja, body_en)


def _bilingual(body_ja: str, body_en: str) -> str:
    return f"{body_ja}\n\n----- English -----\n\n{body_en}\n"


def _digest(language: str, duties: Sequence[DutyLine], today: date, link: str) -> tuple[str, str]:
    entry = catalogue(language)["digest"]
    lines = []
    for duty in duties:
        days = (duty.due - today).days
        left = entry["today"] if days == 0 else entry["left" if days > 0 else "over"].format(days=abs(days))
        lines.append(entry["line"].format(**_values(language, duty), left=left))
    overdue = sum(1 for duty in duties if duty.due < today)
    values = {"count": len(duties), "overdue": overdue, "lines": "\n".join(lines), "link": link}
    return entry["subject"].format(**values), entry["body"].format(**values)


def compose_digest(duties: Sequence[DutyLine], today: date, link: str) -> tuple[str, str]:
    """The daily digest of a user's open duties, most urgent first: Japanese, then English."""
    subject, body_ja = _digest("ja", duties, today, link)
    _, body_en = _digest("en", duties, today, link)
    return subject, _bilingual(body_ja, body_en)


def compose_contents_opened(
    *, case_id: int, actor: str, cause: str, reason: str | None, link: str
) -> tuple[str, str]:
    """The alert to the other program managers that `actor` opened a case's contents on their
    own say (`cause`: break_glass or self_assignment): Japanese, then English. It names the case,
    who, how and the reason they recorded, never a document's content."""

    def one(language: str) -> tuple[str, str]:
        entry = catalogue(language)["contents_opened"]
        values = {
            "case_id": case_id,
            "actor": actor,
            "cause": entry[cause],
            "reason": reason or "-",
            "link": link,
        }
        return entry["subject"].format(**values), entry["body"].format(**values)

    subject, body_ja = one("ja")
    _, body_en = one("en")
    return subject, _bilingual(body_ja, body_en)
