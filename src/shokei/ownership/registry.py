"""Finding the registry company an imported entity is: by identifier first, then by name.

An identifier (the 法人番号 as `JP-JCN-...`, or a foreign register's id) links an entity to a
company outright. A name never does, however close: 株式会社A and A株式会社 can be two legal
persons, and the registry holds defense suppliers, not every company in Japan, so a name that
matches the only registry company of that name may still belong to another. Names therefore
only propose candidates, which an official accepts or rejects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shokei.companies.schemas import CompanyView
from shokei.ownership.bods import JAPAN_CORPORATE_NUMBER_SCHEME, parse_identifier
from shokei.ownership.domain import JAPAN, EntityKind, Party
from shokei.ownership.names import name_similarity, normalize_company_name

# Candidates at or above this similarity go to the review queue (see names.name_similarity):
# "トヨタ自動車" and "トヨタ自動車販売" (0.86) are worth a look, "トヨタ紡織" (0.55) is not.
REVIEW_FROM = 0.8
MAX_CANDIDATES = 5
_MATCHED_KINDS = frozenset({EntityKind.REGISTERED_COMPANY, EntityKind.FOREIGN_COMPANY, EntityKind.UNKNOWN})


def _bigrams(text: str) -> set[str]:
    return {text[position : position + 2] for position in range(len(text) - 1)} or {text}


@dataclass
class RegistryIndex:
    """The registry's companies, indexed by corporate number, foreign id and name pieces."""

    companies: Sequence[CompanyView]
    by_number: dict[str, CompanyView] = field(init=False)
    by_foreign_id: dict[str, CompanyView] = field(init=False)
    _names: list[str] = field(init=False)
    _postings: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_number = {c.corporate_number: c for c in self.companies if c.corporate_number}
        self.by_foreign_id = {c.foreign_id.upper(): c for c in self.companies if c.foreign_id}
        self._names = [normalize_company_name(company.name) for company in self.companies]
        self._postings = {}
        for position, name in enumerate(self._names):
            for piece in _bigrams(name) if name else ():
                self._postings.setdefault(piece, []).append(position)

    def by_identifiers(self, identifiers: Iterable[str]) -> CompanyView | None:
        """The company one of `identifiers` names: a corporate number, or country + register id."""
        for text in identifiers:
            scheme, identifier = parse_identifier(text)
            if scheme == JAPAN_CORPORATE_NUMBER_SCHEME and identifier in self.by_number:
                return self.by_number[identifier]
            foreign = self.by_foreign_id.get(f"{scheme[:2]}-{identifier}".upper())
            if foreign is not None:
                return foreign
        return None

    def name_candidates(self, party: Party) -> list[tuple[CompanyView, float]]:
        """Registry companies whose names resemble the party's, best first (ties by id)."""
        if party.kind not in _MATCHED_KINDS:
            return []
        wanted = normalize_company_name(party.name)
        if not wanted:
            return []
        pieces = _bigrams(wanted)
        shared = Counter(position for piece in pieces for position in self._postings.get(piece, ()))
        scored = [
            (self.companies[position], name_similarity(party.name, self.companies[position].name))
            for position, count in shared.items()
            if count * 2 >= len(pieces) and self._same_side(party, self.companies[position])
        ]
        found = [(company, score) for company, score in scored if score >= REVIEW_FROM]
        found.sort(key=lambda pair: (-pair[1], pair[0].id))
        return found[:MAX_CANDIDATES]

    @staticmethod
    def _same_side(party: Party, company: CompanyView) -> bool:
        """A Japanese (or unplaced) entity is compared with Japanese companies, a foreign one
        with companies of its own country."""
        if party.country in (None, JAPAN):
            return company.country == JAPAN
        return company.country == party.country
