"""003 §12(8)2: the project is led by a chief expert (首席专家) whom the solver names. Karamay's task book picks
that person from the chosen solver's people — its application's team and its own staff — by name; nobody
types a name or a code, and the task book document prints the person's name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine import tasks
from engine.documents import generate as documents
from engine.models.instance import ProcessInstance
from engine.pickers import PickerScope
from engine.upload_store import path_of

from .conftest import application
from .test_karamay import TASK_BOOK, at_contract

BOOK = {"period_months": 24, "ip_ownership": "约定", "disbursement_plan": "三阶段"}


def _team_offered(flow) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the chief expert picker of the ready task book offers: {code: label}."""
    (row,) = [t for t in tasks.list_tasks(flow.s, instance_id=flow.id) if t.task_spec == "sign_contract"]
    instance = flow.s.get(ProcessInstance, flow.id)
    case = tasks.task_data(flow.s, instance, row.id)
    return dict(PickerScope(flow.s, "karamay", flow.key, instance=instance, data=case).choices("team"))


def test_the_chief_expert_is_picked_from_the_chosen_solver_s_people(start) -> None:  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    offered = _team_offered(flow)
    # KARAMAY-S1's people (its team member P1 and its staff P2, P3), by name and unit; never another unit's
    assert offered == {
        "KARAMAY-P1": "克拉玛依研究员1（克拉玛依揭榜单位1）",
        "KARAMAY-P2": "克拉玛依研究员2（克拉玛依揭榜单位1）",
        "KARAMAY-P3": "克拉玛依研究员3（克拉玛依揭榜单位1）",
    }
    # a person of another unit (a forged request) and a typed name are refused beside the field; nothing moves
    forged = flow.refused("sign_contract", {**BOOK, "chief_expert": "KARAMAY-P4"})["chief_expert"]
    assert forged.startswith("“克拉玛依研究员4（克拉玛依揭榜单位2）”不是揭榜方的团队成员或本单位人员"), forged
    assert "003 §12(8)" in forged
    typed = flow.refused("sign_contract", {**BOOK, "chief_expert": "张三"})["chief_expert"]
    assert "从列表中选择" in typed, typed
    flow.do("sign_contract", {**BOOK, **TASK_BOOK})
    assert flow.data["chief_expert"] == "KARAMAY-P1"


def test_a_partner_s_team_member_may_lead(start) -> None:  # type: ignore[no-untyped-def]
    """A consortium's team names people of its partner units too: they are the solver's team."""
    consortium = application("KARAMAY-S1", "KARAMAY-P1,KARAMAY-P4", partners="KARAMAY-S2")
    flow = at_contract(start, applications=[consortium])
    offered = _team_offered(flow)
    assert "KARAMAY-P4" in offered and "KARAMAY-P5" not in offered  # the partner's team member, not its staff
    flow.do("sign_contract", {**BOOK, "chief_expert": "KARAMAY-P4"})
    assert flow.data["chief_expert"] == "KARAMAY-P4"


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is missing: run scripts/setup.sh"
)
def test_the_task_book_prints_the_chief_expert_s_name(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    flow.do("sign_contract", {**BOOK, **TASK_BOOK})
    made = documents.generate(flow.s, flow.id, "task_book", actor="bureau_karamay", folder=tmp_path)
    path = path_of(tmp_path, made.file["storage_key"])
    assert path is not None
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "首席专家" in text and "克拉玛依研究员1" in text
    assert "KARAMAY-P1" not in text  # a name, never a code
