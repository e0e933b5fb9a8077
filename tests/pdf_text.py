"""The text a reader sees on a PDF page, for tests of visible markings (a stamp drawn in text
rendering mode 3 is extracted by pypdf but invisible)."""

from __future__ import annotations

from typing import Any

import pypdf


def visible_text(page: pypdf.PageObject) -> str:
    """The text a reader sees on the page: what pypdf extracts, less what is drawn in text
    rendering mode 3 (invisible), following the graphics state through q/Q."""
    modes, shown = [0], []

    def before(operator: bytes, operands: list[Any], *_: object) -> None:
        if operator == b"q":
            modes.append(modes[-1])
        elif operator == b"Q" and len(modes) > 1:
            modes.pop()
        elif operator == b"Tr":
            modes[-1] = int(operands[0])

    def text(value: str, *_: object) -> None:
        if modes[-1] != 3:
            shown.append(value)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return "".join(shown)
