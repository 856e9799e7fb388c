"""Policy tables (one parameter per row, declared types and ranges), versions only for changed processes,
refusal of a deploy from a stale base, and the differences between two versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.errors import DeploymentRefused
from engine.models.deployment import Deployment, ProcessVersion
from engine.policy_table import declared, policy_values, rows_to_values
from engine.version_history import StaleBase, diff_versions, policy_changes, version_of

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
DAZU = "bpmn/dazu/policy_dazu.dmn"
KARAMAY = "bpmn/karamay/policy_karamay.dmn"


def bundle() -> list[BundleFile]:
    return collect_paths([BPMN])


def with_value(files: list[BundleFile], name: str, key: str, value: str) -> list[BundleFile]:
    """The bundle with the value cell of parameter ``key`` in file ``name`` replaced by ``value``."""
    out = []
    for f in files:
        if f.name == name:
            text, count = re.subn(
                rf'(<outputEntry id="p_{key}__value"><text>)[^<]*(</text>)',
                lambda m: m.group(1) + value.replace("&", "&amp;").replace("<", "&lt;") + m.group(2),
                f.content.decode(),
            )
            assert count == 1, key
            f = BundleFile(f.name, text.encode())
        out.append(f)
    return out


def counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Deployment)) or 0,
        session.scalar(select(func.count()).select_from(ProcessVersion)) or 0,
    )


def test_the_policy_table_gives_the_diagrams_one_variable_per_row() -> None:
    values = policy_values((BPMN / "dazu" / "policy_dazu.dmn").read_bytes())
    assert set(values) == set(declared())
    assert values["publicity_length"] == "5" and values["publicity_unit"] == "'working_days'"  # 001 八(五)
    assert rows_to_values({"parameter": ["a", "b"], "value": [1, None], "unit": ["天", ""]}) == {
        "a": 1,
        "b": None,
    }


# 001 八(五) / 000 §12(5): unit of the publicity period; 001 十(一): ratio ≤ 30 %; counts of days are ≥ 0
BAD = [
    ("publicity_unit", "'workdays'", "公示期单位"),
    ("fiscal_ratio_pct", "300", "财政资助比例"),
    ("first_pct", "-1", "首笔拨付比例"),
    ("ext_notice_days", "-5", "延期申请提前天数"),
    ("publicity_length", "'五'", "公示期长度"),
    ("fiscal_cap_fen", "-100", "财政资助上限"),
    ("fiscal_cap_fen", "1000.5", "财政资助上限"),
    ("panel_odd", "'yes'", "专家人数须为单数"),
    ("panel_min", "True", "评审专家最少人数"),
    ("call_opens", "'2026-13-40'", "征集开始时间"),
    ("call_opens", "'2026-04-25T10:00:00'", "征集开始时间"),
    ("fiscal_base", "'gross'", "资助比例计算基数"),
    ("task_book_requires", "'confidentiality'", "任务书附加要求"),
    ("penalty_years", "None", "失信惩戒年限"),
    ("min_teams", "len([1])", "最少揭榜团队数"),
]


@pytest.mark.parametrize(("key", "value", "zh"), BAD)
def test_a_bad_policy_value_is_refused_naming_the_parameter(
    db_session: Session, key: str, value: str, zh: str
) -> None:
    before = counts(db_session)
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bundle(db_session, with_value(bundle(), DAZU, key, value))
    assert f"“{zh}”（{key}）" in refused.value.zh and key in refused.value.en
    assert declared()[key].en in refused.value.en
    problem = refused.value.details["problems"][0]
    assert problem["file"] == DAZU and problem["element"] == f"p_{key}" and problem["line"]
    db_session.rollback()
    assert counts(db_session) == before


def test_unknown_missing_and_repeated_parameters_are_refused(db_session: Session) -> None:
    text = (BPMN / "dazu" / "policy_dazu.dmn").read_text()
    unknown = text.replace("<text>'penalty_years'</text>", "<text>'penalty_yrs'</text>")
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bundle(db_session, [*bundle_without(DAZU), BundleFile(DAZU, unknown.encode())])
    messages = " ".join(p["message_zh"] for p in refused.value.details["problems"])
    assert (
        "penalty_yrs" in messages and "缺少参数" in messages and "“失信惩戒年限”（penalty_years）" in messages
    )
    repeated = text.replace("<text>'penalty_years'</text>", "<text>'reminder_days'</text>")
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bundle(db_session, [*bundle_without(DAZU), BundleFile(DAZU, repeated.encode())])
    assert "出现两次" in refused.value.zh


def bundle_without(name: str) -> list[BundleFile]:
    return [f for f in bundle() if f.name != name]


def test_a_dazu_only_change_versions_only_the_dazu_processes(db_session: Session) -> None:
    first = deploy_bundle(db_session, bundle())
    assert first.processes and all(p.created for p in first.processes)
    changed = deploy_bundle(db_session, with_value(bundle(), DAZU, "publicity_length", "6"))
    # the Dazu processes that read Dazu's policy table: the annual call and the challenge
    assert [p.key for p in changed.processes if p.created] == ["dazu_call", "dazu_challenge"]
    assert changed.as_json()["new_versions"] == ["dazu_call", "dazu_challenge"]
    unchanged = changed.as_json()["unchanged_processes"]
    assert "karamay_challenge" in unchanged and "expert_review" in unchanged and "publicity" in unchanged
    assert {p.key: p.version for p in changed.processes}["dazu_challenge"] == 2
    assert {p.key: p.version for p in changed.processes}["urumqi_challenge"] == 1
    # a new DMN file no diagram is seen to use counts for every process: its change is never lost
    extra = BundleFile("bpmn/shared/extra_lookup.dmn", (BPMN / "dazu" / "termination_dazu.dmn").read_bytes())
    text = extra.content.decode()
    decision = re.search(r'<decision id="([^"]+)"', text)
    assert decision
    extra = BundleFile(extra.name, text.replace(decision.group(1), "extra_lookup_x").encode())
    added = deploy_bundle(db_session, [*with_value(bundle(), DAZU, "publicity_length", "6"), extra])
    assert all(p.created for p in added.processes)


def test_a_deploy_from_a_stale_base_is_refused_unless_confirmed(db_session: Session) -> None:
    base = deploy_bundle(db_session, bundle()).deployment_id
    newer = deploy_bundle(db_session, with_value(bundle(), DAZU, "publicity_length", "6"), base=base)
    assert [p.key for p in newer.processes if p.created] == ["dazu_call", "dazu_challenge"]
    before = counts(db_session)
    # the same page (base) now changes Karamay; its Dazu file is the old one and would revert v2
    stale = with_value(bundle(), KARAMAY, "reminder_days", "10")
    with pytest.raises(StaleBase) as refused:
        deploy_bundle(db_session, stale, base=base)
    assert [(v["key"], v["version"]) for v in refused.value.details["versions"]] == [
        ("dazu_call", 2),
        ("dazu_challenge", 2),
    ]
    assert refused.value.details["files"] == [DAZU]
    # the processes by name, as the owner knows them (not their keys)
    assert "大足区揭榜挂帅项目 v2" in refused.value.zh and DAZU in refused.value.zh
    assert "dazu_challenge" not in refused.value.zh and "dazu_challenge" not in refused.value.en
    assert counts(db_session) == before
    # Karamay alone from the newest base is not stale
    fresh = deploy_bundle(
        db_session,
        with_value(with_value(bundle(), DAZU, "publicity_length", "6"), KARAMAY, "reminder_days", "10"),
        base=newer.deployment_id,
    )
    assert [p.key for p in fresh.processes if p.created] == ["karamay_call", "karamay_challenge"]
    # confirmed: the owner overwrites Dazu on purpose
    confirmed = deploy_bundle(db_session, stale, base=base, confirm_stale=True)
    assert sorted(p.key for p in confirmed.processes if p.created) == ["dazu_call", "dazu_challenge"]


def test_diff_of_two_versions_lists_files_and_policy_values(db_session: Session) -> None:
    deploy_bundle(db_session, bundle())
    deploy_bundle(
        db_session, with_value(with_value(bundle(), DAZU, "publicity_length", "6"), DAZU, "first_pct", "45")
    )
    diff = diff_versions(
        db_session, version_of(db_session, "dazu_challenge", 1), version_of(db_session, "dazu_challenge", 2)
    )
    assert diff.changed_files == [DAZU] and not diff.added_files and not diff.removed_files
    assert [(p.key, p.zh, p.old, p.new) for p in diff.policy] == [
        ("first_pct", "首笔拨付比例", "50", "45"),
        ("publicity_length", "公示期长度", "5", "6"),
    ]


def test_policy_changes_name_added_and_removed_parameters() -> None:
    changes = policy_changes({"first_pct": "50", "x": "1"}, {"first_pct": "50", "panel_min": "5"})
    assert [(c.key, c.old, c.new) for c in changes] == [("panel_min", None, "5"), ("x", "1", None)]


@pytest.mark.slow
def test_cli_lists_new_versions_and_unchanged_processes_and_refuses_a_bad_value(
    empty_db_url: str, tmp_path: Path
) -> None:
    import shutil

    from tests.integration.test_cli import Cli

    cli = Cli(empty_db_url, tmp_path)
    cli.run("init-db")
    folder = tmp_path / "bpmn"
    shutil.copytree(BPMN, folder)
    cli.run("deploy", str(folder))
    table = folder / "dazu" / "policy_dazu.dmn"
    (changed,) = with_value([BundleFile(DAZU, table.read_bytes())], DAZU, "publicity_length", "6")
    table.write_bytes(changed.content)
    out = cli.run("deploy", str(folder)).stdout
    assert "new versions 新版本 (2): dazu_call v2, dazu_challenge v2" in out
    processes = sum(
        len(re.findall(r"<bpmn:process\b", path.read_text(encoding="utf-8")))
        for path in folder.rglob("*.bpmn")
    )
    assert f"unchanged 未变 ({processes - 2}):" in out and "karamay_challenge v1" in out
    (bad,) = with_value([BundleFile(DAZU, table.read_bytes())], DAZU, "fiscal_ratio_pct", "300")
    table.write_bytes(bad.content)
    line = cli.refused("deploy", str(folder))
    assert "“财政资助比例”（fiscal_ratio_pct）" in line and "Fiscal subsidy ratio (fiscal_ratio_pct)" in line
