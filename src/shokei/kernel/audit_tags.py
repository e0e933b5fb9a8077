"""The catalogue of audit tags: every action a ledger entry may name, `scope:subject:verb`.

Part of the kernel, so a reader (or an outside auditor holding an export) finds every kind of
entry in one place; `tests/architecture` fails when code records a tag that is not listed here,
or when a listed tag is recorded nowhere.
"""

from __future__ import annotations

AUDIT_TAGS: frozenset[str] = frozenset(
    {
        # accounts
        "accounts:login:success",
        "accounts:mfa:enroll",
        "accounts:password:change",
        "accounts:password:reset",
        "accounts:token:create",
        "accounts:token:revoke",
        "accounts:user:approve",
        "accounts:user:create",
        "accounts:user:disable",
        "accounts:user:email",
        "accounts:user:enable",
        "accounts:user:role",
        # case
        "case:access:break_glass",
        "case:assignment:assign",
        "case:assignment:unassign",
        "case:case:open",
        "case:flag:raise",
        "case:flag:resolve",
        "case:document:examine",
        "case:inventory:add",
        "case:offer:agreement",
        "case:offer:counter",
        "case:offer:offer",
        "case:offer:withdraw",
        "case:status:change",
        "case:successor:select",
        # company
        "company:access:reinstate",
        "company:access:suspend",
        "company:certification:certify",
        "company:condition:report",
        "company:facts:update",
        "company:registry:create",
        # document
        "document:content:read",
        "document:content:refused",
        "document:file:submit",
        "document:inventory:describe",
        "document:path:add",
        # examination
        "examination:determination:override",
        "examination:interest:declare",
        "examination:score:record",
        # handover
        "handover:copy:download",
        "handover:copy:issue",
        "handover:copy:recall",
        "handover:copy:return",
        "handover:destruction:record",
        "handover:dissemination:accept",
        "handover:dissemination:approve",
        "handover:dissemination:reject",
        "handover:dissemination:request",
        "handover:evidence:store",
        # incidents
        "incident:incident:close",
        "incident:incident:open",
        "incident:state:contain",
        # measure
        "measure:facility:acquire",
        "measure:facility:entrust",
        "measure:facility:report",
        "measure:facility:transfer",
        "measure:measure:decide",
        "measure:measure:status",
        # operations
        "operations:backup:make",
        "operations:roles:apply",
        # ownership
        "ownership:alert:acknowledge",
        "ownership:alert:close",
        "ownership:alert:raise",
        "ownership:alert:resolve",
        "ownership:bods:export",
        "ownership:bods:import",
        "ownership:csv:import",
        "ownership:entity:create",
        "ownership:interest:change",
        "ownership:thresholds:change",
        # purchase
        "purchase:budget:carry_over",
        "purchase:budget:close",
        "purchase:budget:commit",
        "purchase:budget:lapse",
        "purchase:budget:pay",
        "purchase:budget:release",
        "purchase:budget:set",
        "purchase:valuation:record",
        # reporting
        "reporting:program:compute",
        # risk
        "risk:event:record",
        "risk:financials:record",
        "risk:watchlist:record",
        # secret (装備品等秘密)
        "secret:designation:designate",
        "secret:designation:lift",
        "secret:designation:renew",
        # succession
        "succession:assignment:propose",
        "succession:successor:notify",
        "succession:terms:accept",
        # supply_chain
        "supply_chain:map:export",
        "supply_chain:survey:answer",
        "supply_chain:survey:answer_refused",
        "supply_chain:survey:cascade",
        "supply_chain:survey:close",
        "supply_chain:survey:create",
        # vault
        "vault:fsck:run",
        "vault:gc:run",
        "vault:key:rotate",
    }
)
