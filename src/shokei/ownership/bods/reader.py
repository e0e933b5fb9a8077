"""Reading a BODS 0.4 package (see `shokei.ownership.bods`): statements to parties and
interests, bad statements reported; declared indirect shares set beside what the data computes."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from shokei.ownership.bods.model import (
    _COMPANY_ENTITY_TYPES,
    _KIND_BY_ENTITY_TYPE,
    _PERSON_TYPES,
    _SCHEME,
    _SHARE_FIELDS,
    BODS_VERSION,
    BodsDocument,
    CodeT,
    IndirectCheck,
    JsonObject,
    RecordType,
    Relationship,
    StatementProblem,
    format_identifier,
)
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
    return BodsDocument(parties, relationships, tuple(problems + dangling), published, closed, positions)


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


def _keep_latest(
    records: dict[str, Party | Relationship],
    published: dict[str, JsonObject],
    record: Party | Relationship,
    statement: JsonObject,
) -> None:
    key = _key(record)
    records.pop(key, None)
    published.pop(key, None)
    if statement.get("recordStatus") != "closed":
        records[key] = record
        published[key] = statement


def _connected(
    records: Mapping[str, Party | Relationship],
    parties: Mapping[str, Party],
    published: Mapping[str, JsonObject],
    positions: Mapping[str, int],
) -> tuple[dict[str, Relationship], list[StatementProblem]]:
    relationships: dict[str, Relationship] = {}
    problems: list[StatementProblem] = []
    for key, record in records.items():
        if isinstance(record, Party):
            continue
        missing = [party for party in (record.subject, record.interested_party) if party not in parties]
        if missing:
            reason = f"refers to records not in the package: {', '.join(missing)}"
            problems.append(StatementProblem(positions[key], _statement_id(published[key]), reason))
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


def _read_record(
    record_type: Any, record_id: str, details: Mapping[str, Any], source: Any
) -> Party | Relationship:
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
    return tuple(
        format_identifier(scheme, identifier)
        for scheme, identifier in pairs
        if isinstance(scheme, str)
        and _SCHEME.fullmatch(scheme)
        and isinstance(identifier, str)
        and identifier
    )


def _read_person(record_id: str, details: Mapping[str, Any]) -> Party:
    if details.get("personType") not in _PERSON_TYPES:
        raise _Rejected(f"unknown personType {details.get('personType')!r}")
    identifiers = _read_identifiers(details.get("identifiers"))
    return Party(record_id, EntityKind.PERSON, _person_name(details), _person_country(details), identifiers)


def _person_name(details: Mapping[str, Any]) -> str:
    names = [name for name in details.get("names", []) if isinstance(name, Mapping)]
    names.sort(key=lambda name: name.get("type") != "legal")  # the legal name first
    for name in names:
        full = name.get("fullName") or " ".join(
            str(name[part]) for part in ("givenName", "familyName") if part in name
        )
        if full:
            return str(full)
    return ""


def _person_country(details: Mapping[str, Any]) -> str | None:
    """A foreign nationality if the person has one: that is what foreign-control rules look for."""
    codes = [
        str(nationality["code"]).upper()
        for nationality in details.get("nationalities", [])
        if isinstance(nationality, Mapping) and isinstance(nationality.get("code"), str)
    ]
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
    asserters = [
        str(agent.get("name"))
        for agent in source.get("assertedBy", [])
        if isinstance(agent, Mapping) and agent.get("name")
    ]
    if asserters:
        parts.append("asserted by " + ", ".join(asserters))
    return "; ".join(parts) or None


def _read_relationship(record_id: str, details: Mapping[str, Any], source: str | None) -> Relationship:
    subject, holder = _party_reference(details, "subject"), _party_reference(details, "interestedParty")
    interests = details.get("interests", [])
    if not isinstance(interests, list):
        raise _Rejected("interests must be an array")
    components = details.get("componentRecords", [])
    return Relationship(
        record_id=record_id,
        subject=subject,
        interested_party=holder,
        interests=tuple(
            _read_interest(position, item, holder, subject, source) for position, item in enumerate(interests)
        ),
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


def _read_interest(position: int, item: Any, owner: str, owned: str, source: str | None) -> Interest:
    if not isinstance(item, Mapping):
        raise _Rejected(f"interest {position} must be an object")
    interest_type = _codelist(InterestType, item.get("type"), f"interest {position} type")
    directness = (
        _codelist(
            Directness, item.get("directOrIndirect", "unknown"), f"interest {position} directOrIndirect"
        )
        or Directness.UNKNOWN
    )
    share = _read_share(item.get("share"), position)
    voting = interest_type is InterestType.VOTING_RIGHTS
    return Interest(
        owner=owner,
        owned=owned,
        share=None if voting else share,
        voting=share if voting else None,
        appoints_board=interest_type is InterestType.APPOINTMENT_OF_BOARD,
        directness=directness,
        start_date=_read_date(item.get("startDate"), position),
        end_date=_read_date(item.get("endDate"), position),
        source=source,
        interest_type=interest_type,
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
    links = [
        interest
        for interest in document.interests
        if interest.directness is not Directness.INDIRECT and interest.is_active()
    ]
    stakes = [interest for interest in links if interest.counts_as_stake]
    shareless = {(link.owner, link.owned) for link in links} - {
        (stake.owner, stake.owned) for stake in stakes
    }
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


def _links_between(
    owner: str, owned: str, links: Sequence[Interest], shareless: set[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
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
