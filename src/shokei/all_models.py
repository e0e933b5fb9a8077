"""Imports every feature's tables so Base.metadata is complete (Alembic, `alembic check`)."""

from shokei.accounts import models as accounts_models
from shokei.audit import models as audit_models
from shokei.cases import models as cases_models
from shokei.companies import models as companies_models
from shokei.db import Base
from shokei.documents import models as documents_models
from shokei.examination import models as examination_models
from shokei.ownership import models as ownership_models
from shokei.purchase import models as purchase_models
from shokei.risk import models as risk_models
from shokei.succession import models as succession_models
from shokei.supply_chain import models as supply_chain_models
from shokei.web import models as web_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "cases_models",
    "companies_models",
    "documents_models",
    "examination_models",
    "metadata",
    "ownership_models",
    "purchase_models",
    "risk_models",
    "succession_models",
    "supply_chain_models",
    "web_models",
]
