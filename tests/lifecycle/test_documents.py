"""Documents a bureau files (issue 14 §4): the publicity notice, the task book, the acceptance conclusion and
the annual summary are drawn as PDF from the real case, kept as versions and attached to the instance. The
PDFs are read back with poppler (pdftotext, pdftoppm) as a person opening them would see them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine import instances
from engine.documents import generate as documents
from engine.errors import Forbidden, ValidationFailed
from engine.upload_store import path_of

from .conftest import DOCS, Flow, acceptance_panel
from .drivers import implementing, to_approve
from .test_annual_summary import SUMMARY, funded_year

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils is missing: run scripts/setup.sh as root (apt-get install poppler-utils)",
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "uploads"
    made.mkdir()
    return made


def _text(folder: Path, meta: dict) -> str:
    path = path_of(folder, meta["storage_key"])
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _renders(folder: Path, meta: dict, name: str) -> None:
    """pdftoppm draws the first page (kept in test-output/screenshots to look at)."""
    path = path_of(folder, meta["storage_key"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"document-{name}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(out)], check=True)
    assert (SCREENSHOTS / f"document-{name}.png").stat().st_size > 10_000


def test_task_book_and_notice_print_the_case_in_chinese(start, folder) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")
    made = documents.generate(flow.s, flow.id, "task_book", actor="bureau_dazu", folder=folder)
    text = _text(folder, made.file)
    assert "揭榜挂帅项目任务书" in text
    assert "高纯硅提纯关键技术" in text
    assert "900,000.00 元" in text  # the fiscal support of the case, in 元
    assert "3,000,000.00 元" in text  # the contract
    assert "DAZU-S1" not in text and "DAZU-ISS" not in text  # names, never codes
    assert "保密协议" in text and "首席专家" not in text and "驻企特派员" not in text  # Dazu's fields only
    _renders(folder, made.file, "task-book")

    notice = documents.generate(flow.s, flow.id, "publicity_notice", actor="bureau_dazu", folder=folder)
    text = _text(folder, notice.file)
    assert "公示" in text and "2026年5月6日 09:00" in text and "异议" in text
    assert "5 个工作日" in text  # 001 八(五)
    _renders(folder, notice.file, "publicity-notice")


def test_each_generation_is_a_new_version_attached_to_the_instance(start, folder) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")
    first = documents.generate(flow.s, flow.id, "task_book", actor="bureau_dazu", folder=folder)
    again = documents.generate(flow.s, flow.id, "task_book", actor="bureau_dazu", folder=folder)
    assert (first.version, again.version) == (1, 2)
    listed = documents.documents(flow.s, flow.id)
    assert [(d.kind, d.version) for d in listed] == [("task_book", 2), ("task_book", 1)]
    events = [e for e in instances.events(flow.s, flow.id) if e["kind"] == "document_generated"]
    assert len(events) == 2 and events[0]["actor"] == "bureau_dazu"


def test_only_the_bureau_of_the_jurisdiction_draws_documents(start, folder) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")
    for who in ("solver_dazu", "issuer_dazu", "bureau_urumqi"):
        with pytest.raises(Forbidden):
            documents.generate(flow.s, flow.id, "task_book", actor=who, folder=folder)
    assert documents.documents(flow.s, flow.id) == []


def test_a_document_whose_step_is_not_done_is_refused(start, folder) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_approve(flow)
    with pytest.raises(ValidationFailed) as refused:
        documents.generate(flow.s, flow.id, "task_book", actor="bureau_dazu", folder=folder)
    assert "揭榜挂帅项目任务书" in refused.value.zh
    assert not [p for p in folder.rglob("*") if p.is_file()]  # nothing kept


def test_acceptance_conclusion_lists_the_money(start, folder) -> None:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")
    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    flow.do(
        "review",
        {
            "acceptance_outcome": "pass",
            "acceptance_opinion": "各项指标均已达到。",
            "acceptance_panel": acceptance_panel(flow),
        },
    )
    made = documents.generate(flow.s, flow.id, "acceptance_conclusion", actor="bureau_dazu", folder=folder)
    text = _text(folder, made.file)
    assert "项目验收结论书" in text and "通过" in text and "各项指标均已达到。" in text
    assert "财政拨付" in text and "450,000.00 元" in text  # the first tranche, as booked in the ledger
    _renders(folder, made.file, "acceptance-conclusion")


def test_annual_summary_prints_figures_and_texts(start, sim, world, folder) -> None:  # type: ignore[no-untyped-def]
    funded_year(start, sim)
    sim.set("2027-01-05T09:00:00+08:00")
    inst = instances.start_instance(
        world,
        "urumqi_annual_summary",
        business_key="URUMQI-ANNUAL-2026",
        data={"jurisdiction": "urumqi", "year": 2026},
        actor="bureau_urumqi",
    )
    flow = Flow(world, sim, "urumqi", inst.id, "URUMQI-ANNUAL-2026")
    flow.do("write_summary", SUMMARY)
    flow.do("review", {"review_decision": "approve", "review_opinion": "同意。"})
    made = documents.generate(world, inst.id, "annual_summary", actor="bureau_urumqi", folder=folder)
    text = _text(folder, made.file)
    assert "乌鲁木齐2026年度" in text and "财政拨付" in text
    assert SUMMARY["summary_problems"] in text.replace("\n", "").replace(" ", "")
    _renders(folder, made.file, "annual-summary")
