"""Due dates of human tasks, from policy: ``bpmn/<jurisdiction>/task_deadlines_<jurisdiction>.dmn``.

Each row of that decision table (hit policy FIRST) matches a task by its form key (or its BPMN id); ``-`` matches
every task. Its outputs:

- ``amount`` (a whole number ≥ 1) of ``unit`` — ``working_days`` (the State Council schedule, counted by
  ``engine.calendar.WorkCalendar``, POLICIES.md §6) or ``days`` (calendar days) — counted from the instant the
  task became ready;
- ``remind_days`` (whole number ≥ 0): calendar days before the due date when the people who may act are reminded;
- ``escalate_days`` (whole number ≥ 0): calendar days after the due date when the jurisdiction's bureau is told;
- ``data_deadline``: the name of a task-data field holding a real deadline (ISO date or date-time, e.g. the
  recommendation deadline of 002 五(一)2); when the task's data carries it, it wins over the duration;
- ``source``: the seed citation, or "bureau default" where the seeds are silent.

The table is read from the deployment the instance runs (immutable), parsed once per file content and checked at
deploy time (``check_table``): a bad amount is refused with a message naming the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import UNITS, WorkCalendar
from engine.clock import SHANGHAI, parse_aware, to_utc
from engine.errors import CalendarMissing, ValidationFailed
from engine.models.deployment import DeploymentFile, ProcessVersion
from engine.xmlsafe import parse_xml

FILE_PREFIX = "task_deadlines_"
OUTPUTS = ("amount", "unit", "remind_days", "escalate_days", "data_deadline", "source")
_LITERAL = re.compile(r"^'([^']*)'$")
_INTEGER = re.compile(r"^-?\d+$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DeadlineTableError(ValueError):
    """A task-deadline table that must not be deployed; ``zh``/``en`` say what is wrong and where."""

    def __init__(self, zh: str, en: str, element: str | None = None) -> None:
        super().__init__(en)
        self.zh, self.en, self.element = zh, en, element


@dataclass(frozen=True)
class DeadlineRule:
    task: str | None  # form key or BPMN id; None matches every task
    amount: int
    unit: str
    remind_days: int
    escalate_days: int
    data_deadline: str
    source: str


@dataclass(frozen=True)
class TaskDue:
    due_at: datetime  # UTC
    remind_at: datetime  # UTC
    escalate_at: datetime  # UTC
    source: str


def is_deadline_table(filename: str) -> bool:
    base = filename.rsplit("/", 1)[-1]
    return base.startswith(FILE_PREFIX) and base.lower().endswith(".dmn")


def _text(el: etree._Element) -> str:
    found = el.xpath("./*[local-name()='text']")
    return (found[0].text or "").strip() if found else ""


def _literal(raw: str, rule_id: str, column: str) -> str:
    found = _LITERAL.match(raw)
    if not found:
        raise DeadlineTableError(
            f"规则 {rule_id} 的“{column}”必须是带引号的文字，例如 'working_days'，现在是 {raw!r}。",
            f"Rule {rule_id}: '{column}' must be a quoted text such as 'working_days', got {raw!r}.",
            rule_id,
        )
    return found.group(1)


def _whole(raw: str, rule_id: str, column: str, minimum: int) -> int:
    if not _INTEGER.match(raw) or int(raw) < minimum:
        raise DeadlineTableError(
            f"规则 {rule_id} 的“{column}”必须是不小于 {minimum} 的整数（天数），现在是 {raw!r}；请改成整数后重新部署。",
            f"Rule {rule_id}: '{column}' must be a whole number ≥ {minimum} (days), got {raw!r}; "
            "correct it and deploy again.",
            rule_id,
        )
    return int(raw)


def check_table(content: bytes) -> list[DeadlineRule]:
    """Parse and check a task-deadline table; raise ``DeadlineTableError`` naming the first bad row."""
    root = parse_xml(content).getroot()
    tables = root.xpath("//*[local-name()='decisionTable']")
    if len(tables) != 1:
        raise DeadlineTableError(
            "任务期限表必须恰好包含一个决策表。",
            "A task-deadline file must contain exactly one decision table.",
        )
    table = tables[0]
    names = [o.get("name") for o in table.xpath("./*[local-name()='output']")]
    if tuple(names) != OUTPUTS:
        raise DeadlineTableError(
            f"任务期限表的输出列必须依次为 {', '.join(OUTPUTS)}，现在是 {', '.join(map(str, names))}。",
            f"The outputs of a task-deadline table must be {', '.join(OUTPUTS)} in this order, "
            f"got {', '.join(map(str, names))}.",
            table.get("id"),
        )
    if len(table.xpath("./*[local-name()='input']")) != 1:
        raise DeadlineTableError(
            "任务期限表只能有一个输入列（任务的表单标识）。",
            "A task-deadline table has exactly one input: the task's form key.",
            table.get("id"),
        )
    rules: list[DeadlineRule] = []
    for el in table.xpath("./*[local-name()='rule']"):
        rule_id = el.get("id") or "?"
        (entry,) = [_text(e) for e in el.xpath("./*[local-name()='inputEntry']")] or [""]
        outs = [_text(e) for e in el.xpath("./*[local-name()='outputEntry']")]
        if len(outs) != len(OUTPUTS):
            raise DeadlineTableError(
                f"规则 {rule_id} 应有 {len(OUTPUTS)} 个输出值，现在有 {len(outs)} 个。",
                f"Rule {rule_id} must have {len(OUTPUTS)} output values, it has {len(outs)}.",
                rule_id,
            )
        unit = _literal(outs[1], rule_id, "unit")
        if unit not in UNITS:
            raise DeadlineTableError(
                f"规则 {rule_id} 的单位“{unit}”无效，只能是 working_days（工作日）或 days（自然日）。",
                f"Rule {rule_id}: invalid unit '{unit}': use 'working_days' or 'days'.",
                rule_id,
            )
        field = _literal(outs[4], rule_id, "data_deadline")
        if field and not _FIELD.match(field):
            raise DeadlineTableError(
                f"规则 {rule_id} 的 data_deadline 必须是一个数据字段名，现在是 {field!r}。",
                f"Rule {rule_id}: data_deadline must be a data field name, got {field!r}.",
                rule_id,
            )
        rules.append(
            DeadlineRule(
                task=None if entry in ("", "-") else _literal(entry, rule_id, "task"),
                amount=_whole(outs[0], rule_id, "amount", 1),
                unit=unit,
                remind_days=_whole(outs[2], rule_id, "remind_days", 0),
                escalate_days=_whole(outs[3], rule_id, "escalate_days", 0),
                data_deadline=field,
                source=_literal(outs[5], rule_id, "source"),
            )
        )
    return rules


#: parsed tables by the sha256 of their content (deployed files never change)
_PARSED: dict[str, tuple[DeadlineRule, ...]] = {}
#: the table of a process version and jurisdiction, by (version id, its content hash, jurisdiction): a version
#: and its deployment are immutable, so the file is looked up once per process, not once per step that makes
#: a task (the hash keeps a recreated database's version of the same id apart)
_BY_VERSION: dict[tuple[int, str, str], tuple[DeadlineRule, ...]] = {}


def rules_for(
    session: Session, process_version_id: int, jurisdiction: str | None, content_hash: str | None = None
) -> tuple[DeadlineRule, ...]:
    """The deadline table of ``jurisdiction`` in the deployment of this process version (empty without one);
    ``content_hash``: the version's, when the caller read it with the instance."""
    if not jurisdiction:
        return ()
    if content_hash is None:  # the instance's own version: usually in the session already
        version = session.get(ProcessVersion, process_version_id)
        content_hash = version.content_hash if version is not None else ""
    key = (process_version_id, content_hash, jurisdiction)
    if key not in _BY_VERSION:
        _BY_VERSION[key] = _read_rules(session, process_version_id, jurisdiction)
    return _BY_VERSION[key]


