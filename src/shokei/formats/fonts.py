"""The Japanese TrueType font Shokei embeds in the PDFs it writes (program reports, copy stamps).

Debian's fonts-ipaexfont (IPAex Gothic; `make browser` installs it), then the
fonts-japanese-gothic alternative; `SHOKEI_REPORT_FONT` points at another TrueType font.
"""

from __future__ import annotations

import os
from pathlib import Path

FONT_VARIABLE = "SHOKEI_REPORT_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


def japanese_font_path() -> Path | None:
    """The first Japanese TrueType font present (the variable first), or None."""
    for candidate in (os.environ.get(FONT_VARIABLE, ""), *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None
