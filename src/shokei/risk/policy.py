"""The risk policy: the weights (points) and parameters of the leak-risk factors, read from a
published TOML file (`policy.toml`). Pure: parsing only."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RiskPolicy:
    """Weights (points) and parameters; see policy.toml for what each one means."""

    version: str
    weights: Mapping[str, float]
    foreign_control_bands: tuple[tuple[float, float], ...]  # (fraction, points), highest first
    event_window_days: int
    acquisition_window_days: int
    survey_window_days: int
    consecutive_loss_years: int
    low_equity_ratio_percent: float
    criticality_full_at: float
    critical_from: float
    early_outreach_from: float
    succession_case_from: float
    temporary_acquisition_from: float

    def weight(self, name: str) -> float:
        """The points of one weighted signal."""
        return float(self.weights[name])


WEIGHTS = (
    "sme",
    "small_scale",
    "consecutive_losses",
    "low_equity_ratio",
    "negative_equity",
    "credit_event",
    "restructuring_announced",
    "factory_closure",
    "recent_foreign_acquisition",
    "foreign_subcontracting",
    "export_of_related_items",
    "supply_chain_criticality",
    "no_survey_answer",
    "open_exit_case",
)


def parse_policy(text: str) -> RiskPolicy:
    """A policy from its TOML text; ValueError names what is missing or wrong."""
    try:
        data = tomllib.loads(text)
        weights = {name: float(data["weights"][name]) for name in WEIGHTS}
        return RiskPolicy(
            version=str(data["version"]),
            weights=weights,
            foreign_control_bands=_bands(data["foreign_control"]),
            **{name: _number(data["parameters"], name) for name in _PARAMETERS},
            early_outreach_from=float(data["recommendations"]["early_outreach"]),
            succession_case_from=float(data["recommendations"]["succession_case"]),
            temporary_acquisition_from=float(data["recommendations"]["temporary_acquisition"]),
        )
    except KeyError as missing:
        raise ValueError(f"the risk policy lacks {missing}") from None
    except (tomllib.TOMLDecodeError, TypeError) as error:
        raise ValueError(f"the risk policy is not valid: {error}") from None


_PARAMETERS = (
    "event_window_days",
    "acquisition_window_days",
    "survey_window_days",
    "consecutive_loss_years",
    "low_equity_ratio_percent",
    "criticality_full_at",
    "critical_from",
)


def _number(table: Mapping[str, Any], name: str) -> Any:
    value = table[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"parameters.{name} must be a number")
    return value


def _bands(table: Mapping[str, Any]) -> tuple[tuple[float, float], ...]:
    levels, points = list(table["levels_percent"]), list(table["weights"])
    if len(levels) != len(points) or not levels:
        raise TypeError("foreign_control needs as many weights as levels_percent")
    return tuple(
        sorted(
            ((float(level) / 100, float(point)) for level, point in zip(levels, points, strict=True)),
            reverse=True,
        )
    )