def _read_rules(session: Session, process_version_id: int, jurisdiction: str) -> tuple[DeadlineRule, ...]:
    name = f"{FILE_PREFIX}{jurisdiction}.dmn"
    rows = session.execute(
        select(DeploymentFile.id, DeploymentFile.name, DeploymentFile.sha256)
        .join(ProcessVersion, ProcessVersion.deployment_id == DeploymentFile.deployment_id)
        .where(ProcessVersion.id == process_version_id, DeploymentFile.name.endswith(name))
    ).all()
    found = [r for r in rows if r.name.rsplit("/", 1)[-1] == name]
    if not found:
        return ()
    sha256 = found[0].sha256
    if sha256 not in _PARSED:
        content = session.scalar(select(DeploymentFile.content).where(DeploymentFile.id == found[0].id))
        _PARSED[sha256] = tuple(check_table(bytes(content or b"")))
    return _PARSED[sha256]


def match(
    rules: tuple[DeadlineRule, ...] | list[DeadlineRule], form_key: str | None, task_spec: str
) -> DeadlineRule | None:
    for rule in rules:
        if rule.task is None or rule.task in (form_key, task_spec):
            return rule
    return None


def data_deadline(value: Any) -> datetime | None:
    """A deadline read from task data: a date means 24:00 of that day (Asia/Shanghai); None if absent/unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value) if value.tzinfo else None
    if isinstance(value, date):
        return to_utc(datetime.combine(value + timedelta(days=1), datetime.min.time(), SHANGHAI))
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return data_deadline(date.fromisoformat(text))
            return to_utc(parse_aware(text))
        except (ValueError, ValidationFailed):
            return None
    return None


def compute_due(
    rule: DeadlineRule, ready_at: datetime, calendar: WorkCalendar, data: dict[str, Any] | None = None
) -> TaskDue | None:
    """When a task that became ready at ``ready_at`` is due; None if its working days cannot be counted because
    the holiday schedule of a year is not loaded (never a guess; the schedule page names the missing year)."""
    due = data_deadline((data or {}).get(rule.data_deadline)) if rule.data_deadline else None
    if due is None:
        try:
            due = to_utc(calendar.window_end_datetime(ready_at, rule.amount, rule.unit))
        except CalendarMissing:
            return None
    return TaskDue(
        due_at=due,
        remind_at=due - timedelta(days=rule.remind_days),
        escalate_at=due + timedelta(days=rule.escalate_days),
        source=rule.source,
    )


class TaskDuePolicy:
    """Sets the due date of the human-task rows one change creates (``engine.indexes.rebuild``), reading the
    instance's deadline table and the holiday schedule only when a task needs them."""

    def __init__(self, session: Session, instance: Any) -> None:
        self._session, self._instance = session, instance
        self._rules: tuple[DeadlineRule, ...] | None = None
        self._calendar: WorkCalendar | None = None

    def apply(
        self, row: Any, data: dict[str, Any], now: datetime, *, boundary: datetime | None = None
    ) -> None:
        """A boundary timer on the task is its deadline; otherwise the table's row (a data deadline wins)."""
        if self._rules is None:
            instance = self._instance
            self._rules = rules_for(
                self._session,
                instance.process_version_id,
                instance.jurisdiction,
                instance.process_version.content_hash,  # read with the instance (``engine.runtime``)
            )
        rule = match(self._rules, row.form_key, row.task_spec)
        if rule is None:
            row.due_at = boundary
            return
        if self._calendar is None:
            self._calendar = WorkCalendar.current(self._session)
        due = compute_due(rule, now, self._calendar, data)
        if boundary is not None:
            row.due_at = boundary
            row.remind_at = boundary - timedelta(days=rule.remind_days)
            row.escalate_at = boundary + timedelta(days=rule.escalate_days)
        elif due is not None:
            row.due_at, row.remind_at, row.escalate_at = due.due_at, due.remind_at, due.escalate_at


