"""The English catalogue covers every Chinese source string and its compiled .mo matches the .po."""

from __future__ import annotations

import importlib.util
from pathlib import Path

UPDATE = Path(__file__).resolve().parents[2] / "web" / "translations" / "update.py"


def test_catalogue_is_complete_and_compiled() -> None:
    spec = importlib.util.spec_from_file_location("jb_translations_update", UPDATE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(check=True) == 0, "run: .venv/bin/python web/translations/update.py"
