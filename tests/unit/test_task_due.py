"""Due dates of human tasks from the deadline tables (engine.task_due)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.bundle import BundleFile, collect_paths
from engine.calendar import WorkCalendar
from engine.deploy import validate_bundle
from engine.errors import DeploymentRefused
from engine.task_due import DeadlineRule, DeadlineTableError, check_table, compute_due, match

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "due" / "task_deadlines_urumqi.dmn"
# 2026 National Day: 1–7 October off (Thu 1 – Wed 7; 3–4 are a weekend anyway), Saturday 10 October worked.
CAL = WorkCalendar([2026], {**{date(2026, 10, d): False for d in (1, 2, 5, 6, 7)}, date(2026, 10, 10): True})


def _rule(amount: int = 3, unit: str = "working_days", field: str = "") -> DeadlineRule:
    return DeadlineRule("t", amount, unit, 1, 2, field, "test")


def test_working_days_skip_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Fri 15:00 Beijing: Fri, Mon, Tue
    due = compute_due(_rule(3), friday, CAL)
    assert due is not None
    assert due.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Wed 2 Dec 00:00 Beijing
    assert due.remind_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert due.escalate_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def test_working_days_skip_the_holiday_and_count_the_make_up_day() -> None:
    start = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wed 30 Sep: 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct
    due = compute_due(_rule(4), start, CAL)
    assert due is not None and due.due_at == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)


def test_calendar_days_count_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    due = compute_due(_rule(3, "days"), friday, CAL)
    assert due is not None and due.due_at == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Sun 24:00


def test_a_deadline_in_the_task_data_wins() -> None:
    start = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    rule = _rule(3, field="recommend_deadline")
    due = compute_due(rule, start, CAL, {"recommend_deadline": "2026-06-12T19:30:00+08:00"})
    assert due is not None and due.due_at == datetime(2026, 6, 12, 11, 30, tzinfo=UTC)
    day_only = compute_due(rule, start, CAL, {"recommend_deadline": "2026-06-12"})
    assert day_only is not None and day_only.due_at == datetime(2026, 6, 12, 16, 0, tzinfo=UTC)
    absent = compute_due(rule, start, CAL, {})
    assert absent is not None and absent.due_at == datetime(2026, 6, 3, 16, 0, tzinfo=UTC)


def test_a_year_without_schedule_gives_no_due_date_rather_than_a_guess() -> None:
    assert compute_due(_rule(3), datetime(2031, 3, 3, tzinfo=UTC), CAL) is None


def test_rows_match_by_form_key_or_bpmn_id_first_row_wins() -> None:
    rules = check_table(FIXTURE.read_bytes())
    assert match(rules, "demo_need", "submit") is rules[0]
    assert match(rules, None, "demo_need") is rules[0]
    assert match(rules, "demo_decision", "review") is rules[1]  # the catch-all row


def _bad(text: str, replacement: str) -> bytes:
    return FIXTURE.read_text().replace(text, replacement, 1).encode()


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("<text>3</text>", "<text>2.5</text>", "amount"),
        ("<text>3</text>", "<text>-3</text>", "amount"),
        ("<text>1</text>", "<text>-1</text>", "remind_days"),
        ("<text>'working_days'</text>", "<text>'weeks'</text>", "unit"),
    ],
)
def test_a_bad_table_is_refused_at_deploy_naming_the_rule(old: str, new: str, said: str) -> None:
    content = _bad(old, new)
    with pytest.raises(DeadlineTableError) as caught:
        check_table(content)
    assert "rule_submit" in caught.value.en and said in caught.value.en and "rule_submit" in caught.value.zh
    files = [
        *collect_paths([ROOT / "tests" / "fixtures" / "basic"]),
        BundleFile("task_deadlines_urumqi.dmn", content),
    ]
    with pytest.raises(DeploymentRefused) as refused:
        validate_bundle(files)
    problem = refused.value.details["problems"][0]
    assert problem["file"] == "task_deadlines_urumqi.dmn" and problem["element"] == "rule_submit"
    assert "任务期限表有误" in problem["message_zh"] and said in problem["message"]


def test_the_shipped_tables_deploy_and_cover_every_human_task() -> None:
    """Every jurisdiction's table is valid, and every task of its diagrams and the shared ones has its own row."""
    bundle = validate_bundle(collect_paths([ROOT / "bpmn", ROOT / "forms" / "definitions"]))
    from engine.lint import form_key_of

    for jurisdiction in ("urumqi", "dazu", "karamay", "zhangye"):
        rules = check_table(
            (ROOT / "bpmn" / jurisdiction / f"task_deadlines_{jurisdiction}.dmn").read_bytes()
        )
        assert rules[-1].task is None  # a bureau default for any task added later
        own = [r for r in rules if r.task]
        for pid, (spec, subs) in bundle.specs.items():
            if not (pid.startswith(jurisdiction) or pid in ("annual_summary", "pilot_evaluation")):
                continue
            if pid == "annual_summary" and jurisdiction != "urumqi":
                continue
            if pid == "pilot_evaluation" and jurisdiction != "zhangye":
                continue
            for each in [spec, *subs.values()]:
                for ts in each.task_specs.values():
                    if getattr(ts, "manual", False):
                        key = form_key_of(ts)
                        assert any(r.task == key for r in own), (jurisdiction, key)
