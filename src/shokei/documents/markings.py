"""Export-control, secrecy and handling markings found in a document's text.

The text is NFKC-normalised first (full-width ＳＥＣＲＥＴ and half-width ｶﾅ become ordinary
characters; ㊙ is read as the stamp 【秘】). Rules against false positives:

- 秘 alone counts only as a stamp: neither neighbour may be a letter (kanji, kana or Latin),
  so 秘書 (secretary), 神秘 (mystery), 秘める and 秘密保持契約 do not; 【秘】, (秘), 区分: 秘 do.
- 省秘 must not follow a letter (防衛省秘密..., 反省秘話 are words, not the marking).
- 注意 alone counts only as a stamp: in brackets (【注意】, (注意), [注意], 〔注意〕, 「注意」...) or
  alone on its line. 注意 in running prose (ご注意ください, 注意事項) does not. 取扱注意 always does.
- 該当 counts only beside export-control words on the same line (該非, 輸出, 外為法, リスト規制,
  ECCN...), or as a stamp, and never as 該当なし/該当しない; 非該当 and 該非判定 always count.
- SECRET, TOP SECRET and CONFIDENTIAL are ordinary English words, so they count in capitals
  (as stamped) or when a line holds nothing else ("Confidential", "Company Confidential");
  "secretary", "a secret recipe" or "confidential information" in prose do not.
- ECCN codes (3A001, 5E002.a...) count only on a line that speaks of export control (ECCN, EAR,
  export, 輸出, 該非), since the same five characters are common part numbers.

`find_markings` returns canonical names, each once, in the catalogue order below (gravest
secrecy first, then handling, then export control); ECCN codes and distribution statements are
sorted among themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_OPENING_BRACKETS = "【[(〔〈《「『<［"
_CLOSING_BRACKETS = "】])〕〉》」』>］"
_BRACKET_REACH = 4  # spaces tolerated between a bracket and the stamped word
_EXPORT_CONTEXT = re.compile(
    r"該非|輸出|外為法|外国為替|リスト規制|キャッチオール|ECCN|(?<![A-Za-z])EAR(?![A-Za-z])|export",
    re.IGNORECASE,
)
_NEGATED_APPLICABLE = re.compile(r"(?:なし|無し|せず|しない|しません)")

Condition = Callable[[str, "re.Match[str]"], bool]


def _always(text: str, match: re.Match[str]) -> bool:
    return True


def _neighbours(text: str, match: re.Match[str]) -> tuple[str, str]:
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return before, after


def _standalone(text: str, match: re.Match[str]) -> bool:
    before, after = _neighbours(text, match)
    return not before.isalpha() and not after.isalpha()


def _not_after_letter(text: str, match: re.Match[str]) -> bool:
    before, _ = _neighbours(text, match)
    return not before.isalpha()


def _line(text: str, match: re.Match[str]) -> str:
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start : end if end != -1 else len(text)]


def _stamped(text: str, match: re.Match[str]) -> bool:
    """In brackets (spaces allowed inside), or alone on its line."""
    before = text[max(match.start() - _BRACKET_REACH, 0) : match.start()].rstrip(" ")[-1:]
    after = text[match.end() : match.end() + _BRACKET_REACH].lstrip(" ")[:1]
    if before and after and before in _OPENING_BRACKETS and after in _CLOSING_BRACKETS:
        return True
    return _line(text, match).strip() == match.group()


def _export_context(text: str, match: re.Match[str]) -> bool:
    line = _line(text, match)
    return bool(_EXPORT_CONTEXT.search(line.replace(match.group(), " ", 1)))


def _applicable(text: str, match: re.Match[str]) -> bool:
    if _NEGATED_APPLICABLE.match(text, match.end()):
        return False
    return _stamped(text, match) or _export_context(text, match)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    name: str  # canonical name; "{0}" is filled with the normalised first group
    condition: Condition = _always

    def names(self, text: str) -> list[str]:
        return [
            self.name.format(_canonical_group(match))
            for match in self.pattern.finditer(text)
            if self.condition(text, match)
        ]


def _canonical_group(match: re.Match[str]) -> str:
    if not match.groups():
        return ""
    group = match.group(1)
    return group[:5].upper() + group[5:].lower()  # ECCN 3A001.a.1; statement letters upper


def _ascii_word(word: str) -> str:
    """`word` not glued to other Latin letters or digits (works beside kanji, unlike \\b)."""
    return rf"(?<![A-Za-z0-9]){word}(?![A-Za-z0-9])"


_ALONE_ON_LINE = r"^[^\w\n]*(?:(?:company|strictly)[ ])?{0}[^\w\n]*$"

_CATALOGUE: tuple[_Rule, ...] = (
    _Rule(re.compile(r"特別防衛秘密"), "特別防衛秘密"),
    _Rule(re.compile(r"特定秘密(?!保護法|の保護に関する法律)"), "特定秘密"),
    _Rule(re.compile(r"(?<!特別)防衛秘密"), "防衛秘密"),
    _Rule(re.compile(r"装備品等秘密"), "装備品等秘密"),
    _Rule(re.compile(_ascii_word("TOP SECRET")), "TOP SECRET"),
    _Rule(re.compile(_ALONE_ON_LINE.format("top secret"), re.I | re.M), "TOP SECRET"),
    _Rule(re.compile(r"(?<!TOP )" + _ascii_word("SECRET")), "SECRET"),
    _Rule(re.compile(_ALONE_ON_LINE.format("secret"), re.I | re.M), "SECRET"),
    _Rule(re.compile(_ascii_word("CONFIDENTIAL")), "CONFIDENTIAL"),
    _Rule(re.compile(_ALONE_ON_LINE.format("confidential"), re.I | re.M), "CONFIDENTIAL"),
    _Rule(re.compile(r"省秘"), "省秘", _not_after_letter),
    _Rule(re.compile(r"秘"), "秘", _standalone),
    _Rule(re.compile(r"部外秘"), "部外秘"),
    _Rule(re.compile(r"社外秘"), "社外秘"),
    _Rule(re.compile(r"取り?扱い?注意"), "取扱注意"),
    _Rule(re.compile(r"注意"), "注意", _stamped),
    _Rule(re.compile(_ascii_word("ITAR")), "ITAR"),
    _Rule(re.compile(r"International Traffic in Arms Regulations?", re.I), "ITAR"),
    _Rule(re.compile(r"EXPORT[ -]CONTROLL?ED", re.I), "EXPORT CONTROLLED"),
    _Rule(re.compile(r"輸出管理"), "輸出管理"),
    _Rule(re.compile(r"該非判定"), "該非判定"),
    _Rule(re.compile(r"非該当"), "非該当"),
    _Rule(re.compile(r"(?<!非)該当"), "該当", _applicable),
    _Rule(re.compile(_ascii_word("EAR ?99"), re.I), "EAR99"),
    _Rule(
        re.compile(r"(?<![A-Za-z0-9])([0-9][A-E][0-9]{3}(?:\.[A-Za-z0-9]+)*)(?![A-Za-z0-9])", re.I),
        "ECCN {0}",
        _export_context,
    ),
    _Rule(
        re.compile(r"DISTRIBUTION STATEMENT ([A-F])(?![A-Za-z0-9])", re.I),
        "DISTRIBUTION STATEMENT {0}",
    ),
)
_SORTED_FAMILIES = ("ECCN ", "DISTRIBUTION STATEMENT ")


def normalise(text: str) -> str:
    """NFKC, ㊙ as a bracketed stamp, one space for runs of spaces and tabs, `\\n` line ends."""
    text = text.replace("\u3299", "【秘】")  # NFKC would make ㊙ a bare 秘 glued to its neighbours
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\u3000]+", " ", text)


def find_markings(text: str) -> list[str]:
    """Canonical names of the markings in `text`, deduplicated, in catalogue order."""
    normalised = normalise(text)
    found: dict[str, None] = {}
    for rule in _CATALOGUE:
        names = rule.names(normalised)
        if rule.name.startswith(_SORTED_FAMILIES):
            names.sort()
        for name in names:
            found.setdefault(name)
    return list(found)
