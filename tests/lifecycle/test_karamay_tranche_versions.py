"""The three-stage payment of a Karamay 行业共性 project (003 §13(1), karamay_fiscal_tranche) is a new version of
the Karamay diagrams and policy table. It deploys cleanly over the version before it; an instance started on
that version keeps it — its first tranche and milestone share are booked by themselves as before, no clerk's
task appears — while a new instance gets the clerk's tasks.

``fixtures/before_payment3/`` holds the files as shipped before the change (the three stages, the four policy
tables and the declaration of their parameters, which the old tables fit)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine import policy_table
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.domain import ledger

from .conftest import BPMN
from .test_karamay import FIRST_FEN, TASK_BOOK, at_contract, to_approval
from .test_karamay_tranches import CHECKED, MILESTONE

OLD = Path(__file__).parent / "fixtures" / "before_payment3"
REPLACED = {
    "bpmn/karamay/stages/karamay_task_book.bpmn",
    "bpmn/karamay/stages/karamay_milestone.bpmn",
    "bpmn/karamay/stages/karamay_acceptance.bpmn",
    "bpmn/urumqi/policy_urumqi.dmn",
    "bpmn/dazu/policy_dazu.dmn",
    "bpmn/karamay/policy_karamay.dmn",
    "bpmn/zhangye/policy_zhangye.dmn",
}
NEW_ONLY = {"bpmn/karamay/stages/karamay_fiscal_tranche.bpmn", "bpmn/karamay/forms/fiscal_tranche.form.json"}


def _old_bundle() -> list[BundleFile]:
    files = [f for f in collect_paths([BPMN]) if f.name not in REPLACED | NEW_ONLY]
    return [*files, *(BundleFile(name, (OLD / Path(name).name).read_bytes()) for name in sorted(REPLACED))]


def _deploy_old(world: Session) -> int:
    """Deploy the bundle as shipped before, checked against the parameter declaration of its day."""
    shipped = policy_table.SCHEMA_FILE
    policy_table.SCHEMA_FILE = OLD / "policy_parameters.json"
    policy_table.declared.cache_clear()
    try:
        old = deploy_bundle(world, _old_bundle())
    finally:
        policy_table.SCHEMA_FILE = shipped
        policy_table.declared.cache_clear()
    return {p.key: p.version for p in old.processes}["karamay_challenge"]


def test_003_s13_1_new_version_deploys_and_running_instances_keep_theirs(  # type: ignore[no-untyped-def]
    start, world: Session
) -> None:
    old_version = _deploy_old(world)
    flow = at_contract(lambda j, **kw: start(j, version=old_version, **kw))
    new = deploy_bundle(world, collect_paths([BPMN]))
    versions = {p.key: p.version for p in new.processes}
    assert versions["karamay_challenge"] == old_version + 1
    assert "karamay_fiscal_tranche" in versions

    # a new instance: the clerk's task
    fresh = start("karamay")
    to_approval(fresh)
    fresh.do("approve", {"approval": "approve"})
    fresh.at("2026-05-22T00:00:00+08:00")  # after its 5 working days of publicity (003 §12(6))
    fresh.do("sign_contract", {"period_months": 24, **TASK_BOOK, "milestones": [MILESTONE]})
    assert (
        fresh.ready() == ["pay_fiscal_tranche"] and ledger.balance(fresh.s, fresh.key)["disbursed_fen"] == 0
    )

    # the old instance: the first tranche is booked by itself when the task book is signed, as before
    flow.do(
        "sign_contract", {"period_months": 24, **TASK_BOOK, "milestones": [dict(MILESTONE, tranche_pct=30)]}
    )
    assert flow.ready() == [] and ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN
    flow.at("2027-05-15T09:00:00+08:00")
    flow.do("milestone_check", CHECKED)
    assert flow.ready() == [] and [e.tranche for e in ledger.rows(flow.s, flow.key)] == [
        "first",
        "milestone:中期",
    ]
