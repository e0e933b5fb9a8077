"""BODS 0.4 in and out: statements to parties and interests, and back to statements.

Import (`parse_bods`) takes a BODS 0.4 package (a JSON array of statements; an object with a
`statements` array is also accepted) and keeps going past bad statements: each one rejected is
reported with its position, statementId and reason. Entities and persons become `Party`,
relationship statements become `Relationship` with domain `Interest`s. Declared indirect shares
stay declared (`Directness.INDIRECT`); `indirect_checks` sets each beside what the chain of
direct stakes computes, or names the links without a share that stop the computation.

Export (`export_bods`) writes statements from the domain objects. For records that came from
BODS, the published statement is the template: every field Shokei does not model is kept as
published, a modelled field is kept verbatim while it still says what the domain object says,
and a record whose details changed gets a new statementId and recordStatus "updated".

Identifiers are strings `SCHEME-ID`, where SCHEME is the org-id.guide code of the issuing
register, always two hyphen-separated parts, and ID is the register's own id verbatim, hyphens
included: `JP-JCN-1234567890123` (法人番号 from the National Tax Agency), `FI-PRO-3007894-1`,
`GB-COH-03209885`. The split is at the second hyphen.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from shokei.ownership.domain import (
    JAPAN,
    Directness,
    EntityKind,
    Interest,
    InterestType,
    Party,
    Share,
)
from shokei.ownership.engine import graph_from_domain

JsonObject = dict[str, Any]
CodeT = TypeVar("CodeT", bound=StrEnum)

BODS_VERSION = "0.4"
JAPAN_CORPORATE_NUMBER_SCHEME = "JP-JCN"
_SCHEME = re.compile(r"[A-Z]{2}-[A-Za-z0-9]+")
_STATEMENT_NAMESPACE = uuid.UUID("5f0c7a8e-2d7b-4c8e-9a57-3b1e6f0d9c21")
_SHARE_FIELDS = {
    "exact": "exact", "minimum": "minimum", "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum", "exclusiveMaximum": "exclusive_maximum",
}
_PERSON_TYPES = frozenset({"knownPerson", "anonymousPerson", "unknownPerson"})
_KIND_BY_ENTITY_TYPE = {
    "state": EntityKind.STATE, "stateBody": EntityKind.STATE,
    "arrangement": EntityKind.ARRANGEMENT,
    "anonymousEntity": EntityKind.UNKNOWN, "unknownEntity": EntityKind.UNKNOWN,
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
        return [interest for relationship in self.relationships.values()
                for interest in relationship.interests]

    @property
    def stakes(self) -> list[Interest]:
        """Interests the engine computes with: current direct shareholdings with a share."""
        return [interest for interest in self.interests
                if interest.counts_as_stake and interest.is_active()]

    @property
    def declared_indirect(self) -> list[Interest]:
        """Indirect shares as declared, for showing beside the computed ones."""
        return [interest for interest in self.interests
                if interest.directness is Directness.INDIRECT and interest.share is not None]

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
        return cls(parties={party.key: party for party in parties},
                   relationships={relation.record_id: relation for relation in relationships})


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


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_bods(data: str | bytes | Sequence[Any] | Mapping[str, Any]) -> BodsDocument:
    """Import a BODS 0.4 package; statements that cannot be read are reported, not fatal.

    When several statements share a recordId the last one wins (BODS streams are in order);
    a record whose last statement is `closed` is left out and its recordId listed in `closed`.
    Relationships that name a party the package does not contain are reported and left out.
    """
    records: dict[str, Party | Relationship] = {}
    published: dict[str, JsonObject] = {}
    problems: list[StatementProblem] = []
    positions: dict[str, int] = {}
    seen: set[str] = set()
    for position, statement in enumerate(_statements_of(data)):
        try:
            record = _read_statement(statement, seen)
        except _Rejected as rejected:
            problems.append(StatementProblem(position, _statement_id(statement), rejected.reason))
            continue
        positions[_key(record)] = position
        _keep_latest(records, published, record, statement)
    parties = {key: record for key, record in records.items() if isinstance(record, Party)}
    relationships, dangling = _connected(records, parties, published, positions)
    closed = tuple(key for key in positions if key not in records)
    return BodsDocument(parties, relationships, tuple(problems + dangling), published, closed,
                        positions)


def _key(record: Party | Relationship) -> str:
    return record.key if isinstance(record, Party) else record.record_id


def _statements_of(data: str | bytes | Sequence[Any] | Mapping[str, Any]) -> Sequence[Any]:
    parsed: Any = data
    if isinstance(parsed, str | bytes):
        # Decimal keeps declared percentages exact: as floats 2.2 + 85.9 + 11.9 exceed 100.
        parsed = json.loads(parsed, parse_float=Decimal)
    if isinstance(parsed, Mapping):
        parsed = parsed.get("statements")
    if not isinstance(parsed, Sequence) or isinstance(parsed, str | bytes):
        raise ValueError("a BODS package is a JSON array of statements")
    return parsed


def _statement_id(statement: Any) -> str | None:
    if isinstance(statement, Mapping) and isinstance(statement.get("statementId"), str):
        return str(statement["statementId"])
    return None


def _keep_latest(records: dict[str, Party | Relationship], published: dict[str, JsonObject],
                 record: Party | Relationship, statement: JsonObject) -> None:
    key = _key(record)
    records.pop(key, None)
    published.pop(key, None)
    if statement.get("recordStatus") != "closed":
        records[key] = record
        published[key] = statement


def _connected(
    records: Mapping[str, Party | Relationship], parties: Mapping[str, Party],
    published: Mapping[str, JsonObject], positions: Mapping[str, int],
) -> tuple[dict[str, Relationship], list[StatementProblem]]:
    relationships: dict[str, Relationship] = {}
    problems: list[StatementProblem] = []
    for key, record in records.items():
        if isinstance(record, Party):
            continue
        missing = [party for party in (record.subject, record.interested_party)
                   if party not in parties]
        if missing:
            reason = f"refers to records not in the package: {', '.join(missing)}"
            problems.append(
                StatementProblem(positions[key], _statement_id(published[key]), reason))
        else:
            relationships[key] = record
    return relationships, problems


def _read_statement(statement: Any, seen: set[str]) -> Party | Relationship:
    if not isinstance(statement, Mapping):
        raise _Rejected("a statement must be a JSON object")
    statement_id = _required_text(statement, "statementId")
    if statement_id in seen:
        raise _Rejected(f"statementId {statement_id} appears twice")
    seen.add(statement_id)
    publication = statement.get("publicationDetails")
    version = publication.get("bodsVersion") if isinstance(publication, Mapping) else None
    if version not in (None, BODS_VERSION):
        raise _Rejected(f"BODS version {version} is not {BODS_VERSION}")
    record_id = _required_text(statement, "recordId")
    details = statement.get("recordDetails")
    if not isinstance(details, Mapping):
        raise _Rejected("recordDetails must be an object")
    return _read_record(statement.get("recordType"), record_id, details, statement.get("source"))


def _read_record(record_type: Any, record_id: str, details: Mapping[str, Any],
                 source: Any) -> Party | Relationship:
    if record_type == RecordType.ENTITY:
        return _read_entity(record_id, details)
    if record_type == RecordType.PERSON:
        return _read_person(record_id, details)
    if record_type == RecordType.RELATIONSHIP:
        return _read_relationship(record_id, details, _describe_source(source))
    raise _Rejected(f"unknown recordType {record_type!r}")


def _required_text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise _Rejected(f"{key} is missing or not a string")
    return value


def _read_entity(record_id: str, details: Mapping[str, Any]) -> Party:
    entity_type = details.get("entityType")
    if not isinstance(entity_type, Mapping) or not isinstance(entity_type.get("type"), str):
        raise _Rejected("entityType.type is missing")
    identifiers = _read_identifiers(details.get("identifiers"))
    country = _entity_country(details, identifiers)
    kind = _entity_kind(entity_type["type"], country)
    name = details.get("name")
    return Party(record_id, kind, name if isinstance(name, str) else "", country, identifiers)


def _entity_kind(entity_type: str, country: str | None) -> EntityKind:
    if entity_type in _COMPANY_ENTITY_TYPES:
        if country is None:
            return EntityKind.UNKNOWN
        return EntityKind.REGISTERED_COMPANY if country == JAPAN else EntityKind.FOREIGN_COMPANY
    if entity_type not in _KIND_BY_ENTITY_TYPE:
        raise _Rejected(f"unknown entityType {entity_type!r}")
    return _KIND_BY_ENTITY_TYPE[entity_type]


def _entity_country(details: Mapping[str, Any], identifiers: Sequence[str]) -> str | None:
    """The jurisdiction's country, else the country whose register issued the first identifier."""
    jurisdiction = details.get("jurisdiction")
    if isinstance(jurisdiction, Mapping) and isinstance(jurisdiction.get("code"), str):
        return str(jurisdiction["code"])[:2].upper()  # "GB-SCT" (ISO 3166-2) is in GB
    # org-id codes start with the issuing country, except X- codes (international registers).
    countries = [text[:2] for text in identifiers if not text.startswith("X")]
    return countries[0] if countries else None


