"""Issue 11's non-money rules, driven through the diagrams per jurisdiction: the call opening (002 五(一)1), the
validity of the measures (000 §18, 003 §23), 赛马 only where the need asked for it (000 §12(1), 002 五(二)7,
001 八(四)), Dazu's integrity pledge in the task book (001 八(六)), Dazu's acceptance panel (001 八(八))."""

from __future__ import annotations

from engine.domain import ledger

from .conftest import DOCS, PDF, acceptance_panel, application, need, panel, score_all
from .drivers import (
    EXTENSION_AUDIT,
    LIST_APPROVED,
    NEED_PANEL,
    REVIEW,
    contract_paid,
    implementing,
    status,
)

FAR_DEADLINE = "2035-12-31"
#: an annual call still open in 2030 (Karamay's window is the annual call's, 003 §12(1))
LATER_CALL = "2030-12-31T18:00:00+08:00"


def test_002_5_1_1_urumqi_need_before_the_call_opens_refused(start, sim) -> None:  # type: ignore[no-untyped-def]
    """002 五(一)1: Urumqi's call opens 2026-04-25 10:00 (Beijing time); a need posted before is refused beside
    the form with the opening time and the rule, and accepted from the opening on."""
    sim.set("2026-04-25T09:59:00+08:00")
    flow = start("urumqi")
    reason = flow.refused("post_need", need())["need_title"]
    assert "征集尚未开始" in reason and "2026-04-25 10:00" in reason and "002 五(一)1" in reason
    flow.at("2026-04-25T10:00:00+08:00")
    flow.do("post_need", need())
    assert flow.ready() == ["recommend"] and flow.data["need_refusals"] == []


def test_002_5_1_3_urumqi_need_after_the_call_closes_refused(start, sim) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-06-10T19:31:00+08:00")
    flow = start("urumqi")
    reason = flow.refused("post_need", need())["need_title"]
    assert "申报已截止" in reason and "2026-06-10 19:30" in reason


def test_000_18_urumqi_no_need_after_the_measures_expire(start, sim) -> None:  # type: ignore[no-untyped-def]
    """000 §18: the Urumqi measures are valid until 2028-12-31: no need is accepted under them afterwards."""
    sim.set("2029-01-02T09:00:00+08:00")
    flow = start("urumqi")
    reason = flow.refused("post_need", need(deadline=FAR_DEADLINE))["need_title"]
    assert "有效期至 2028-12-31" in reason and "000 §18" in reason


def test_003_23_karamay_measures_in_force_2025_03_28_for_five_years(start, sim) -> None:  # type: ignore[no-untyped-def]
    """003 §23: in force 30 days after 2025-02-26 (2025-03-28) for five years (to 2030-03-27)."""
    sim.set("2025-03-27T09:00:00+08:00")
    early = start("karamay")
    assert "003 §23" in early.refused("post_need", need())["need_title"]
    sim.set("2030-03-28T09:00:00+08:00")
    late = start("karamay", notice_call_closes=LATER_CALL)
    reason = late.refused("post_need", need(deadline=FAR_DEADLINE))["need_title"]
    assert "已失效" in reason and "003 §23" in reason
    sim.set("2030-03-27T09:00:00+08:00")
    inside = start("karamay", notice_call_closes=LATER_CALL)
    inside.do("post_need", need(deadline=FAR_DEADLINE))
    assert inside.ready() == ["need_review"]


