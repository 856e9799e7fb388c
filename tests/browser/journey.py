"""The steps every browser journey (one challenge through the web, as each person in turn) shares: numbered
screenshots, the queue with its due dates, opening and submitting a task, names never codes, and the
administrator moving the simulated clock to a pending deadline, and a Karamay case driven to its panel or to the
third party's recommendation. Used by ``test_journey_dazu``, ``test_race_journey_urumqi`` and the Karamay pages'
tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.clock import SHANGHAI
from engine.models.task import HumanTask
from tests.browser.conftest import Watched, copy_for_readme, screenshot

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str) -> list[dict[str, Any]]:
    """One small PDF named ``name`` for ``set_input_files``."""
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF}]


def codes(jurisdiction: str) -> re.Pattern[str]:
    """Codes a person must never read on a task page: organisation, person and expert codes of the
    jurisdiction (not the challenge's own number, e.g. DAZU-2026-003) and variable names."""
    prefix = jurisdiction.upper()
    return re.compile(prefix + r"-(?!20\d\d-\d{3})[A-Z0-9]+|\w+_fen\b")


class Journey:
    """Numbered screenshots of one journey (``test-output/screenshots/<prefix>-NN-name.png``, and a copy
    under ``also`` when given); the most telling copied for the README."""

    def __init__(self, prefix: str, jurisdiction: str, also: Path | None = None) -> None:
        self.n = 0
        self.prefix = prefix
        self.code = codes(jurisdiction)
        self.also = also

    def shot(self, who: Watched, name: str, readme: str | None = None) -> Path:
        self.n += 1
        path = screenshot(who.page, f"{self.prefix}-{self.n:02d}-{name}")
        if self.also:
            self.also.mkdir(parents=True, exist_ok=True)
            (self.also / path.name).write_bytes(path.read_bytes())
        if readme:
            copy_for_readme(path, f"journey-{readme}")
        return path

    def no_codes(self, who: Watched) -> None:
        """Names, never codes: nothing like DAZU-S1, URUMQI-E03 or need_total_fen on the page's main part."""
        text = who.page.inner_text("main")
        found = self.code.findall(text)
        assert not found, f"{who.username} on {who.page.url}: codes shown {found}"


def ready_task_id(flow: Any, spec: str, assignee: str | None = None) -> str:
    """The id of the ready task ``spec`` (of ``assignee`` when several are ready, one per panel expert) of a case
    driven by ``tests.lifecycle`` (its ``Flow``), for a person to open in the browser; commits the flow's
    session first so that the web sees what it did."""
    flow.s.commit()
    query = select(HumanTask.id).where(
        HumanTask.instance_id == flow.id, HumanTask.task_spec == spec, HumanTask.status == "ready"
    )
    if assignee is not None:
        query = query.where(HumanTask.assignee == assignee)
    return flow.s.scalars(query).one()


def karamay_to_panel(flow: Any) -> None:
    """A Karamay case (``tests.lifecycle``'s ``Flow``) up to forming its panel: the need posted, reviewed and
    listed, the applications closed on 5 June 2026 with KARAMAY-S1's recorded."""
    from tests.lifecycle.conftest import application, need
    from tests.lifecycle.drivers import REVIEW

    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-06-05"})
    flow.at("2026-06-06T00:01:00+08:00")
    flow.do("collect_applications", {"applications": [application("KARAMAY-S1", "KARAMAY-P1")]})
    assert flow.ready() == ["form_panel"]


def karamay_to_recommendation(flow: Any) -> None:
    """On from ``karamay_to_panel``: a panel of three (its chair named by the issuer) scores KARAMAY-S1 90; the
    commissioned third party's recommendation (003 §12(5)) is ready."""
    from tests.lifecycle.conftest import panel
    from tests.lifecycle.drivers import score_all

    karamay_to_panel(flow)
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 90})
    assert flow.ready() == ["third_party_recommend"]


def queue_row(who: Watched, key: str, task: str) -> Any:
    """Open the queue; the row of ``task`` of ``key`` must show a due date; returns the row."""
    who.open("/tasks", "待办任务")
    row = who.page.locator("table.queue tbody tr", has_text=key).filter(has_text=task)
    assert row.count() >= 1, (
        f"{who.username}: no {task} of {key} in the queue:\n{who.page.inner_text('main')}"
    )
    due = row.first.locator("td.due").inner_text().strip()
    assert due and due != "—", f"{who.username}: {task} of {key} has no due date ({due!r})"
    return row.first


def open_task(who: Watched, key: str, task: str) -> str:
    """From the queue to the task's page (办理); returns the task's id."""
    row = queue_row(who, key, task)
    task_id = row.get_attribute("data-task")
    row.locator("a", has_text="办理").click()
    who.page.wait_for_load_state("networkidle")
    return task_id


def submit(who: Watched, done: str = "已提交", failed: str = "journey-failed") -> str:
    who.page.click("button[name=action][value=submit]")
    who.page.wait_for_load_state("networkidle")
    main = who.page.inner_text("main")
    if done not in main:
        screenshot(who.page, failed)
    assert done in main, f"{who.username} on {who.page.url}: not {done}:\n{main}"
    return who.check(done)


