"""Stage reports outside a milestone task (engine.stage_reports): checked before anything is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from engine.project_requests import Refused
from engine.stage_reports import check, open_for_reports

TODAY = date(2027, 3, 1)
FILE = {
    "name": "r.pdf",
    "size": 10,
    "content_type": "application/pdf",
    "sha256": "0" * 64,
    "storage_key": "k",
}
RUNNING = {"period_end": "2028-11-05", "solvers": ["S1"]}


def refused(values: dict, file: dict | None = FILE) -> dict[str, str]:
    with pytest.raises(Refused) as caught:
        check(values, file, TODAY)
    return {k: v[0] for k, v in caught.value.details["fields"].items()}


def test_a_report_of_a_past_period_with_progress_and_file_is_kept() -> None:
    kept = check(
        {"period_start": "2027-01-01", "period_end": "2027-02-28", "progress": " 样品 5N8 "}, FILE, TODAY
    )
    assert kept == {
        "period_start": "2027-01-01",
        "period_end": "2027-02-28",
        "progress": "样品 5N8",
        "file": FILE,
    }


def test_the_period_cannot_end_after_today_or_before_it_starts() -> None:
    assert (
        "不能晚于今天（2027-03-01）"
        in refused({"period_start": "2027-01-01", "period_end": "2027-03-02", "progress": "x"})["period_end"]
    )
    assert (
        "不能早于开始日期"
        in refused({"period_start": "2027-02-01", "period_end": "2027-01-31", "progress": "x"})["period_end"]
    )


def test_progress_and_file_are_required() -> None:
    found = refused({"period_start": "2027-01-01", "period_end": "2027-02-01", "progress": "  "}, None)
    assert set(found) == {"progress", "report_file"}


def test_reports_only_while_the_project_is_implemented_by_a_team_still_in_it() -> None:
    assert open_for_reports(RUNNING, "running", "S1", TODAY)
    assert not open_for_reports({}, "running", "S1", TODAY)  # no task book yet
    assert not open_for_reports(RUNNING, "completed", "S1", TODAY)
    assert not open_for_reports(RUNNING, "running", "S1", date(2028, 11, 6))  # the period is over
    assert not open_for_reports(RUNNING, "running", "S2", TODAY)  # 000 §12(7): an exited 赛马 team


def test_a_stage_report_is_read_by_its_issuer_never_by_a_competing_team() -> None:
    from engine.access.fields import FieldViewer, filter_data
    from engine.access.principal import Audience

    data = {"stage_report": {"solver": "S1", "issuer": "ISS", "progress": "x"}}
    assert filter_data(data, FieldViewer(Audience.PARTY, "issuer", frozenset({"ISS"}))) == data
    assert filter_data(data, FieldViewer(Audience.PARTY, "s1", frozenset({"S1"}))) == data
    assert "stage_report" not in filter_data(data, FieldViewer(Audience.PARTY, "s2", frozenset({"S2"})))
