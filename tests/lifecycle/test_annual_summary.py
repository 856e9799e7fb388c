"""Urumqi's annual summary 总结评价 (000 §12(8)): the year's figures from real challenges, the summary process
(write, joint-meeting review that can return it, stored report) and `jiebang report annual`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from engine import instances
from engine.domain.reports import annual_summary
from engine.runtime import StepFailed

from .conftest import Flow, need, register_contract
from .test_urumqi import to_contract

FIRST_TRANCHE = 100_000_000  # 50% of 2,000,000 CNY fiscal support, in fen (000 §12(6), policy first_pct)
CONTRACT = {"period_months": 24, "ip_ownership": "发榜方", "disbursement_plan": "50/50"}
SUMMARY = {
    "summary_implementation": "两个项目立项，一个因主观原因终止。",
    "summary_policy": "财政支持不超过投入的40%。",
    "summary_funding": "首笔资金拨付及时。",
    "summary_coordination": "联席会议按期召开。",
    "summary_problems": "揭榜团队数量偏少。",
    "summary_improvements": "扩大榜单发布渠道。",
}


def funded_year(start, sim) -> dict[str, Flow]:  # type: ignore[no-untyped-def]
    """Needs posted on both sides of new year (Beijing time), one refused, two funded — one of them then
    terminated for a subjective cause, which recovers its fiscal money and records misconduct (000 §15–16)."""
    sim.set("2025-12-31T23:30:00+08:00")  # 15:30 UTC: 2025 in Beijing
    last_year = start("urumqi")
    sim.set("2026-01-01T00:30:00+08:00")  # still 2025 in UTC, but 2026 in Beijing
    new_year = start("urumqi")
    sim.set("2026-05-06T09:00:00+08:00")
    refused = start("urumqi")
    assert "002 五(二)4" in refused.refused("post_need", need(pledge_leader=False))["pledge_leader"]
    kept, stopped = start("urumqi"), start("urumqi")
    to_contract(kept)
    to_contract(stopped, selected="URUMQI-S2")
    assert kept.at("2026-05-13T00:00:00+08:00") == 2  # both 7-day publicity windows end (000 §12(5))
    kept.do("sign_contract", CONTRACT)
    stopped.do("sign_contract", CONTRACT)
    register_contract(kept)  # 002 五(二)6: the first tranche waits for the registration
    register_contract(stopped)
    stopped.at("2026-09-01T10:00:00+08:00")
    stopped.message("termination_request", {"cause": "subjective", "reason": "擅自变更技术路线"})
    stopped.do("audit", {"audit_unspent": [{"solver": "URUMQI-S2", "unspent_fen": "1"}]})
    stopped.do("decide", {"termination_decision": "approve"})
    return {
        "last_year": last_year,
        "new_year": new_year,
        "refused": refused,
        "kept": kept,
        "stopped": stopped,
    }


def test_figures_of_the_year(start, sim, world) -> None:  # type: ignore[no-untyped-def]
    """000 §12(8): needs, published lists, funded projects by status, money by tranche and project, credit."""
    flows = funded_year(start, sim)
    kept, stopped = flows["kept"].key, flows["stopped"].key
    d = annual_summary(world, "urumqi", 2026, now=sim.now())
    assert d["year_complete"] is False and d["as_of"].startswith("2026-09-01T10:00")
    assert (d["needs"]["posted"], d["needs"]["published"]) == (4, 2)
    assert d["projects"]["funded"] == 2
    assert d["projects"]["by_status"] == {
        "ongoing": 1,
        "paying": 0,
        "accepted": 0,
        "closed": 0,
        "failed": 0,
        "terminated": 1,
        "revoked": 0,
    }
    assert [(p["code"], p["status"]) for p in d["projects"]["list"]] == [
        (kept, "ongoing"),
        (stopped, "terminated"),
    ]
    money = d["money"]
    assert money["disbursed_fen"] == 2 * FIRST_TRANCHE
    assert money["recovered_fen"] == FIRST_TRANCHE  # a subjective termination recovers everything (000 §15)
    assert money["net_fen"] == FIRST_TRANCHE and money["issuer_paid_fen"] == 0
    first = [t for t in money["by_tranche"] if t["kind"] == "disbursement"]
    assert first == [
        {"kind": "disbursement", "tranche": "first", "amount_fen": 2 * FIRST_TRANCHE, "entries": 2}
    ]
    per_project = {p["project"]: (p["disbursed_fen"], p["recovered_fen"]) for p in money["projects"]}
    assert per_project == {kept: (FIRST_TRANCHE, 0), stopped: (FIRST_TRANCHE, FIRST_TRANCHE)}
    assert d["credit"]["added"] == 1 and d["credit"]["source"] == "000 §16"
    assert (d["credit"]["records"][0]["subject"], d["credit"]["records"][0]["kind"]) == (
        "URUMQI-S2",
        "misconduct",
    )
    # the need posted at 23:30 on 31 December (Beijing) belongs to 2025, nothing else does
    before = annual_summary(world, "urumqi", 2025, now=sim.now())
    assert before["year_complete"] is True
    assert (before["needs"]["posted"], before["needs"]["published"], before["projects"]["funded"]) == (
        1,
        0,
        0,
    )
    assert before["money"]["disbursed_fen"] == 0
    # 2025's credit records of Urumqi's organisations and people (web.demo.load_organisations), not Dazu's
    assert {(r["subject"], r["kind"]) for r in before["credit"]["records"]} == {
        ("URUMQI-BAD", "serious_dishonesty"),
        ("URUMQI-PPUN", "misconduct"),
    }
    # other jurisdictions' challenges are not Urumqi's
    assert annual_summary(world, "dazu", 2026, now=sim.now())["needs"]["posted"] == 0


def test_summary_process_written_returned_and_approved(start, sim, world) -> None:  # type: ignore[no-untyped-def]
    """000 §12(8): the bureau writes the summary on the compiled figures; the joint meeting returns it with an
    opinion, the bureau revises it, the joint meeting approves; the report keeps figures, texts and history."""
    flows = funded_year(start, sim)
    sim.set("2027-01-05T09:00:00+08:00")
    inst = instances.start_instance(
        world,
        "urumqi_annual_summary",
        business_key="URUMQI-ANNUAL-2026",
        data={"jurisdiction": "urumqi", "year": 2026},
        actor="bureau_urumqi",
    )
    flow = Flow(world, sim, "urumqi", inst.id, "URUMQI-ANNUAL-2026")
    assert flow.ready() == ["write_summary"]
    data = flow.data
    assert data["figures"]["year_complete"] is True
    assert data["figures"]["money"]["disbursed_fen"] == 2 * FIRST_TRANCHE
    assert f"{flows['stopped'].key} " in data["figures_text"] and "1,000,000.00" in data["figures_text"]
    assert "终止 terminated 1" in data["funded_text"]
    flow.do("write_summary", SUMMARY)
    assert flow.ready() == ["review"]
    flow.do("review", {"review_decision": "return", "review_opinion": "请补充资金使用绩效分析。"})
    assert flow.ready() == ["write_summary"]  # back to the bureau, with the opinion shown on its form
    assert flow.data["review_opinion"] == "请补充资金使用绩效分析。"
    flow.do("write_summary", {**SUMMARY, "summary_funding": "收回终止项目资金100万元，绩效良好。"})
    flow.do("review", {"review_decision": "approve", "review_opinion": "同意。"})
    info = flow.info()
    assert info["status"] == "completed"
    report = info["data"]["annual_report"]
    assert (report["jurisdiction"], report["year"], report["source"]) == ("urumqi", 2026, "000 §12(8)")
    assert report["funding_performance"] == "收回终止项目资金100万元，绩效良好。"
    assert report["problems"] == SUMMARY["summary_problems"]
    assert report["figures"]["money"]["recovered_fen"] == FIRST_TRANCHE
    assert report["review_rounds"] == 2
    assert [(h["decision"], h["opinion"]) for h in report["review_history"]] == [
        ("return", "请补充资金使用绩效分析。"),
        ("approve", "同意。"),
    ]
    assert report["approved_at"].startswith("2027-01-05T09:00")


def test_summary_of_a_year_not_begun_is_refused(start, sim, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StepFailed) as refused:
        instances.start_instance(
            world,
            "urumqi_annual_summary",
            data={"jurisdiction": "urumqi", "year": 2027},
            actor="bureau_urumqi",
        )
    assert "2027" in refused.value.en and "nothing was saved" in refused.value.en


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JIEBANG_DATABASE_URL": db_url, "JIEBANG_SIMULATED_CLOCK": "1"}
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_report_annual(start, sim, world, db_url) -> None:  # type: ignore[no-untyped-def]
    """`jiebang report annual --jurisdiction urumqi --year 2026 [--json]`; user errors exit 2 with one line."""
    flows = funded_year(start, sim)
    out = _cli(db_url, "report", "annual", "--jurisdiction", "urumqi", "--year", "2026", "--json")
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    assert data == annual_summary(world, "urumqi", 2026, now=sim.now())
    text = _cli(db_url, "report", "annual", "--jurisdiction", "urumqi", "--year", "2026")
    assert text.returncode == 0, text.stderr
    assert "征集 posted 4, 发布榜单 published 2" in text.stdout
    assert "财政拨付 disbursed 2,000,000.00" in text.stdout and "收回 recovered 1,000,000.00" in text.stdout
    assert f"{flows['stopped'].key} [terminated]" in text.stdout
    # the credit record names its subject and kind as the web report does, never their codes
    credit = text.stdout.split("信用记录 credit records", 1)[1]
    assert (
        "2026-09-01 乌鲁木齐揭榜单位2 科研失信（惩戒期内） Research misconduct (penalty period) (000 §15"
        in credit
    )
    assert "URUMQI-S2" not in credit and " misconduct " not in credit.replace("Research misconduct", "")
    for args, expected in (
        (("--jurisdiction", "urumqi", "--year", "2027"), "2027"),
        (("--jurisdiction", "nowhere", "--year", "2026"), "nowhere_challenge"),
        (("--jurisdiction", "urumqi", "--year", "soon"), "--year"),
    ):
        refused = _cli(db_url, "report", "annual", *args)
        assert refused.returncode == 2, refused.stdout
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in refused.stderr
