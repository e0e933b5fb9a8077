"""Survey use cases, one module per group; this package is where the adapters find them:

- `campaigns`: `create_campaign`, `list_campaigns`, `campaign_status`, `my_tasks`, `cascade`,
  `close_campaign`, `template`;
- `answers`: `admit_answer`, `answer_survey`, `get_answer`;
- `base`: `system_supply_base` (a weapon system's suppliers, for the supplier-base view);
- `support`: what they share.
"""

from __future__ import annotations

from shokei.supply_chain.survey.services.answers import admit_answer, answer_survey, get_answer
from shokei.supply_chain.survey.services.base import system_supply_base
from shokei.supply_chain.survey.services.campaigns import (
    campaign_status,
    cascade,
    close_campaign,
    create_campaign,
    list_campaigns,
    my_tasks,
    template,
)

__all__ = [
    "admit_answer",
    "answer_survey",
    "campaign_status",
    "cascade",
    "close_campaign",
    "create_campaign",
    "get_answer",
    "list_campaigns",
    "my_tasks",
    "system_supply_base",
    "template",
]
