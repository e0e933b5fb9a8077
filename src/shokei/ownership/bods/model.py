"""BODS 0.4 as Shokei reads and writes it: the document, its records, identifiers, codelists."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from shokei.ownership.domain import (
    Directness,
    EntityKind,
    Interest,
    Party,
)

JsonObject = dict[str, Any]
CodeT = TypeVar("CodeT", bound=StrEnum)

BODS_VERSION = "0.4"
JAPAN_CORPORATE_NUMBER_SCHEME = "JP-JCN"
_SCHEME = re.compile(r"[A-Z]{2}-[A-Za-z0-9]+")
_STATEMENT_NAMESPACE = uuid.UUID("5f0c7a8e-2d7b-4c8e-9a57-3b1e6f0d9c21")
_SHARE_FIELDS = {
    "exact": "exact",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}
_PERSON_TYPES = frozenset({"knownPerson", "anonymousPerson", "unknownPerson"})
_KIND_BY_ENTITY_TYPE = {
    "state": EntityKind.STATE,
    "stateBody": EntityKind.STATE,
    "arrangement": EntityKind.ARRANGEMENT,
    "anonymousEntity": EntityKind.UNKNOWN,
    "unknownEntity": EntityKind.UNKNOWN,
}
_COMPANY_ENTITY_TYPES = frozenset({"registeredEntity", "legalEntity"})
_ENTITY_TYPE_BY_KIND = {
    EntityKind.REGISTERED_COMPANY: "registeredEntity",
    EntityKind.FOREIGN_COMPANY: "registeredEntity",
    EntityKind.STATE: "state",
    EntityKind.ARRANGEMENT: "arrangement",
    EntityKind.UNKNOWN: "unknownEntity",
}


class RecordType(StrEnum):
    ENTITY = "entity"
    PERSON = "person"
    RELATIONSHIP = "relationship"


@dataclass(frozen=True)
class StatementProblem:
    """A statement that was not imported: where it stood, its id if it had one, and why."""

    position: int
    statement_id: str | None
    reason: str


@dataclass(frozen=True)
class Relationship:
    """A BODS relationship record: `interested_party` holds `interests` in `subject`."""

    record_id: str
    subject: str
    interested_party: str
    interests: tuple[Interest, ...]
    is_component: bool = False
    component_records: tuple[str, ...] = ()


@dataclass(frozen=True)
class Publication:
    """Who publishes exported statements, and when."""

    publisher_name: str
    publication_date: date


@dataclass(frozen=True)
class IndirectCheck:
    """A declared indirect share beside what the chain of direct stakes gives.

    `computed` is None when a link on the way has no share (`missing_links`, holder then held).
    """

    declared: Interest
    computed: float | None
    missing_links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BodsDocument:
    """Parties and relationships by recordId, plus the statements they were read from."""

    parties: Mapping[str, Party]
    relationships: Mapping[str, Relationship]
    problems: tuple[StatementProblem, ...] = ()
    published: Mapping[str, JsonObject] = field(default_factory=dict)
    closed: tuple[str, ...] = ()  # recordIds whose latest statement closed the record
    positions: Mapping[str, int] = field(default_factory=dict)  # recordId -> its statement's place

    @property
    def entities(self) -> list[Party]:
        """Companies, states, arrangements and unknown entities."""
        return [party for party in self.parties.values() if party.kind is not EntityKind.PERSON]

    @property
    def persons(self) -> list[Party]:
        """Natural persons."""
        return [party for party in self.parties.values() if party.kind is EntityKind.PERSON]

    @property
    def interests(self) -> list[Interest]:
        """Every interest of every relationship, declared indirect ones included."""
        return [
            interest for relationship in self.relationships.values() for interest in relationship.interests
        ]

    @property
    def stakes(self) -> list[Interest]:
        """Interests the engine computes with: current direct shareholdings with a share."""
        return [interest for interest in self.interests if interest.counts_as_stake and interest.is_active()]

    @property
    def declared_indirect(self) -> list[Interest]:
        """Indirect shares as declared, for showing beside the computed ones."""
        return [
            interest
            for interest in self.interests
            if interest.directness is Directness.INDIRECT and interest.share is not None
        ]

    @classmethod
    def from_domain(cls, parties: Iterable[Party], interests: Iterable[Interest]) -> BodsDocument:
        """A document for export, with one relationship per holder and held pair."""
        grouped: dict[tuple[str, str], list[Interest]] = {}
        for interest in interests:
            grouped.setdefault((interest.owner, interest.owned), []).append(interest)
        relationships = [
            Relationship(_relationship_id(owner, owned), owned, owner, tuple(held))
            for (owner, owned), held in grouped.items()
        ]
        return cls(
            parties={party.key: party for party in parties},
            relationships={relation.record_id: relation for relation in relationships},
        )


# -- identifiers -------------------------------------------------------------------------------


def format_identifier(scheme: str, identifier: str) -> str:
    """`SCHEME-ID`, e.g. ("JP-JCN", "1234567890123") -> "JP-JCN-1234567890123"."""
    if not _SCHEME.fullmatch(scheme):
        raise ValueError(f"{scheme!r} is not an org-id scheme code such as 'JP-JCN'")
    if not identifier:
        raise ValueError("an identifier cannot be empty")
    return f"{scheme}-{identifier}"


def parse_identifier(text: str) -> tuple[str, str]:
    """("JP-JCN", "1234567890123") from "JP-JCN-1234567890123"; the id keeps its own hyphens."""
    parts = text.split("-", 2)
    if len(parts) != 3 or not _SCHEME.fullmatch(f"{parts[0]}-{parts[1]}") or not parts[2]:
        raise ValueError(f"{text!r} is not SCHEME-ID such as 'JP-JCN-1234567890123'")
    return f"{parts[0]}-{parts[1]}", parts[2]


# -- import ------------------------------------------------------------------------------------


def _relationship_id(owner: str, owned: str) -> str:
    return hashlib.sha256(f"{owner}\x1f{owned}".encode()).hexdigest()[:12]
