"""All ORM models; importing this package registers every table on ``engine.db.Base.metadata``."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
