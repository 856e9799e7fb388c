"""HTML templates (Jinja, autoescaped) to PDF with WeasyPrint; Chinese text drawn with the Noto CJK fonts
that scripts/setup.sh installs."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("engine.documents", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )


def render_html(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(**context)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, which the CLI's other commands never need

    return HTML(string=render_html(template, context)).write_pdf()
