"""Imports every feature's tables so Base.metadata is complete (Alembic, `alembic check`)."""

from shokei.accounts import models as accounts_models
from shokei.audit import models as audit_models
from shokei.cases import models as cases_models
from shokei.companies import models as companies_models
from shokei.db import Base
from shokei.documents import models as documents_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "cases_models",
    "companies_models",
    "documents_models",
    "metadata",
]
