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

The parts: `model` (the document, records, identifiers), `reader` (`parse_bods`,
`indirect_checks`), `writer` (`export_bods`); their public names are all here.
"""

from __future__ import annotations

from shokei.ownership.bods.model import (
    BODS_VERSION,
    JAPAN_CORPORATE_NUMBER_SCHEME,
    BodsDocument,
    CodeT,
    IndirectCheck,
    JsonObject,
    Publication,
    RecordType,
    Relationship,
    StatementProblem,
    format_identifier,
    parse_identifier,
)
from shokei.ownership.bods.reader import indirect_checks, parse_bods
from shokei.ownership.bods.writer import export_bods

__all__ = [
    "BODS_VERSION",
    "JAPAN_CORPORATE_NUMBER_SCHEME",
    "BodsDocument",
    "CodeT",
    "IndirectCheck",
    "JsonObject",
    "Publication",
    "RecordType",
    "Relationship",
    "StatementProblem",
    "export_bods",
    "format_identifier",
    "indirect_checks",
    "parse_bods",
    "parse_identifier",
]
