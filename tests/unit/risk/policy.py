"""The risk policy the tests score with: the shipped weights, pinned so that expected scores
worked out by hand do not move when the shipped policy is tuned."""

from __future__ import annotations

from shokei.risk.policy import RiskPolicy, parse_policy

TEST_POLICY_TOML = """
version = "test-1"
[weights]
sme = 10
small_scale = 15
consecutive_losses = 15
low_equity_ratio = 10
negative_equity = 20
credit_event = 20
restructuring_announced = 15
factory_closure = 20
recent_foreign_acquisition = 15
foreign_subcontracting = 10
export_of_related_items = 10
supply_chain_criticality = 30
no_survey_answer = 5
open_exit_case = 20
[foreign_control]
levels_percent = [1, 10, 25, 50]
weights = [5, 15, 25, 40]
[parameters]
event_window_days = 730
acquisition_window_days = 365
survey_window_days = 365
consecutive_loss_years = 2
low_equity_ratio_percent = 10
criticality_full_at = 500
critical_from = 100
[recommendations]
early_outreach = 25
succession_case = 45
temporary_acquisition = 70
"""

TEST_POLICY: RiskPolicy = parse_policy(TEST_POLICY_TOML)
