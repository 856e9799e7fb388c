"""How a document prints values: money in 元 with thousands separators, times in Beijing time, names for codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import SHANGHAI
from engine.directory import organisation_names
from engine.models.domain import Person
from forms.convert import format_money_fen


def yuan(fen: Any) -> str:
    """``123456789`` → ``1,234,567.89 元``; empty when there is no amount."""
    if fen is None or fen == "":
        return "—"
    return f"{format_money_fen(int(fen), grouping=True)} 元"


def beijing(value: Any, *, with_time: bool = True) -> str:
    """An ISO text, a datetime or a date, as Beijing time (``2026年5月12日 00:00``)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI) if value.tzinfo else value
        text = f"{local.year}年{local.month}月{local.day}日"
        return f"{text} {local:%H:%M}" if with_time else text
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


class Names:
    """Names of the organisations and people a document mentions, looked up once."""

    def __init__(self, session: Session, organisations: Iterable[str], people: Iterable[str] = ()) -> None:
        self._units = organisation_names(session, organisations)
        wanted = sorted({p for p in people if p})
        rows = (
            session.execute(select(Person.code, Person.name).where(Person.code.in_(wanted))) if wanted else []
        )
        self._people = {code: name for code, name in rows}

    def unit(self, code: Any) -> str:
        return self._units.get(str(code), str(code)) if code else "—"

    def person(self, code: Any) -> str:
        return self._people.get(str(code), str(code)) if code else "—"
