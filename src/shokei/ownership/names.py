"""Japanese company names reduced to what tells companies apart, for matching.

株式会社トヨタ自動車, トヨタ自動車株式会社, ㈱トヨタ自動車 and Toyota Motor Co., Ltd. turn up for
one company across registers, invoices and filings: the legal form stands in front (前株), behind
(後株), abbreviated (㈱, (株)) or in English, in full- or half-width characters. Matching on the
name only finds candidates; the corporate number (法人番号) decides, because 株式会社A and
A株式会社 may legally be two companies."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# After NFKC, ㈱ and （株） are both "(株)", ㍿ is 株式会社, full-width Latin is ASCII and
# half-width katakana is full-width. Bank and payroll files spell legal forms in katakana: in
# full (カブシキガイシャ), or as the one-letter zengin abbreviations (カ), (ユ), (ド) in front
# ("カ)トヨタ") or behind ("トヨタ(カ").
_JAPANESE_LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有|同|資|名)\)"
    r"|カブシキガイシャ|カブシキカイシャ|ユウゲンガイシャ|ゴウドウガイシャ"
    r"|\((?:カ|ユ|ド)\)|^(?:カ|ユ|ド)\)|\((?:カ|ユ|ド)$"
)
# English forms, matched as whole Latin words, longest first so "Co., Ltd." goes as one piece.
# The edges look only at Latin letters and digits: to `\b` kana and kanji are word characters
# too, and "ソニーK.K." must lose its "K.K." all the same.
_ENGLISH_LEGAL_FORMS = re.compile(
    r"(?<![a-z0-9])(?:co\s*\.?\s*,?\s*ltd|company\s*,?\s*limited|kabushiki\s+[kg]aisha"
    r"|k\s*\.\s*k|incorporated|inc|corporation|corp|limited|ltd|llc)(?![a-z0-9])\.?",
    re.IGNORECASE,
)
# Spaces and the punctuation around legal forms carry no identity: "トヨタ・自動車" is a styling.
_SEPARATORS = re.compile(r"[\s,.・･、。'\"`]+")


def normalize_company_name(name: str) -> str:
    """The name without legal-form words, spaces or separating punctuation; NFKC, casefolded."""
    text = unicodedata.normalize("NFKC", name)
    text = _JAPANESE_LEGAL_FORMS.sub(" ", text)
    text = _ENGLISH_LEGAL_FORMS.sub(" ", text)
    return _SEPARATORS.sub("", text).casefold()


def same_company_name(first: str, second: str) -> bool:
    """Whether two names can be the same company once legal forms and styling are set aside.

    A name that is nothing but a legal form matches nothing: it tells no company apart.
    """
    normalized = normalize_company_name(first)
    return bool(normalized) and normalized == normalize_company_name(second)


def name_similarity(first: str, second: str) -> float:
    """How alike two company names are once normalised: 1.0 the same, 0.0 nothing in common.

    The ratio of matching characters (difflib's Ratcliff-Obershelp measure) over the normalised
    names, so a shared legal form adds nothing. A name that normalises to nothing scores 0.
    """
    left, right = normalize_company_name(first), normalize_company_name(second)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()