def test_001_8_6_dazu_need_without_pledges_is_accepted_at_posting(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(六): Dazu's integrity pledge belongs to the tri-party task book, so a need without the pledges is
    accepted (Urumqi's 002 五(二)4 asks for them at posting); the task book then asks for it."""
    flow = start("dazu")
    flow.do("post_need", need(pledge_unit=False, pledge_leader=False))
    assert flow.ready() == ["form_need_panel"] and flow.data["need_refusals"] == []
    urumqi = start("urumqi")
    assert "002 五(二)4" in urumqi.refused("post_need", need(pledge_unit=False))["pledge_unit"]


def _to_selection(start, j: str, race_wanted: bool):  # type: ignore[no-untyped-def]
    flow = start(j)
    code = j.upper()
    flow.do("post_need", need(race_wanted=race_wanted))
    if j == "urumqi":
        flow.do("recommend", {"recommended": "yes"})
    if j == "dazu":
        flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二)
    flow.do("need_review", REVIEW)
    if j == "dazu":
        flow.do("municipal_check", {"taken_municipal": "no"})
        flow.do("list_review", LIST_APPROVED)  # 001 八(二)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    apps = [application(f"{code}-S1", f"{code}-P1"), application(f"{code}-S2", f"{code}-P4")]
    if j == "urumqi":
        apps.append(application(f"{code}-S3", f"{code}-P7"))
    flow.do("collect_applications", {"applications": apps})
    experts = ["e1", "e2", "e3", "e4", "e5"] if j == "dazu" else ["e1", "e2", "e3"]
    flow.do("form_panel", panel(experts))
    score_all(flow, {f"{code}-S1": 88, f"{code}-S2": 87})
    return flow


RACE = {
    "urumqi": {"contract_fen": "6,000,000", "fiscal_support_fen": "2,000,000"},
    "dazu": {"contract_fen": "3,000,000", "fiscal_support_fen": "900,000", "race_first_pct_case": 20},
}


def _race(j: str) -> dict[str, object]:
    code = j.upper()
    return {
        "mode": "race",
        "selected": f"{code}-S1,{code}-S2",
        "stage_due": "2026-12-31",
        "stage_task": "样机",
        "selection_reason": "两条技术路线",
        **RACE[j],
    }


def test_000_12_1_002_5_2_7_urumqi_race_only_when_the_need_asked(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(1), 002 五(二)7: the issuer proposes a race with its need; the bureau cannot choose one for a need
    that did not ask — refused beside the mode, before anything is submitted."""
    flow = _to_selection(start, "urumqi", race_wanted=False)
    reason = flow.refused("select", _race("urumqi"))["mode"]
    assert "未提出采用赛马制" in reason and "002 五(二)7" in reason
    asked = _to_selection(start, "urumqi", race_wanted=True)
    asked.do("select", _race("urumqi"))
    assert asked.ready() == ["approve"] and asked.data["selection_problem"] == ""


def test_001_8_4_dazu_race_only_with_the_consent_of_the_need(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(四): 赛马 only with the consent of the need and the issuer."""
    flow = _to_selection(start, "dazu", race_wanted=False)
    assert "001 八(四)" in flow.refused("select", _race("dazu"))["mode"]
    asked = _to_selection(start, "dazu", race_wanted=True)
    asked.do("select", _race("dazu"))
    assert asked.ready() == ["approve"]


def test_001_8_8_dazu_acceptance_panel_at_least_five_and_odd(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): the Dazu acceptance panel has at least five members, an odd number; elsewhere the policy
    names no size."""
    flow = implementing(start, "dazu")
    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    verdict = {"acceptance_outcome": "pass", "acceptance_opinion": "通过"}
    five = acceptance_panel(flow)  # picked from the expert pool
    three = ",".join(five.split(",")[:3])
    few = flow.refused("review", dict(verdict, acceptance_panel=three))["acceptance_panel"]
    assert "不少于 5 人，当前 3 人" in few and "001 八(八)" in few
    even = flow.refused("review", dict(verdict, acceptance_panel=five + ",expert_dazu_07"))[
        "acceptance_panel"
    ]
    assert "奇数" in even
    flow.do("review", dict(verdict, acceptance_panel=five))
    assert flow.ready() == ["fund_audit"]  # the panel's verdict stands; the settlement follows (001 十一(一))
    assert flow.data["acceptance_panel"] == five  # stored as the experts' user names


def test_001_8_8_dazu_acceptance_panel_is_picked_from_the_expert_pool(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): the acceptance panel is formed of experts (行业主管部门管理专家、产业一线专家、区内外同行技术专家);
    in Dazu it is picked from the district's expert pool, shown by name: a typed name, an expert of another
    jurisdiction's pool or one marked unavailable is refused beside the field."""
    from engine.models.instance import ProcessInstance
    from engine.pickers import PickerScope

    flow = implementing(start, "dazu")
    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    five = acceptance_panel(flow).split(",")
    instance = flow.s.get(ProcessInstance, flow.id)
    offered = dict(PickerScope(flow.s, "dazu", flow.key, instance=instance).choices("expert"))
    assert set(five) <= set(offered) and "expert_urumqi" not in offered
    assert "expert_dazu_12" not in offered  # the demo pool's twelfth is away (暂不参加评审)
    assert all("（" in offered[name] and not offered[name].startswith("expert") for name in five)
    verdict = {"acceptance_outcome": "pass", "acceptance_opinion": "通过"}
    for stranger in ("专家甲", "expert_urumqi", "expert_dazu_12"):
        refused = flow.refused("review", dict(verdict, acceptance_panel=",".join([*five[:4], stranger])))
        assert "从列表中选择" in refused["acceptance_panel"], refused
    refused = flow.refused("review", dict(verdict, acceptance_panel=",".join([*five[:4], "expert_urumqi"])))
    assert "没有代码为“expert_urumqi”的专家库专家" in refused["acceptance_panel"]


def test_000_12_7_urumqi_acceptance_panel_size_is_not_prescribed(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7) names no panel size (a policy parameter, 0): the acceptance is reviewed without one."""
    verdict = {"acceptance_outcome": "pass", "acceptance_opinion": "通过"}
    urumqi = implementing(start, "urumqi")
    urumqi.at(urumqi.data["checkpoint_at"])
    urumqi.do("request", DOCS)
    urumqi.do("review", verdict)
    contract_paid(urumqi)
    assert urumqi.info()["status"] == "completed"


# --- approvals the seeds ask for (issue 11): bpmn/shared/extension.bpmn and termination.bpmn ----------------


def test_000_14_urumqi_extension_needs_the_third_party_audit_report(start) -> None:  # type: ignore[no-untyped-def]
    """000 §14: a Urumqi extension waits for the third-party audit report before the bureau decides; Dazu's
    (001 八(八)) goes to the bureau directly."""
    flow = implementing(start, "urumqi")
    flow.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    assert flow.ready() == ["ext_audit"]
    missing = flow.refused("ext_audit", {"extension_audit_opinion": "属客观原因"}, role="third_party")
    assert "extension_audit_report" in missing
    flow.do("ext_audit", EXTENSION_AUDIT)
    assert flow.ready() == ["review"] and flow.data["extension_audit_report"]["name"] == "x.pdf"
    flow.do("review", {"extension_decision": "approve", "extension_reason": "审计确认客观原因"})
    assert flow.data["extension_result"] == "granted"
    flow.at("2026-05-06T09:00:00+08:00")  # Dazu's challenge starts on the day the others did
    dazu = implementing(start, "dazu")
    dazu.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    assert dazu.ready() == ["review"]


def _terminating(start, j: str):  # type: ignore[no-untyped-def]
    flow = implementing(start, j)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    flow.do(
        "audit",
        {"audit_report": PDF, "audit_unspent": [{"solver": f"{j.upper()}-S1", "unspent_fen": "100,000"}]},
    )
    flow.do("decide", {"termination_decision": "approve", "termination_opinion": "同意终止"})
    return flow


def test_001_8_8_dazu_termination_needs_the_district_government(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): after the bureau's review a Dazu termination goes to the district government; nothing is
    recovered and the project runs on until it consents."""
    flow = _terminating(start, "dazu")
    assert flow.ready() == ["gov_consent"] and status(flow) == "ongoing"
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] == 0
    assert "consent_decision" in flow.refused("gov_consent", {"consent_opinion": "再议"})
    flow.do("gov_consent", {"consent_decision": "approve", "consent_opinion": "同意"})
    assert status(flow) == "terminated" and ledger.balance(flow.s, flow.key)["recovered_fen"] > 0


def test_003_17_karamay_termination_decided_jointly_with_the_issuer(start) -> None:  # type: ignore[no-untyped-def]
    """003 §17: the bureau and the issuer review a Karamay termination jointly: the issuer's consent is its own
    task in the issuer's lane."""
    flow = _terminating(start, "karamay")
    assert flow.ready() == ["issuer_consent"] and status(flow) == "ongoing"
    (row,) = [t for t in flow.info()["ready_tasks"] if t["task"] == "issuer_consent"]
    assert "issuer" in (row.get("lane") or "")
    flow.do("issuer_consent", {"consent_decision": "approve", "consent_opinion": "同意终止"})
    assert status(flow) == "terminated"


def test_000_14_urumqi_termination_decided_by_the_bureau(start) -> None:  # type: ignore[no-untyped-def]
    """000 §14: in Urumqi the bureau's decision after the audit is final (no further consent)."""
    flow = _terminating(start, "urumqi")
    assert flow.ready() == [] and status(flow) == "terminated"
