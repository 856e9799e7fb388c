"""The task page's context panel and the instance page as a person reads them: the case summarised in labelled
fields (the need, the applications side by side, the expert ranking, the decisions so far) — names instead of
codes, money in 元, options by their labels, times in Beijing time, never a variable name.

Labels and formats come from the forms that collected the values (``forms/`` definitions pinned in the
instance's deployment); a value no form describes is not shown. What the viewer may see is decided before, by
the access policy (``policy.data_view`` / ``events_view``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from engine import application_records
from engine.directory import account_names, organisation_names, person_names
from engine.errors import NotFound
from engine.labels import jurisdiction_name, role_name
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.taskforms import form_for
from forms.convert import format_money_fen
from forms.definition import PERSON_PICKERS, FieldDef, FormDefinition
from forms.pickers import codes_of
from web.extensions import db
from web.i18n import current_lang, diagram_name
from web.timefmt import local_instant

#: The forms whose fields summarise the need and the applications.
NEED_FORM = "need_post"
NEED_FIELDS = ("need_title", "category", "need_total_fen", "deadline", "scope", "race_wanted")
APPLICATIONS_FORM = ("applications_form", "applications")


@dataclass
class Item:
    """One labelled value; ``rows`` for a repeating group (each row its own items)."""

    label: str
    text: str = ""
    multiline: bool = False
    rows: list[list[Item]] = field(default_factory=list)


@dataclass
class Entry:
    at: datetime
    who: str
    name: str
    items: list[Item]
    kind: str


@dataclass
class CaseView:
    need: list[Item]
    applications: list[list[Item]]
    application_labels: list[str]
    ranking: list[dict[str, Any]]
    entries: list[Entry]


def yuan_text(fen: Any) -> str:
    if not isinstance(fen, int) or isinstance(fen, bool):
        return str(fen)
    return format_money_fen(fen, grouping=True) + " " + _("元")


class Names:
    """Organisation, person and account names, each looked up once per request."""

    def __init__(self) -> None:
        self.units: dict[str, str] = g.setdefault("jb_unit_names", {})
        self.people: dict[str, str] = g.setdefault("jb_person_names", {})
        self.accounts: dict[str, str] = g.setdefault("jb_account_names", {})

    def _fill(self, known: dict[str, str], codes: Iterable[str], lookup: Any) -> None:
        missing = [c for c in codes if c and c not in known]
        if missing:
            found = lookup(db.session(), missing)
            known.update({c: found.get(c, c) for c in missing})

    def unit(self, code: str) -> str:
        self._fill(self.units, [code], organisation_names)
        return self.units.get(code, code)

    def person(self, code: str) -> str:
        self._fill(self.people, [code], person_names)
        return self.people.get(code, code)

    def account(self, username: str | None) -> str:
        """The person's name; an account without one is called by its role and jurisdiction (大足 科技局)."""
        if not username:
            return ""
        self._fill(self.accounts, [username], account_names)
        if self.accounts.get(username, username) == username:
            user = db.session.scalar(select(User).where(User.username == username))
            grant = user.roles[0] if user is not None and user.roles else None
            if grant is not None:
                where = jurisdiction_name(grant.jurisdiction, current_lang()) if grant.jurisdiction else ""
                sep = "" if current_lang() == "zh" else " "
                self.accounts[username] = f"{where}{sep}{role_name(grant.role, current_lang())}".strip()
        return self.accounts.get(username, username)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_text(spec: FieldDef, value: Any, names: Names) -> str:
    """A stored value as the person who reads it says it."""
    if spec.type == "money":
        return yuan_text(value)
    if spec.type == "select":
        chosen = value if isinstance(value, list) else [value]
        return "、".join(
            (opt.label.get(current_lang()) if (opt := spec.option(str(v))) else str(v)) for v in chosen
        )
    if spec.type == "checkbox":
        return _("是") if value else _("否")
    if spec.type == "picker":
        lookup = names.person if spec.of in PERSON_PICKERS else names.unit
        return "、".join(lookup(code) for code in codes_of(value))
    if spec.type == "datetime" and isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local_instant(at) if at.tzinfo else value
    if spec.type == "file":
        files = value if isinstance(value, list) else [value]
        return "、".join(str(f.get("name", "")) for f in files if isinstance(f, Mapping))
    return _plain(value)


