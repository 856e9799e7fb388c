"""004 五(一): each Zhangye project gets a 驻企特派员 — 由项目所在县区指定专人担任. The task book picks that person by
name from the staff of the jurisdiction's government offices (its bureau and the counties' offices: a
``bureau_staff`` picker); nobody types a name or a code, anyone else is refused beside the field with the rule,
and the task book document prints the person's name. An instance of a version whose form took a typed name
keeps running and prints that name."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine import tasks
from engine.bundle import collect_paths
from engine.clock import SHANGHAI, get_clock
from engine.deploy import deploy_bundle
from engine.documents import generate as documents
from engine.models.instance import ProcessInstance
from engine.pickers import PickerScope
from engine.upload_store import path_of

from .conftest import BPMN
from .drivers import end_of_publicity, to_approve

BOOK = {"period_months": 24, "ip_ownership": "约定", "disbursement_plan": "50/50"}
#: the demo staff of Zhangye's offices (web.demo.DEMO_OFFICES): the bureau's two and the counties' three
ZHANGYE_STAFF = {
    "ZHANGYE-G1": "钱永平（张掖市科学技术局）",
    "ZHANGYE-G2": "王海军（张掖市科学技术局）",
    "ZHANGYE-G3": "陈立华（张掖市甘州区科学技术局）",
    "ZHANGYE-G4": "李秀英（张掖市甘州区科学技术局）",
    "ZHANGYE-G5": "刘玉梅（临泽县科学技术局）",
}


def at_contract(start):  # type: ignore[no-untyped-def]
    """A Zhangye challenge approved and past its publicity: the task book is ready."""
    flow = start("zhangye")
    to_approve(flow, published_on=get_clock(flow.s).now().astimezone(SHANGHAI).date().isoformat())
    flow.do("approve", {"approval": "approve"})
    flow.at((datetime.fromisoformat(end_of_publicity(flow)) + timedelta(minutes=1)).isoformat())
    assert flow.ready() == ["sign_contract"]
    return flow


def _scope(flow) -> PickerScope:  # type: ignore[no-untyped-def]
    (row,) = [t for t in tasks.list_tasks(flow.s, instance_id=flow.id) if t.task_spec == "sign_contract"]
    instance = flow.s.get(ProcessInstance, flow.id)
    case = tasks.task_data(flow.s, instance, row.id)
    return PickerScope(flow.s, "zhangye", flow.key, instance=instance, data=case)


def test_the_commissioner_is_picked_from_the_jurisdiction_s_offices(start) -> None:  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    scope = _scope(flow)
    # the staff of Zhangye's bureau and counties' offices, by name and office; never another place's bureau
    assert dict(scope.choices("bureau_staff")) == ZHANGYE_STAFF
    # a government office is never a party: the unit and people pickers leave it out
    assert not {c for c, _ in scope.choices("organisation")} & {"ZHANGYE-GOV", "ZHANGYE-GZ", "ZHANGYE-LZ"}
    assert not {c for c, _ in scope.choices("person")} & set(ZHANGYE_STAFF)
    # an enterprise's researcher, another place's bureau staff and a typed name are refused beside the field
    researcher = flow.refused("sign_contract", {**BOOK, "commissioner": "ZHANGYE-P1"})["commissioner"]
    assert researcher.startswith("“张掖研究员1（张掖揭榜单位1）”不是本辖区科技局或县区党政机关的工作人员"), (
        researcher
    )
    assert "004 五(一)" in researcher
    other = flow.refused("sign_contract", {**BOOK, "commissioner": "DAZU-G1"})["commissioner"]
    assert other.startswith("“张敏（重庆市大足区科学技术局）”不是本辖区") and "004 五(一)" in other, other
    typed = flow.refused("sign_contract", {**BOOK, "commissioner": "特派员甲"})["commissioner"]
    assert "从列表中选择" in typed, typed
    # a county's staff member is sent (004 五(一): the county of the project names the commissioner)
    flow.do("sign_contract", {**BOOK, "commissioner": "ZHANGYE-G3"})
    assert flow.data["commissioner"] == "ZHANGYE-G3"


def test_the_commissioner_is_required_in_zhangye(start) -> None:  # type: ignore[no-untyped-def]
    """004 五(一) via the policy's task_book_requires: a task book without a commissioner is refused."""
    flow = at_contract(start)
    assert "004 五(一)" in flow.refused("sign_contract", BOOK)["commissioner"]


def _pdf_text(flow, folder: Path) -> str:  # type: ignore[no-untyped-def]
    made = documents.generate(flow.s, flow.id, "task_book", actor="bureau_zhangye", folder=folder)
    path = path_of(folder, made.file["storage_key"])
    assert path is not None
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is missing: run scripts/setup.sh"
)
def test_the_task_book_prints_the_commissioner_s_name(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    flow.do("sign_contract", {**BOOK, "commissioner": "ZHANGYE-G5"})
    text = _pdf_text(flow, tmp_path)
    assert "驻企特派员" in text and "刘玉梅" in text
    assert "ZHANGYE-G5" not in text  # a name, never a code


def text_commissioner_bundle(folder: Path) -> Path:
    """A copy of bpmn/ whose task book takes the commissioner as typed text, as the versions before the picker."""
    copy = folder / "bpmn"
    shutil.copytree(BPMN, copy)
    form_path = copy / "shared" / "forms" / "task_book.form.json"
    form = json.loads(form_path.read_text(encoding="utf-8"))
    (field,) = [f for f in form["fields"] if f["name"] == "commissioner"]
    for key in ("of", "help"):
        field.pop(key)
    field.update(type="text", max_length=64)
    form_path.write_text(json.dumps(form, ensure_ascii=False, indent=1), encoding="utf-8")
    return copy


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is missing: run scripts/setup.sh"
)
def test_an_old_version_s_typed_name_keeps_running_and_prints(start, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An instance started on a version whose form took a typed name keeps its version when the picker is
    deployed: it signs with the typed name, and its task book prints that name as it was."""
    deploy_bundle(world, collect_paths([text_commissioner_bundle(tmp_path)]))
    flow = at_contract(start)
    old = flow.s.get(ProcessInstance, flow.id).process_version_id
    deploy_bundle(world, collect_paths([BPMN]))  # the picker again, newest
    flow.do("sign_contract", {**BOOK, "commissioner": "特派员甲"})
    assert flow.data["commissioner"] == "特派员甲"
    assert flow.s.get(ProcessInstance, flow.id).process_version_id == old
    assert "特派员甲" in _pdf_text(flow, tmp_path / "out")
