"""The terms a successor (and any approved subcontractor) accepts before documents are released.

The text is versioned and digested: the acceptance record stores `TERMS_VERSION` and
`terms_digest()`, so the ledger shows exactly which wording was accepted. Changing a word
means a new version; the digest of the old one no longer matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from shokei.formats.marking.base import DeliveryTerms

TERMS_VERSION = "2026-1"
Language = Literal["ja", "en"]


@dataclass(frozen=True, slots=True)
class Term:
    """One condition of acceptance, in Japanese (authoritative) and English."""

    key: str
    ja: str
    en: str


ACCEPTANCE_TERMS: tuple[Term, ...] = (
    Term(
        "no_transfer_abroad",
        "本件文書及びその複製物を日本国外に持ち出し、又は外国の者（非居住者及び外国に所在する法人"
        "その他の団体をいう。）に提供してはならない。",
        "The documents and any copy of them must not be taken out of Japan or provided to a "
        "foreign person (a non-resident, or a company or other body located abroad).",
    ),
    Term(
        "no_further_transfer_without_approval",
        "防衛省の事前の承認なく、本件文書を第三者（下請負者を含む。）に提供してはならない。"
        "承認を受けた提供は、本システムの提供登録を通じて行い、提供先の複製物も追跡可能とする。",
        "The documents must not be provided to any third party, subcontractors included, without "
        "the prior approval of the Ministry of Defense. Approved transfers go through this "
        "system's dissemination register, and the recipient's copy is traceable as well.",
    ),
    Term(
        "protection_of_marked_documents",
        "秘密表示、輸出管理表示その他の表示が付された文書は当該表示に従って管理し、"
        "表示、複製番号及び識別情報を除去し、又は改変してはならない。",
        "Documents bearing classification, export-control or other markings must be handled as "
        "the markings require; markings, copy numbers and identification must not be removed or "
        "altered.",
    ),
    Term(
        "destruction_on_termination",
        "承継の終了時又は防衛省から求めがあったときは、本件文書及びその全ての複製物を速やかに"
        "廃棄し、廃棄証明書を提出しなければならない。",
        "When the succession ends, or when the Ministry of Defense so requests, the documents and "
        "every copy of them must be destroyed promptly and a certificate of destruction submitted.",
    ),
)


def terms_text(language: Language) -> str:
    """The numbered terms in one language, as shown to the successor before acceptance."""
    heading = "承継文書の受領条件" if language == "ja" else "Terms of acceptance of succession documents"
    lines = [f"{heading} ({TERMS_VERSION})"]
    for number, term in enumerate(ACCEPTANCE_TERMS, start=1):
        lines.append(f"{number}. {term.ja if language == 'ja' else term.en}")
    return "\n".join(lines) + "\n"


def terms_digest() -> str:
    """SHA-256 (hex) of both language versions: what an acceptance record pins."""
    both = terms_text("ja") + "\n" + terms_text("en")
    return hashlib.sha256(both.encode()).hexdigest()


def delivery_terms() -> DeliveryTerms:
    """The current terms as a ZIP delivery states them (version, digest, full wording)."""
    return DeliveryTerms(TERMS_VERSION, terms_digest(), f"{terms_text('ja')}\n{terms_text('en')}")