def refused(who: Watched, field: str, *said: str, shot: str | None = None) -> str:
    """Submit; the form must come back unsubmitted with ``said`` beside ``field`` (screenshot ``shot``, if
    named). Returns the error."""
    who.page.click("button[name=action][value=submit]")
    who.page.wait_for_load_state("networkidle")
    if not who.page.locator(f"#f-{field}-error").count():
        screenshot(who.page, "journey-not-refused")
        raise AssertionError(f"{who.username}: nothing beside {field}:\n{who.page.inner_text('main')}")
    error = who.page.inner_text(f"#f-{field}-error")
    for text in said:
        assert text in error, f"{who.username}: {text!r} not beside {field}: {error!r}"
    who.check("表单有误，尚未提交", shot=shot)
    return error


def apply_online(
    solver: Watched, members: list[str], *, budget: str = "1,000,000", shot: str | None = None
) -> str:
    """On the open apply page of a challenge, as the solver: the team by name (leader first), the plan and
    the budget, the solution document and the pledge; submits. Returns the page's main text."""
    page = solver.page
    page.select_option("[name=members]", members)
    page.fill("[name=plan]", "数字孪生建模与故障预测联合攻关")
    page.fill("[name=budget_fen]", budget)
    if shot:
        screenshot(page, shot)
    page.set_input_files("input[name=plan_file]", files=pdf("方案书.pdf"))
    page.check("input[name=pledge]")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def demo_project_running(
    solver: Watched,
    session: Any,
    sim: Any,
    *,
    scores: dict[str, int] | None = None,
    milestone_in_days: int | None = None,
) -> tuple[Any, datetime]:
    """The demo Dazu challenge brought to implementation around its solver: ``solver`` (``solver_dazu``, signed
    in) applies online with 大足研究员1 and 2; then, by engine calls, the applications are scored (``scores``,
    ``demo_scored``), the task book is signed with one milestone ``milestone_in_days`` after it
    (``demo_contracted``) and the issuer prepays. Needs the ``dazu_experts`` fixture. Returns the flow and when
    the task book was signed."""
    from tests.browser.conftest import DEMO_DAZU, demo_contracted, demo_flow, demo_scored

    solver.open(f"/portal/challenges/{DEMO_DAZU}/apply")
    apply_online(solver, ["DAZU-P1", "DAZU-P2"])
    flow = demo_flow(session, sim)
    demo_scored(flow, scores)
    signed = demo_contracted(flow, milestone_in_days=milestone_in_days)
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    flow.s.commit()
    return flow, signed


def set_clock(admin: Watched, to: str) -> None:
    """As the administrator, set the simulated clock to ``to`` (``YYYY-MM-DDTHH:MM``, Beijing time)."""
    admin.open("/admin/clock/", "模拟时钟")
    admin.page.fill("#clock-to", to)
    admin.page.click("#clock-set")
    admin.page.wait_for_load_state("networkidle")
    admin.check(f"模拟时钟已调到 {to.replace('T', ' ')}")


def clock_to_timer(admin: Watched, title: str, name: str, minutes: int) -> datetime:
    """As the administrator, set the simulated clock ``minutes`` after the pending deadline ``name`` of the
    challenge ``title`` (read from /admin/clock); it must fire. Returns the deadline's instant, read from the
    row's ``<time datetime>`` (the text shows a day's end as "2026年11月4日 24:00"), in Asia/Shanghai."""
    admin.open("/admin/clock/", "即将到期的期限")
    row = admin.page.locator("#pending-timers tbody tr", has_text=title).filter(has_text=name)
    assert row.count() >= 1, admin.page.inner_text("#pending-timers")
    stamp = row.first.locator("td").first.locator("time").get_attribute("datetime")
    assert stamp, row.first.inner_text()
    instant = datetime.fromisoformat(stamp).astimezone(SHANGHAI)
    due = instant.replace(tzinfo=None) + timedelta(minutes=minutes)
    admin.page.fill("#clock-to", due.strftime("%Y-%m-%dT%H:%M"))
    admin.page.click("#clock-set")
    admin.page.wait_for_load_state("networkidle")
    admin.check(f"模拟时钟已调到 {due:%Y-%m-%d %H:%M}", "期限已到期并触发", name)
    return instant


def import_calendars(admin: Watched, schedules: dict[int, str]) -> None:
    """As the administrator, import each year's holiday schedule (CSV) in the browser."""
    for year, schedule in schedules.items():
        admin.open("/admin/calendar/", "节假日安排")
        admin.page.set_input_files(
            "#calendar-file",
            files=[{"name": f"{year}年节假日安排.csv", "mimeType": "text/csv", "buffer": schedule.encode()}],
        )
        admin.page.get_by_role("button", name="预览").click()
        admin.page.wait_for_load_state("networkidle")
        admin.page.get_by_role("button", name="确认导入").click()
        admin.page.wait_for_load_state("networkidle")
        admin.check(f"已导入 {year} 年的节假日安排")


#: the holiday schedules of the years the projects run in (the State Council publishes one a year; test data)
SCHEDULES = {
    2027: "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n2027-02-08,holiday,春节\n",
    2028: "date,kind,name\n2028-01-01,holiday,元旦\n2028-01-26,holiday,春节\n2028-01-27,holiday,春节\n",
}
