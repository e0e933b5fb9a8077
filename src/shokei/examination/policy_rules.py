"""The published examination policy as a value: its criteria, hard rules, threshold and examiner
rules parsed from TOML text and validated, and the scores it allows (each criterion on its scale,
the exact weighted score, and the score as people read it).
Pure, like `domain`, and split from it because reading and checking a policy document is a task
of its own; `domain` then applies a parsed `Policy` to a case's evidence and scores.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from shokei.errors import N_, BadInput, Text


class HardRuleKind(StrEnum):
    MARKING = "marking"  # a document bears one of the listed markings
    SINGLE_SOURCE = "single_source"  # the company is the only source of a weapon-system component
    CRITERION = "criterion"  # an examiner scored a criterion at or above a value


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MAX_EXAMINERS = 2


class PolicyError(BadInput):
    """The policy file is not a valid examination policy."""


# -- the policy ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    title: str
    min: int
    max: int
    weight: int
    guidance: str = ""


@dataclass(frozen=True, slots=True)
class HardRule:
    name: str
    title: str
    kind: HardRuleKind
    markings: frozenset[str] = frozenset()
    criterion: str | None = None
    at_least: int | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    title: str
    published: date | None
    threshold: int  # weighted score (0-100) at or above which a document requires protection
    examiners_required: int
    disagreement_tolerance: int  # points on the 0-100 scale between two examiners' scores
    criteria: tuple[Criterion, ...]
    hard_rules: tuple[HardRule, ...]
    sha256: str  # of the policy text: a version's text may never change

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)


def parse_policy(text: str) -> Policy:
    """Read and validate a policy from its TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(
            Text(N_("the examination policy is not valid TOML: %(error)s"), {"error": error})
        ) from None
    criteria = tuple(_criterion(item) for item in _tables(data, "criteria"))
    policy = Policy(
        version=_text(data, "version"),
        title=str(data.get("title", "")),
        published=_date_or_none(data.get("published")),
        threshold=_int(data, "threshold"),
        examiners_required=_int(data, "examiners_required", 1),
        disagreement_tolerance=_int(data, "disagreement_tolerance", 0),
        criteria=criteria,
        hard_rules=tuple(_hard_rule(item) for item in _tables(data, "hard_rules")),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    _validate(policy)
    return policy


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PolicyError(Text(N_("policy '%(key)s' must be an array of tables ([[%(key)s]])"), {"key": key}))
    return items


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(Text(N_("policy field '%(key)s' must be a non-empty string"), {"key": key}))
    return value.strip()


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyError(Text(N_("policy field '%(key)s' must be an integer"), {"key": key}))
    return value


def _date_or_none(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise PolicyError(Text(N_("policy field 'published' must be a TOML date (YYYY-MM-DD)")))


def _criterion(item: Mapping[str, Any]) -> Criterion:
    return Criterion(
        name=_text(item, "name"),
        title=str(item.get("title", "")),
        min=_int(item, "min"),
        max=_int(item, "max"),
        weight=_int(item, "weight"),
        guidance=str(item.get("guidance", "")),
    )


def _hard_rule(item: Mapping[str, Any]) -> HardRule:
    try:
        kind = HardRuleKind(_text(item, "kind"))
    except ValueError:
        raise PolicyError(
            Text(
                N_("hard rule kind must be one of: %(hardrulekind)s"),
                {"hardrulekind": ", ".join(HardRuleKind)},
            )
        ) from None
    markings = item.get("markings", [])
    if not isinstance(markings, list) or not all(isinstance(m, str) for m in markings):
        raise PolicyError(Text(N_("hard rule 'markings' must be a list of strings")))
    criterion, at_least = item.get("criterion"), item.get("at_least")
    return HardRule(
        name=_text(item, "name"),
        title=str(item.get("title", "")),
        kind=kind,
        markings=frozenset(markings),
        criterion=criterion if isinstance(criterion, str) else None,
        at_least=at_least if isinstance(at_least, int) else None,
    )


def _validate(policy: Policy) -> None:
    names = [c.name for c in policy.criteria] + [r.name for r in policy.hard_rules]
    problems = [f"'{n}' is not a lower-case identifier" for n in names if not _NAME.match(n)]
    problems += [f"name '{n}' is used twice" for n in sorted(set(names)) if names.count(n) > 1]
    problems += _criteria_problems(policy)
    problems += [p for rule in policy.hard_rules for p in _hard_rule_problems(policy, rule)]
    if not 0 <= policy.threshold <= 100:
        problems.append("threshold must lie between 0 and 100")
    if not 1 <= policy.examiners_required <= _MAX_EXAMINERS:
        problems.append(f"examiners_required must be 1 or {_MAX_EXAMINERS}")
    if not 0 <= policy.disagreement_tolerance <= 100:
        problems.append("disagreement_tolerance must lie between 0 and 100")
    if problems:
        raise PolicyError(f"examination policy {policy.version}: " + "; ".join(problems))


def _criteria_problems(policy: Policy) -> list[str]:
    if not policy.criteria:
        return ["at least one criterion is required"]
    problems = [f"criterion {c.name}: min must be below max" for c in policy.criteria if c.min >= c.max]
    return problems + [
        f"criterion {c.name}: weight must be positive" for c in policy.criteria if c.weight <= 0
    ]


def _hard_rule_problems(policy: Policy, rule: HardRule) -> list[str]:
    match rule.kind:
        case HardRuleKind.MARKING:
            return [] if rule.markings else [f"hard rule {rule.name}: list the markings it looks for"]
        case HardRuleKind.CRITERION:
            criterion = next((c for c in policy.criteria if c.name == rule.criterion), None)
            if criterion is None or rule.at_least is None:
                return [f"hard rule {rule.name}: name an existing criterion and 'at_least'"]
            if not criterion.min <= rule.at_least <= criterion.max:
                return [f"hard rule {rule.name}: at_least lies outside {criterion.min}..{criterion.max}"]
            return []
        case HardRuleKind.SINGLE_SOURCE:
            return []


# -- scores ----------------------------------------------------------------------------------


def validate_values(policy: Policy, values: Mapping[str, int]) -> dict[str, int]:
    """Every criterion of the policy, each within its scale; nothing else."""
    known = {c.name: c for c in policy.criteria}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise BadInput(
            Text(
                N_("unknown criteria %(unknown)s; policy %(version)s has: %(known)s"),
                {"unknown": ", ".join(unknown), "version": policy.version, "known": ", ".join(known)},
            )
        )
    missing = [name for name in known if name not in values]
    if missing:
        raise BadInput(
            Text(
                N_("policy %(version)s scores every criterion; missing: %(missing)s"),
                {"version": policy.version, "missing": ", ".join(missing)},
            )
        )
    outside = [
        f"{name}={value} (scale {known[name].min}..{known[name].max})"
        for name, value in values.items()
        if not known[name].min <= value <= known[name].max
    ]
    if outside:
        raise BadInput(Text(N_("outside the scale: %(outside)s"), {"outside": ", ".join(outside)}))
    return {name: values[name] for name in known}


def weighted_score(policy: Policy, values: Mapping[str, int]) -> Fraction:
    """0-100: each criterion's position on its scale, weighted. Exact, so a threshold is never
    missed or met by rounding."""
    total = sum(
        (Fraction(c.weight * (values[c.name] - c.min), c.max - c.min) for c in policy.criteria),
        Fraction(0),
    )
    return total * 100 / policy.total_weight


def shown(score: Fraction) -> str:
    """A score as people read it: two decimals, half up (never used to decide)."""
    exact = Decimal(score.numerator) / Decimal(score.denominator)
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
