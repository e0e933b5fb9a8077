"""Writing a BODS 0.4 package (see `shokei.ownership.bods`): the published statement of each
record kept verbatim while Shokei's data still says the same, new statements otherwise."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from shokei.ownership.bods.model import (
    _ENTITY_TYPE_BY_KIND,
    _SHARE_FIELDS,
    _STATEMENT_NAMESPACE,
    BODS_VERSION,
    BodsDocument,
    JsonObject,
    Publication,
    RecordType,
    Relationship,
    parse_identifier,
)
from shokei.ownership.bods.reader import (
    _entity_country,
    _entity_kind,
    _person_country,
    _person_name,
    _read_identifiers,
)
from shokei.ownership.domain import (
    EntityKind,
    Interest,
    InterestType,
    Party,
    Share,
)


def export_bods(document: BodsDocument, publication: Publication | None = None) -> list[JsonObject]:
    """BODS 0.4 statements for every party and relationship, parties first.

    Records read from BODS follow their published statements (see the module docstring);
    the others need `publication` (ValueError without it).
    """
    keys = [key for key in document.published if key in document.parties or key in document.relationships]
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
    return _new_statement(
        key, record_type, subject, details, original=original, publication=publication, source=source
    )


def _new_statement(
    key: str,
    record_type: RecordType,
    subject: str,
    details: JsonObject,
    *,
    original: JsonObject | None,
    publication: Publication | None,
    source: str | None,
) -> JsonObject:
    header: JsonObject = dict(original) if original else {"declarationSubject": subject}
    if original is None and source is not None:
        header["source"] = {"description": source}
    if publication is not None:
        header["statementDate"] = publication.publication_date.isoformat()
        header["publicationDetails"] = {
            "publicationDate": publication.publication_date.isoformat(),
            "bodsVersion": BODS_VERSION,
            "publisher": {"name": publication.publisher_name},
        }
    elif original is None:
        raise ValueError(f"record {key} was not read from BODS: a Publication is needed")
    content = json.dumps([key, _plain(details)], sort_keys=True, ensure_ascii=False)
    return _plain_object(
        {
            **header,
            "statementId": str(uuid.uuid5(_STATEMENT_NAMESPACE, content)),
            "recordId": key,
            "recordType": record_type.value,
            "recordStatus": "updated" if original else "new",
            "recordDetails": details,
        }
    )


def _party_details(party: Party, old: Mapping[str, Any]) -> JsonObject:
    details: JsonObject = {"isComponent": False, **old}
    if party.kind is EntityKind.PERSON:
        _keep_or_set(
            details,
            "names",
            _person_name(old) == party.name,
            [{"type": "legal", "fullName": party.name}] if party.name else None,
        )
        _keep_or_set(
            details,
            "nationalities",
            _person_country(old) == party.country,
            [_country(party.country)] if party.country else None,
        )
        details.setdefault("personType", "knownPerson")
    else:
        _entity_fields(details, party, old)
    _keep_or_set(
        details,
        "identifiers",
        _read_identifiers(old.get("identifiers")) == party.identifiers,
        [_identifier_json(text) for text in party.identifiers] or None,
    )
    return details


def _entity_fields(details: JsonObject, party: Party, old: Mapping[str, Any]) -> None:
    old_type = old.get("entityType", {}).get("type") if old else None
    old_country = _entity_country(old, _read_identifiers(old.get("identifiers")))
    same_kind = old_type is not None and _entity_kind(old_type, party.country) is party.kind
    _keep_or_set(details, "entityType", same_kind, {"type": _ENTITY_TYPE_BY_KIND[party.kind]})
    _keep_or_set(details, "name", str(old.get("name", "")) == party.name, party.name or None)
    _keep_or_set(
        details,
        "jurisdiction",
        old_country == party.country,
        _country(party.country) if party.country else None,
    )


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
        details["interests"] = [
            element for interest in relationship.interests for element in _interest_elements(interest)
        ]
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


def _interest_json(interest: Interest, kind: InterestType | None, share: Share | None) -> JsonObject:
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
    return {
        key: getattr(share, name) for key, name in _SHARE_FIELDS.items() if getattr(share, name) is not None
    }


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