def shown_label(spec: FieldDef) -> str:
    label = spec.label.get(current_lang())
    if spec.type == "money":  # the value says 元 itself
        label = label.removesuffix("（元）").removesuffix(" (CNY)").removesuffix(" (yuan)")
    return label


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


#: A group row naming a person by account and by name (the panel's experts, bpmn/shared/expert_review.bpmn:
#: ``name`` the expert's user name, ``display_name`` the person's name).
ACCOUNT_FIELD, NAME_FIELD = "name", "display_name"


def _person_row(row: Mapping[str, Any], names: Names) -> Mapping[str, Any]:
    """A reader sees the person's name, never the account (``expert_dazu_07``): the account is left out when
    the row names the person, else replaced by the account's person name."""
    if NAME_FIELD not in row or not isinstance(row.get(ACCOUNT_FIELD), str):
        return row
    if row.get(NAME_FIELD):
        return {**row, ACCOUNT_FIELD: None}
    return {**row, ACCOUNT_FIELD: names.account(row[ACCOUNT_FIELD])}


def describe(
    defn: FormDefinition | None, data: Mapping[str, Any], names: Names, only: Iterable[str] = ()
) -> list[Item]:
    """The values of ``data`` that ``defn`` collects, labelled in the user's language, in the form's order."""
    if defn is None or not isinstance(data, Mapping):
        return []
    wanted = set(only)
    items: list[Item] = []
    for spec in defn.fields:
        if spec.type == "readonly" or (wanted and spec.name not in wanted):
            continue
        value = data.get(spec.name)
        if _blank(value) or (spec.type == "checkbox" and value is False and not spec.required):
            continue
        label = shown_label(spec)
        if spec.type == "group":
            rows = [
                describe(FormDefinition(defn.id, defn.title, spec.fields), _person_row(row, names), names)
                for row in value
                if isinstance(row, Mapping)
            ]
            items.append(Item(label, rows=[r for r in rows if r]))
        else:
            items.append(Item(label, value_text(spec, value, names), multiline=spec.multiline))
    return items


class CaseForms:
    """The forms of one instance's deployment, by key, and the form each of its tasks used."""

    def __init__(self, instance: ProcessInstance) -> None:
        self.instance = instance
        self._forms: dict[str, FormDefinition | None] = {}
        rows = db.session.execute(
            select(HumanTask.task_spec, HumanTask.form_key).where(HumanTask.instance_id == instance.id)
        )
        self.task_forms = {spec: key for spec, key in rows if key}

    def get(self, key: str | None) -> FormDefinition | None:
        if not key:
            return None
        if key not in self._forms:
            try:
                self._forms[key] = form_for(
                    db.session(), self.instance.process_version, key, self.instance.jurisdiction
                )
            except NotFound:
                self._forms[key] = None
        return self._forms[key]


def _ranking(data: Mapping[str, Any], names: Names) -> list[dict[str, Any]]:
    rows = data.get("review_ranking")
    if not isinstance(rows, list):
        return []
    out = []
    for i, row in enumerate(r for r in rows if isinstance(r, Mapping) and r.get("solver")):
        out.append(
            {
                "rank": i + 1,
                "name": names.unit(str(row["solver"])),
                "average": _plain(row.get("average", "")),
                "count": row.get("count", ""),
            }
        )
    return out


