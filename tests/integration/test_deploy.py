"""Deployments: versioning, refusal of bad bundles (nothing stored), and the MIWG conformance files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.errors import DeploymentRefused
from engine.models.deployment import Deployment, DeploymentFile, ProcessVersion
from tests.conftest import FIXTURES, MIWG


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Deployment)) or 0,
        session.scalar(select(func.count()).select_from(DeploymentFile)) or 0,
        session.scalar(select(func.count()).select_from(ProcessVersion)) or 0,
    )


def test_deploy_creates_version_1_and_same_bytes_create_nothing(db_session: Session, deploy) -> None:
    first = deploy("basic")
    assert [(p.key, p.version, p.created) for p in first.processes] == [("publicity_demo", 1, True)]
    before = _counts(db_session)
    again = deploy("basic")
    assert again.unchanged
    assert [(p.key, p.version) for p in again.processes] == [("publicity_demo", 1)]
    assert _counts(db_session) == before


def test_changed_diagram_becomes_version_2_and_keeps_version_1(db_session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", folder)
    deploy_bundle(db_session, collect_paths([folder]))
    bpmn = folder / "publicity.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace("审核 Review", "复核 Review"), encoding="utf-8")
    result = deploy_bundle(db_session, collect_paths([folder]), note="renamed review")
    assert [(p.key, p.version, p.created) for p in result.processes] == [("publicity_demo", 2, True)]
    versions = db_session.scalars(
        select(ProcessVersion.version).where(ProcessVersion.process_key == "publicity_demo")
    )
    assert sorted(versions) == [1, 2]


def test_changed_form_alone_makes_a_new_version(db_session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", folder)
    deploy_bundle(db_session, collect_paths([folder]))
    form = folder / "demo_decision.form.json"
    form.write_text(form.read_text(encoding="utf-8").replace("理由", "审核理由"), encoding="utf-8")
    result = deploy_bundle(db_session, collect_paths([folder]))
    assert result.processes[0].version == 2


def _refused(session: Session, files: list[BundleFile]) -> DeploymentRefused:
    before = _counts(session)
    with pytest.raises(DeploymentRefused) as caught:
        deploy_bundle(session, files)
    assert _counts(session) == before, "a refused bundle must store nothing"
    return caught.value


def _bundle(*names: str) -> list[BundleFile]:
    files = collect_paths([FIXTURES / "basic"])
    return files + [BundleFile(n, (FIXTURES / "bad" / n).read_bytes()) for n in names]


def test_xxe_bundle_is_refused_before_parsing(db_session: Session) -> None:
    err = _refused(db_session, _bundle("xxe.bpmn"))
    problem = err.details["problems"][0]
    assert problem["file"] == "xxe.bpmn"
    assert "DOCTYPE" in problem["message"]
    assert "root:" not in str(err.details)  # /etc/passwd never read


def test_script_escape_is_refused_at_deploy_with_element_and_line(db_session: Session) -> None:
    err = _refused(db_session, _bundle("escape.bpmn"))
    problem = err.details["problems"][0]
    assert (problem["file"], problem["element"]) == ("escape.bpmn", "sneaky")
    assert problem["line"] == 5
    assert "__class__" in problem["message"] or "_" in problem["message"]


def test_back_edge_loop_is_refused_with_advice(db_session: Session) -> None:
    err = _refused(db_session, _bundle("loop.bpmn"))
    messages = " ".join(str(p["message"]) for p in err.details["problems"])
    assert "standard loop" in messages
    assert any(p["element"] == "join" for p in err.details["problems"])


def test_user_task_without_lane_and_form_is_refused(db_session: Session) -> None:
    err = _refused(db_session, _bundle("no_form.bpmn"))
    problems = [p for p in err.details["problems"] if p["element"] == "orphan"]
    text = " ".join(str(p["message"]) for p in problems)
    assert "lane" in text and "form" in text
    assert all(p["line"] == 5 for p in problems)
    assert "no_form.bpmn" in err.en and "orphan" in err.en and "未保存" in err.zh


def test_timer_expression_that_does_not_compile_is_refused(db_session: Session) -> None:
    err = _refused(db_session, _bundle("bad_timer.bpmn"))
    assert err.details["problems"][0]["element"] == "wait"


def test_malformed_xml_names_file_and_line(db_session: Session) -> None:
    err = _refused(db_session, _bundle("malformed.bpmn"))
    problem = err.details["problems"][0]
    assert problem["file"] == "malformed.bpmn"
    assert problem["line"] in (5, 6)


def test_missing_form_file_is_refused(db_session: Session) -> None:
    files = [f for f in collect_paths([FIXTURES / "basic"]) if not f.name.endswith("demo_decision.form.json")]
    err = _refused(db_session, files)
    assert any("demo_decision" in str(p["message"]) for p in err.details["problems"])


def test_form_file_with_wrong_id_is_refused(db_session: Session) -> None:
    files = collect_paths([FIXTURES / "basic"])
    files.append(BundleFile("other.form.json", (FIXTURES / "basic" / "demo_need.form.json").read_bytes()))
    err = _refused(db_session, files)
    assert err.details["problems"][0]["file"] == "other.form.json"


def test_unknown_paths_are_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DeploymentRefused) as caught:
        collect_paths([tmp_path / "notes.txt", tmp_path / "missing.bpmn"])
    assert len(caught.value.details["problems"]) == 2


MIWG_FILES = sorted(MIWG.glob("*.bpmn"))


@pytest.mark.parametrize("path", MIWG_FILES, ids=[p.name for p in MIWG_FILES])
def test_every_miwg_reference_file_deploys_or_is_refused_cleanly(db_session: Session, path: Path) -> None:
    """shared/conformance: deploy or refuse with file, element and message — never a traceback."""
    files = [BundleFile(path.name, path.read_bytes())]
    before = _counts(db_session)
    try:
        result = deploy_bundle(db_session, files)
    except DeploymentRefused as exc:
        assert _counts(db_session) == before
        for problem in exc.details["problems"]:
            assert problem["file"] == path.name
            assert problem["message"] and problem["message_zh"]
            assert "Traceback" not in str(problem["message"])
            assert "<Element" not in str(problem["message"])
        assert path.name in exc.en
    else:
        assert result.processes


def test_miwg_files_exist() -> None:
    assert len(MIWG_FILES) == 21


def test_message_catch_without_variable_is_refused(db_session: Session) -> None:
    files = collect_paths([FIXTURES / "basic"])
    files = [
        BundleFile(
            f.name,
            f.content.replace(
                b"<spiffworkflow:messageVariable>objection</spiffworkflow:messageVariable>", b""
            ),
        )
        if f.name.endswith(".bpmn")
        else f
        for f in files
    ]
    err = _refused(db_session, files)
    assert any(
        "messageVariable" in str(p["message"]) and p["element"] == "wait_publicity"
        for p in err.details["problems"]
    )