class PendingDue:
    """Why an open task has no due date: its rule counts working days into a year whose holiday schedule is not
    loaded (``compute_due`` never guesses). Read once per request for every row shown."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._rules: dict[tuple[int, str | None], tuple[DeadlineRule, ...]] = {}
        self._calendar: WorkCalendar | None = None

    def missing_year(self, row: Any) -> int | None:
        """The year to import before ``row`` gets its due date; None when it has one or needs none."""
        from engine.models.instance import ProcessInstance
        from engine.models.task import OPEN

        if row is None or row.due_at is not None or row.status not in OPEN:
            return None
        instance = self._session.get(ProcessInstance, row.instance_id)
        if instance is None:
            return None
        key = (instance.process_version_id, instance.jurisdiction)
        if key not in self._rules:
            self._rules[key] = rules_for(self._session, *key)
        rule = match(self._rules[key], row.form_key, row.task_spec)
        if rule is None:
            return None
        if self._calendar is None:
            self._calendar = WorkCalendar.current(self._session)
        try:
            self._calendar.window_end_datetime(row.created_at, rule.amount, rule.unit)
        except CalendarMissing as exc:
            return int(exc.details["year"])
        return None


def fill_missing(session: Session) -> int:
    """Give their due date to the open tasks that have none because the holiday schedule of a year was missing
    when they became ready (``compute_due`` never guesses), now that it may be loaded: counted from the instant
    each became ready, as if the schedule had been there. Called by every calendar import (the admin page, the
    ``jiebang calendar import`` command, ``init-db``); flushes, the caller commits. Returns how many got one."""
    from engine.models.instance import ProcessInstance
    from engine.models.task import OPEN, HumanTask

    rows = session.execute(
        select(HumanTask, ProcessInstance.process_version_id, ProcessInstance.jurisdiction)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.status.in_(OPEN), HumanTask.due_at.is_(None))
    ).all()
    if not rows:
        return 0
    calendar = WorkCalendar.current(session)
    filled = 0
    for row, version_id, jurisdiction in rows:
        rule = match(rules_for(session, version_id, jurisdiction), row.form_key, row.task_spec)
        due = compute_due(rule, row.created_at, calendar) if rule is not None else None
        if due is not None:
            row.due_at, row.remind_at, row.escalate_at = due.due_at, due.remind_at, due.escalate_at
            filled += 1
    session.flush()
    return filled
