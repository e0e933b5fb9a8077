"""Imports every feature's tables so Base.metadata is complete (Alembic, `alembic check`)."""

from shokei.db import Base
from shokei.manifest import model_modules
from shokei.web import models as web_models  # the web shell's own tables (lockout, revocations)

feature_models = model_modules()
metadata = Base.metadata

__all__ = ["feature_models", "metadata", "web_models"]
