"""A project's books on the instance page as the bureau reads them (engine.domain.books): per party what was
planned, paid, recovered and is still owed, then every movement — who paid whom, for which solver, why,
against which condition, under which rule, with the issuer's proof. Names, never codes; money in 元; the
user's language only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from engine.access import policy
from engine.access.fields import FieldViewer
from engine.domain import books as domain_books
from engine.domain import ledger
from engine.domain.problems import citation
from engine.labels import jurisdiction_name, role_name, tranche_name
from engine.models.domain import Project
from web.case_view import Names
from web.extensions import db
from web.i18n import current_lang


@dataclass
class Movement:
    at: Any
    kind: str
    payer: str
    payee: str
    solver: str
    what: str
    condition: str
    source: str
    amount_fen: int
    evidence: dict[str, str] | None


@dataclass
class BooksView:
    books: domain_books.Books
    names: dict[str, str]
    roles: dict[str, str]
    movements: list[Movement] = field(default_factory=list)
    #: who owes what once the project has ended but is not settled: the issuer's and the bureau's names
    issuer_name: str = ""
    bureau_name: str = ""


def _one_language(text: str | None) -> str:
    """A stored ``{"zh", "en"}`` pair or a ``中文 / English`` line, in the user's language."""
    if not text:
        return ""
    lang = current_lang()
    if text.startswith("{"):
        try:
            pair = json.loads(text)
            return str(pair.get(lang) or pair.get("zh") or "")
        except ValueError:
            return text
    if " / " in text:
        zh, en = text.split(" / ", 1)
        return zh if lang == "zh" else en
    return text


def books_view(jurisdiction: str | None, data: Mapping[str, Any], viewer: FieldViewer) -> BooksView | None:
    """The books of the project of ``data`` (the viewer's view of the instance data) with the movements the
    viewer may see (``policy.money_view``: a competing team only its own); None before a project has money
    planned or moved."""
    code = data.get("project_code")
    if not isinstance(code, str) or not code:
        return None
    data, rows = policy.money_view(data, ledger.rows(db.session(), code), viewer)
    if not rows and not data.get("fiscal_support_fen"):
        return None
    status = db.session.query(Project.status).filter(Project.code == code).scalar()
    kept = domain_books.books(data, rows, status or None)
    unit_names = Names()
    lang = current_lang()
    sep = "" if lang == "zh" else " "
    bureau = f"{jurisdiction_name(jurisdiction, lang)}{sep}{role_name('bureau', lang)}"

    def name(code: str | None) -> str:
        if not code:
            return "—"
        return bureau if code == ledger.BUREAU else unit_names.unit(code)

    names = {p.party: name(p.party) for p in kept.parties}
    roles = {p.party: role_name(p.role, lang) for p in kept.parties}
    kinds = {
        "disbursement": _("财政拨付"),
        "recovery": _("收回财政资金"),
        "issuer_payment": _("发榜方支付揭榜方"),
    }
    movements = []
    for e in rows:
        payee = ledger.BUREAU if e.kind == "recovery" else e.party
        what = tranche_name(e.tranche, lang) or _one_language(e.reason)
        movements.append(
            Movement(
                e.at,
                kinds.get(e.kind, e.kind),
                name(e.payer or (ledger.BUREAU if e.kind == "disbursement" else e.party)),
                name(payee),
                name(e.solver) if e.solver else "—",
                what or "—",
                _one_language(e.condition) or "—",
                citation(e.source) or "—",
                e.amount_fen,
                ledger.evidence_of(e),
            )
        )
    issuer = data.get("issuer_code")
    return BooksView(kept, names, roles, movements, name(issuer) if isinstance(issuer, str) else "", bureau)
