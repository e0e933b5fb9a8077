"""Purchase use cases: valuation guidance, offers and the agreement, approval against the
fiscal-year budget, payment, cancellation, and the budget itself. Each: authorise, load, decide
(purchase.domain), save, audit — one transaction.

The budget is never over-committed: every commitment, payment, release and appropriation locks
its fiscal year's `budget_years` row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every
writing transaction already holds the database's write lock from BEGIN IMMEDIATE) and only then
sums the year's lines, so two approvals can never both spend the same yen.

Lock order, the same in every use case, so PostgreSQL never deadlocks: the budget year, then the
case row, then the ledger head (taken by the first audit append).

The use cases live in modules next to this one, by who acts: `negotiation` (valuation, offers,
the proposed agreement), `approval` (approval, payment, cancellation, the purchase view),
`budget` (appropriations and the budget rows), `lines` (the budget's lines other than
purchases: facilities), `year_end` (carry-over and the year's close)
and `access` (who may do what). This module is the feature's one public surface: adapters and
other features import every use case from here.
"""

from __future__ import annotations

from shokei.purchase.approval import (
    approve_purchase,
    cancel_purchase,
    get_purchase,
    pay_purchase,
)
from shokei.purchase.budget import (
    DEMO_APPROPRIATION_YEN,
    get_budget,
    seed_demo_budgets,
    set_appropriation,
)
from shokei.purchase.domain import BudgetLineName, check_line
from shokei.purchase.lines import commit_on_line, get_line_budget, set_line_appropriation
from shokei.purchase.negotiation import (
    agree_purchase,
    get_valuation,
    make_counter_offer,
    make_offer,
    propose_agreement,
    record_valuation,
)
from shokei.purchase.year_end import carry_over, close_fiscal_year

__all__ = [
    "DEMO_APPROPRIATION_YEN",
    "BudgetLineName",
    "agree_purchase",
    "approve_purchase",
    "cancel_purchase",
    "carry_over",
    "check_line",
    "close_fiscal_year",
    "commit_on_line",
    "get_budget",
    "get_line_budget",
    "get_purchase",
    "get_valuation",
    "make_counter_offer",
    "make_offer",
    "pay_purchase",
    "propose_agreement",
    "record_valuation",
    "seed_demo_budgets",
    "set_appropriation",
    "set_line_appropriation",
]