def _read_identifiers(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    # Identifiers without an org-id scheme (schemeName only) cannot be written SCHEME-ID; they
    # stay in the published statement, which export keeps.
    pairs = [(item.get("scheme"), item.get("id")) for item in value if isinstance(item, Mapping)]
    return tuple(format_identifier(scheme, identifier) for scheme, identifier in pairs
                 if isinstance(scheme, str) and _SCHEME.fullmatch(scheme)
                 and isinstance(identifier, str) and identifier)


def _read_person(record_id: str, details: Mapping[str, Any]) -> Party:
    if details.get("personType") not in _PERSON_TYPES:
        raise _Rejected(f"unknown personType {details.get('personType')!r}")
    identifiers = _read_identifiers(details.get("identifiers"))
    return Party(record_id, EntityKind.PERSON, _person_name(details), _person_country(details),
                 identifiers)


def _person_name(details: Mapping[str, Any]) -> str:
    names = [name for name in details.get("names", []) if isinstance(name, Mapping)]
    names.sort(key=lambda name: name.get("type") != "legal")  # the legal name first
    for name in names:
        full = name.get("fullName") or " ".join(
            str(name[part]) for part in ("givenName", "familyName") if part in name)
        if full:
            return str(full)
    return ""


def _person_country(details: Mapping[str, Any]) -> str | None:
    """A foreign nationality if the person has one: that is what foreign-control rules look for."""
    codes = [str(nationality["code"]).upper() for nationality in details.get("nationalities", [])
             if isinstance(nationality, Mapping) and isinstance(nationality.get("code"), str)]
    foreign = [code for code in codes if code != JAPAN]
    if foreign:
        return foreign[0]
    return codes[0] if codes else None


def _describe_source(source: Any) -> str | None:
    if not isinstance(source, Mapping):
        return None
    if isinstance(source.get("description"), str):
        return str(source["description"])
    parts = [str(kind) for kind in source.get("type", [])]
    asserters = [str(agent.get("name")) for agent in source.get("assertedBy", [])
                 if isinstance(agent, Mapping) and agent.get("name")]
    if asserters:
        parts.append("asserted by " + ", ".join(asserters))
    return "; ".join(parts) or None


def _read_relationship(record_id: str, details: Mapping[str, Any],
                       source: str | None) -> Relationship:
    subject, holder = _party_reference(details, "subject"), _party_reference(
        details, "interestedParty")
    interests = details.get("interests", [])
    if not isinstance(interests, list):
        raise _Rejected("interests must be an array")
    components = details.get("componentRecords", [])
    return Relationship(
        record_id=record_id, subject=subject, interested_party=holder,
        interests=tuple(_read_interest(position, item, holder, subject, source)
                        for position, item in enumerate(interests)),
        is_component=bool(details.get("isComponent", False)),
        component_records=tuple(str(component) for component in components),
    )


def _party_reference(details: Mapping[str, Any], role: str) -> str:
    value = details.get(role)
    if isinstance(value, Mapping):
        # An unspecified party (BODS `UnspecifiedRecord`) has nothing to compute with.
        raise _Rejected(f"{role} is unspecified ({value.get('reason', 'no reason given')})")
    if not isinstance(value, str) or not value:
        raise _Rejected(f"{role} is missing")
    return value


def _read_interest(position: int, item: Any, owner: str, owned: str,
                   source: str | None) -> Interest:
    if not isinstance(item, Mapping):
        raise _Rejected(f"interest {position} must be an object")
    interest_type = _codelist(InterestType, item.get("type"), f"interest {position} type")
    directness = _codelist(Directness, item.get("directOrIndirect", "unknown"),
                           f"interest {position} directOrIndirect") or Directness.UNKNOWN
    share = _read_share(item.get("share"), position)
    voting = interest_type is InterestType.VOTING_RIGHTS
    return Interest(
        owner=owner, owned=owned,
        share=None if voting else share, voting=share if voting else None,
        appoints_board=interest_type is InterestType.APPOINTMENT_OF_BOARD,
        directness=directness,
        start_date=_read_date(item.get("startDate"), position),
        end_date=_read_date(item.get("endDate"), position),
        source=source, interest_type=interest_type,
        beneficial=_optional_bool(item.get("beneficialOwnershipOrControl"), position),
        details=str(item["details"]) if isinstance(item.get("details"), str) else None,
    )


def _codelist(codes: type[CodeT], value: Any, what: str) -> CodeT | None:
    if value is None:
        return None
    try:
        return codes(value)
    except ValueError:
        raise _Rejected(f"{what} {value!r} is not in the BODS codelist") from None


def _read_share(value: Any, position: int) -> Share | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _Rejected(f"interest {position} share must be an object")
    bounds: dict[str, Decimal] = {}
    for key, name in _SHARE_FIELDS.items():
        if key in value:
            bounds[name] = _percent(value[key], position)
    return Share(**bounds)


def _percent(value: Any, position: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _Rejected(f"interest {position} share {value!r} is not a number")
    percent = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not Decimal(0) <= percent <= Decimal(100):
        raise _Rejected(f"interest {position} share {percent} is outside 0-100")
    return percent


def _read_date(value: Any, position: int) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _Rejected(f"interest {position} date {value!r} is not YYYY-MM-DD") from None


def _optional_bool(value: Any, position: int) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise _Rejected(f"interest {position} beneficialOwnershipOrControl must be true or false")


# -- declared versus computed ------------------------------------------------------------------


def indirect_checks(document: BodsDocument) -> list[IndirectCheck]:
    """Each declared indirect share beside the share its chain of direct stakes computes.

    Raises ValueError when the stakes themselves are invalid (see `validate_interests`).
    """
    links = [interest for interest in document.interests
             if interest.directness is not Directness.INDIRECT and interest.is_active()]
    stakes = [interest for interest in links if interest.counts_as_stake]
    shareless = {(link.owner, link.owned) for link in links} - {
        (stake.owner, stake.owned) for stake in stakes}
    graph, keys = graph_from_domain(document.parties.values(), stakes)
    index = {key: position for position, key in enumerate(keys)}
    checks = []
    for declared in document.declared_indirect:
        missing = _links_between(declared.owner, declared.owned, links, shareless)
        computed = None
        if not missing:
            owner, owned = index[declared.owner], index[declared.owned]
            through = graph.integrated_ownership(owned).get(owner, 0.0)
            computed = through - graph.stake(owner, owned)  # the chain only, not the direct stake
        checks.append(IndirectCheck(declared, computed, missing))
    return checks


def _links_between(owner: str, owned: str, links: Sequence[Interest],
                   shareless: set[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    below = _reach(owner, [(link.owner, link.owned) for link in links])
    above = _reach(owned, [(link.owned, link.owner) for link in links])
    return tuple(sorted(link for link in shareless if link[0] in below and link[1] in above))


def _reach(start: str, edges: Sequence[tuple[str, str]]) -> set[str]:
    following: dict[str, list[str]] = {}
    for source, target in edges:
        following.setdefault(source, []).append(target)
    reached, queue = {start}, deque([start])
    while queue:
        for target in following.get(queue.popleft(), []):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


# -- export ------------------------------------------------------------------------------------


def export_bods(document: BodsDocument, publication: Publication | None = None) -> list[JsonObject]:
    """BODS 0.4 statements for every party and relationship, parties first.

    Records read from BODS follow their published statements (see the module docstring);
    the others need `publication` (ValueError without it).
    """
    keys = [key for key in document.published
            if key in document.parties or key in document.relationships]
    keys += [key for key in [*document.parties, *document.relationships] if key not in keys]
    return [_statement(document, key, publication) for key in keys]


def _statement(document: BodsDocument, key: str, publication: Publication | None) -> JsonObject:
    original = document.published.get(key)
    old_details: Mapping[str, Any] = original["recordDetails"] if original else {}
    if key in document.parties:
        party = document.parties[key]
        record_type = RecordType.PERSON if party.kind is EntityKind.PERSON else RecordType.ENTITY
        details = _party_details(party, old_details)
        subject, source = key, None
    else:
        relationship = document.relationships[key]
        record_type, subject = RecordType.RELATIONSHIP, relationship.subject
        details = _relationship_details(relationship, old_details)
        # BODS keeps one source per statement: the first interest that names one speaks for all.
        source = next((i.source for i in relationship.interests if i.source), None)
    if original is not None and _plain(details) == _plain(old_details):
        return _plain_object(original)
    return _new_statement(key, record_type, subject, details,
                          original=original, publication=publication, source=source)


def _new_statement(key: str, record_type: RecordType, subject: str, details: JsonObject, *,
                   original: JsonObject | None, publication: Publication | None,
                   source: str | None) -> JsonObject:
    header: JsonObject = dict(original) if original else {"declarationSubject": subject}
    if original is None and source is not None:
        header["source"] = {"description": source}
    if publication is not None:
        header["statementDate"] = publication.publication_date.isoformat()
        header["publicationDetails"] = {
            "publicationDate": publication.publication_date.isoformat(),
            "bodsVersion": BODS_VERSION, "publisher": {"name": publication.publisher_name}}
    elif original is None:
        raise ValueError(f"record {key} was not read from BODS: a Publication is needed")
    content = json.dumps([key, _plain(details)], sort_keys=True, ensure_ascii=False)
    return _plain_object({
        **header,
        "statementId": str(uuid.uuid5(_STATEMENT_NAMESPACE, content)),
        "recordId": key, "recordType": record_type.value,
        "recordStatus": "updated" if original else "new",
        "recordDetails": details,
    })


def _party_details(party: Party, old: Mapping[str, Any]) -> JsonObject:
    details: JsonObject = {"isComponent": False, **old}
    if party.kind is EntityKind.PERSON:
        _keep_or_set(details, "names", _person_name(old) == party.name,
                     [{"type": "legal", "fullName": party.name}] if party.name else None)
        _keep_or_set(details, "nationalities", _person_country(old) == party.country,
                     [_country(party.country)] if party.country else None)
        details.setdefault("personType", "knownPerson")
    else:
        _entity_fields(details, party, old)
    _keep_or_set(details, "identifiers", _read_identifiers(old.get("identifiers"))
                 == party.identifiers, [_identifier_json(text) for text in party.identifiers]
                 or None)
    return details


def _entity_fields(details: JsonObject, party: Party, old: Mapping[str, Any]) -> None:
    old_type = old.get("entityType", {}).get("type") if old else None
    old_country = _entity_country(old, _read_identifiers(old.get("identifiers")))
    same_kind = old_type is not None and _entity_kind(old_type, party.country) is party.kind
    _keep_or_set(details, "entityType", same_kind, {"type": _ENTITY_TYPE_BY_KIND[party.kind]})
    _keep_or_set(details, "name", str(old.get("name", "")) == party.name, party.name or None)
    _keep_or_set(details, "jurisdiction", old_country == party.country,
                 _country(party.country) if party.country else None)


def _keep_or_set(details: JsonObject, key: str, unchanged: bool, value: Any) -> None:
    """Keep the published wording while it says the same; otherwise write Shokei's value."""
    if unchanged:
        return
    if value is None:
        details.pop(key, None)
    else:
        details[key] = value


def _country(code: str) -> JsonObject:
    return {"name": code, "code": code}  # BODS requires a name; the code is all Shokei keeps


def _identifier_json(text: str) -> JsonObject:
    scheme, identifier = parse_identifier(text)
    return {"scheme": scheme, "id": identifier}


def _relationship_details(relationship: Relationship, old: Mapping[str, Any]) -> JsonObject:
    details: JsonObject = dict(old)
    details["isComponent"] = relationship.is_component
    details["subject"] = relationship.subject
    details["interestedParty"] = relationship.interested_party
    if relationship.interests or "interests" in old:
        details["interests"] = [element for interest in relationship.interests
                                for element in _interest_elements(interest)]
    if relationship.component_records or "componentRecords" in old:
        details["componentRecords"] = list(relationship.component_records)
    return details


def _interest_elements(interest: Interest) -> list[JsonObject]:
    """One BODS interest per kind held: votes and board rights entered in Shokei beside a
    shareholding become their own `votingRights` and `appointmentOfBoard` interests."""
    kind = interest.interest_type
    main_share = interest.voting if kind is InterestType.VOTING_RIGHTS else interest.share
    elements = [_interest_json(interest, kind, main_share)]
    if interest.voting is not None and kind is not InterestType.VOTING_RIGHTS:
        elements.append(_interest_json(interest, InterestType.VOTING_RIGHTS, interest.voting))
    if interest.appoints_board and kind is not InterestType.APPOINTMENT_OF_BOARD:
        elements.append(_interest_json(interest, InterestType.APPOINTMENT_OF_BOARD, None))
    return elements


def _interest_json(interest: Interest, kind: InterestType | None,
                   share: Share | None) -> JsonObject:
    element: JsonObject = {"directOrIndirect": interest.directness.value}
    optional = {
        "type": kind.value if kind else None,
        "beneficialOwnershipOrControl": interest.beneficial,
        "details": interest.details,
        "share": _share_json(share) if share else None,
        "startDate": interest.start_date.isoformat() if interest.start_date else None,
        "endDate": interest.end_date.isoformat() if interest.end_date else None,
    }
    element.update({key: value for key, value in optional.items() if value is not None})
    return element


def _share_json(share: Share) -> JsonObject:
    return {key: getattr(share, name) for key, name in _SHARE_FIELDS.items()
            if getattr(share, name) is not None}


def _plain_object(value: Mapping[str, Any]) -> JsonObject:
    plain: JsonObject = _plain(value)
    return plain


def _plain(value: Any) -> Any:
    """JSON-ready copy: Decimal percentages become int or float as they were published."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _relationship_id(owner: str, owned: str) -> str:
    return hashlib.sha256(f"{owner}\x1f{owned}".encode()).hexdigest()[:12]