def case_view(instance: ProcessInstance, data: Mapping[str, Any], events: list[dict[str, Any]]) -> CaseView:
    """The case summary of ``data`` (the viewer's filtered data) and ``events`` (the viewer's filtered events)."""
    names = Names()
    forms = CaseForms(instance)
    need = []
    issuer = data.get("issuer_code")
    if isinstance(issuer, str) and issuer:
        need.append(Item(_("发榜单位"), names.unit(issuer)))
    need += describe(forms.get(NEED_FORM), data, names, NEED_FIELDS)
    form_key, group = APPLICATIONS_FORM
    defn = forms.get(form_key)
    spec = defn.field(group) if defn is not None else None
    applications: list[list[Item]] = []
    labels: list[str] = []
    if spec is not None:
        # the submitted applications are records of the application table (engine.application_records); the
        # viewer's data says whose: the applications it lists (a solver's, its own only) or the candidates
        row_form = FormDefinition(spec.name, spec.label, spec.fields)
        labels = [shown_label(f) for f in spec.fields if f.type not in ("checkbox",)]
        challenge = str(data.get("project_code") or instance.business_key or "")
        for row in application_records.submitted(db.session(), challenge, data):
            shown = {i.label: i for i in describe(row_form, row, names)}
            applications.append([shown.get(label, Item(label, _("未填写"))) for label in labels])
    entries: list[Entry] = []
    for e in events:
        at = datetime.fromisoformat(e["at"])
        payload = e.get("data") if isinstance(e.get("data"), Mapping) else {}
        if e["kind"] == "task_completed":
            items = describe(forms.get(forms.task_forms.get(e.get("task") or "")), payload, names)
            entries.append(
                Entry(
                    at,
                    names.account(e.get("actor")),
                    diagram_name(e.get("task_name")) or _("办理"),
                    items,
                    e["kind"],
                )
            )
        elif e["kind"] == "message_received":
            body = payload.get("payload") if isinstance(payload.get("payload"), Mapping) else {}
            solver = body.get("solver") if isinstance(body, Mapping) else None
            titles = {
                "application": _("收到揭榜申请"),
                "objection": _("收到异议"),
                "change_request": _("收到变更申请"),
                "extension_request": _("收到延期申请"),
                "termination_request": _("收到终止/撤销申请"),
            }
            title = titles.get(str(payload.get("message")), _("收到申请或请求"))
            items = [Item(_("揭榜单位"), names.unit(str(solver)))] if solver else []
            entries.append(Entry(at, names.account(e.get("actor")), title, items, e["kind"]))
        elif e["kind"] == "stage_report":  # engine.stage_reports: a solver's report outside a milestone task
            report = payload.get("stage_report") if isinstance(payload.get("stage_report"), Mapping) else {}
            entries.append(
                Entry(
                    at,
                    names.account(e.get("actor")),
                    _("阶段报告"),
                    stage_report_items(report, names),
                    e["kind"],
                )
            )
        elif e["kind"] == "task_reassigned":  # engine.reassign: who now does the task, instead of whom, why
            items = [
                Item(_("改派给"), str(payload.get("to_name") or "—")),
                *([Item(_("原办理人"), str(payload["from_name"]))] if payload.get("from_name") else []),
                *([Item(_("理由"), str(payload["reason"]))] if payload.get("reason") else []),
            ]
            entries.append(Entry(at, names.account(e.get("actor")), _("改派"), items, e["kind"]))
        elif e["kind"] in ("terminated", "error", "retried"):
            title = {
                "terminated": _("流程终止"),
                "error": _("出错"),
                "retried": _("重试"),
            }[e["kind"]]
            entries.append(Entry(at, names.account(e.get("actor")), title, [], e["kind"]))
    return CaseView(need, applications, labels, _ranking(data, names), entries)


def stage_report_items(report: Mapping[str, Any], names: Any) -> list[Item]:
    """A stage report as the case history shows it: the unit, the period, the progress, the file's name."""
    file = report.get("file") if isinstance(report.get("file"), Mapping) else {}
    items = [
        Item(_("揭榜单位"), names.unit(str(report.get("solver") or ""))),
        Item(_("报告期"), f"{report.get('period_start') or '—'} — {report.get('period_end') or '—'}"),
        Item(_("本期进展"), str(report.get("progress") or _("未填写")), multiline=True),
    ]
    if file:
        items.append(Item(_("附件"), str(file.get("name") or "")))
    return items
