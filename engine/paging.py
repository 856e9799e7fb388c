"""One page of a list: the items, the total, and where the page is (used by the web pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def count_rows(session: Session, query: Select[Any]) -> int:
    """How many rows ``query`` yields (its order dropped): the total of a paged list."""
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def paginate(
    session: Session, query: Select[Any], page: int, per_page: int, *, total: int | None = None
) -> Page[Any]:
    """One page of ``query`` (1-based ``page``) and the total count of its rows (``total``: already counted by
    the caller); a page past the end is empty without asking for its rows (on PostgreSQL an ordered LIMIT may
    walk a whole index looking for them)."""
    page = max(1, page)
    if total is None:
        total = count_rows(session, query)
    offset = (page - 1) * per_page
    items = list(session.scalars(query.limit(per_page).offset(offset))) if offset < total else []
    return Page(items, total, page, per_page)
