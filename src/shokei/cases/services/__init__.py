"""Exit-case use cases, one module per concern; this package's names are what other code imports.

- `access`: the need-to-know row filter every case query starts from, and loading a case.
- `workflow`: the generic transition, moves made for the features built on cases, the facts the
  guards read (duties and certificates those features push in).
- `inventory`: the document inventory and its examination marks.
- `offers`: offers, counter-offers and the agreed amount.
- `reading`: case detail, lists and counts.
- `assignment`: officials assigned to cases, the break-glass, and who reads a case's contents.
- `parties`: what the features acting on a case's parties (succession) read: cases as `CaseRef`,
  a company's cases and open successions, the weapon systems an inventory names.

Every use case takes `(uow, actor, ...)` and runs in the unit of work's transaction, opening it
or joining the caller's, so another feature's use case can call it inside its own.
"""

from shokei.cases.services.access import (
    case_parties,
    case_ref,
    company_names,
    visible_case_ids,
    visible_cases,
)
from shokei.cases.services.assignment import (
    assign_official,
    assigned_names,
    assigned_user_ids,
    assignments_of,
    break_glass,
    content_access_of,
    content_case_ids,
    readable_case_ids,
    require_contents,
    unassign_official,
)
from shokei.cases.services.facts import (
    note_destruction_certificate,
    note_measure,
    note_purchase_open,
    record_duty,
    refuse_if_took,
)
from shokei.cases.services.flags import flag_cases, flags_of, involvement_of, resolve_flags
from shokei.cases.services.inventory import (
    add_inventory_line,
    describe_stored_document,
    examine_document,
    inventory_items,
    link_stored_document,
    link_stored_documents,
    mark_document_examined,
    require_inventory_open,
)
from shokei.cases.services.notice import notice_warnings
from shokei.cases.services.offers import (
    OfferKind,
    check_offer,
    offers_of,
    record_agreed_amount,
    record_offer,
    withdraw_agreed_amount,
)
from shokei.cases.services.parties import (
    awaiting_successor,
    case_refs,
    cases_of_company,
    inventory_weapon_systems,
    open_succession_counts,
    open_successions,
    visible_case_ref,
)
from shokei.cases.services.reading import count_by_state, get_case, list_cases, open_case
from shokei.cases.services.workflow import check_move, move_case, transition_case

__all__ = [
    "OfferKind",
    "add_inventory_line",
    "assign_official",
    "assigned_names",
    "assigned_user_ids",
    "assignments_of",
    "awaiting_successor",
    "break_glass",
    "case_parties",
    "case_ref",
    "case_refs",
    "cases_of_company",
    "check_move",
    "check_offer",
    "company_names",
    "content_access_of",
    "content_case_ids",
    "count_by_state",
    "describe_stored_document",
    "examine_document",
    "flag_cases",
    "flags_of",
    "get_case",
    "inventory_items",
    "inventory_weapon_systems",
    "involvement_of",
    "link_stored_document",
    "link_stored_documents",
    "list_cases",
    "mark_document_examined",
    "move_case",
    "note_destruction_certificate",
    "note_measure",
    "note_purchase_open",
    "notice_warnings",
    "offers_of",
    "open_case",
    "open_succession_counts",
    "open_successions",
    "readable_case_ids",
    "record_agreed_amount",
    "record_duty",
    "record_offer",
    "refuse_if_took",
    "require_contents",
    "require_inventory_open",
    "resolve_flags",
    "transition_case",
    "unassign_official",
    "visible_case_ids",
    "visible_case_ref",
    "visible_cases",
    "withdraw_agreed_amount",
]
