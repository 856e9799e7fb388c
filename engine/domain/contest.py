"""Dazu's contest-won projects (001 十二(一)): 通过中国创新挑战赛等专项赛事活动中揭榜的项目，揭榜单位、发榜单位与
区科技局可按本方案直接签订揭榜项目任务书。该类项目“资金管理”“结题验收”按本方案执行。

The bureau starts such a project itself, naming the contest and its winner; the challenge skips the call, the
list, the applications, the review and the publicity and goes to the task book, then funding and acceptance as
every Dazu project. Pure functions on plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.application_intake import code_list

#: the start form's choice of how the project comes about
CALL = "call"
CONTEST = "contest"
SOURCE = "001 十二(一)"


def entry_route_of(data: Mapping[str, Any]) -> str:
    """``contest`` for a project won in a contest (001 十二(一)), else ``call`` (a need posted into the call;
    also for data started before the choice existed)."""
    return CONTEST if data.get("entry_route") == CONTEST else CALL


def start_problems(values: Mapping[str, Any], may_start_contest: bool) -> dict[str, tuple[str, str]]:
    """Problems of the start form's choice, by field, as (Chinese, English) — {} when none. A need posted into
    the call names the call (001 八(一)); a contest project is started by the bureau with the contest's name, its
    winner and the issuer (001 十二(一))."""
    out: dict[str, tuple[str, str]] = {}
    if entry_route_of(values) == CALL:
        if not values.get("call"):
            out["call"] = ("请选择征集通知。", "Choose the call for needs.")
        return out
    if not may_start_contest:
        out["entry_route"] = (
            f"赛事揭榜项目由科技局发起（依据：{SOURCE}）。",
            f"A contest-won project is started by the science bureau (source: {SOURCE}).",
        )
    if not str(values.get("contest_name") or "").strip():
        out["contest_name"] = (
            "请填写赛事名称，例如“中国创新挑战赛”。",
            "Enter the contest, e.g. China Innovation Challenge.",
        )
    if not values.get("contest_solver"):
        out["contest_solver"] = (
            "请选择在赛事中揭榜的单位。",
            "Choose the organisation that won the contest.",
        )
    if not values.get("issuer_code"):
        out["issuer_code"] = ("请选择发榜单位。", "Choose the issuing organisation.")
    return out


def contest_selection(solver: str, members: Any) -> list[Any]:
    """What the skipped stages would have decided, for the task book and what follows (001 十二(一)): the
    winner as the only eligible applicant and the chosen solver of a normal (not 赛马) project.
    ``[candidates, applications_ok, selected, mode]``."""
    application = {
        "solver": solver,
        "partners": "",
        "members": members or "",
        "plan": "",
        "members_list": code_list(members),
        "partners_list": [],
    }
    return [[solver], [application], solver, "single"]
