"""The notices' texts in Japanese and English (`messages/ja.toml`, `messages/en.toml`): a subject
and body per occasion (a survey answer's own, `survey_<occasion>`), with what the duty asks for
from the deadlines catalogue. Notices name the case or survey, the duty, its due date and a link,
never a document's content nor an answer's."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from shokei.deadlines.catalogue import what
from shokei.notifications.domain import Occasion

LANGUAGES = ("ja", "en")


@cache
def catalogue(language: str) -> dict[str, Any]:
    text = (resources.files("shokei.notifications") / "messages" / f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def render(
    language: str,
    occasion: Occasion,
    *,
    kind: str,
    case_id: int | None,
    due: date,
    link: str,
    days: int,
    survey_id: int | None = None,
) -> tuple[str, str]:
    """(subject, body) of one notice in one language: a case's duty, or a survey answer."""
    messages = catalogue(language)
    values = {
        "what": what(kind, language),
        "case_id": case_id,
        "survey_id": survey_id,
        "due": due.isoformat(),
        "link": link,
        "days": days,
    }
    entry = messages[f"survey_{occasion.value}" if survey_id is not None else occasion.value]
    return entry["subject"].format(**values), entry["body"].format(**values)


def compose(
    occasion: Occasion,
    *,
    kind: str,
    case_id: int | None,
    due: date,
    link: str,
    days: int,
    survey_id: int | None = None,
) -> tuple[str, str]:
    """The notice: a Japanese subject, and the Japanese body followed by the English one."""
    subject, body_ja = render(
        "ja", occasion, kind=kind, case_id=case_id, due=due, link=link, days=days, survey_id=survey_id
    )
    _, body_en = render(
        "en", occasion, kind=kind, case_id=case_id, due=due, link=link, days=days, survey_id=survey_id
    )
    return subject, f"{body_ja}\n\n----- English -----\n\n{body_en}\n"
