"""The names of role and jurisdiction codes shown to people, as (Chinese, English) pairs like the engine's
errors. A code without a name is shown as itself."""

from __future__ import annotations

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "bureau": ("科技局", "Science bureau"),
    "recommender": ("推荐单位", "Recommender"),
    "issuer": ("发榜单位", "Issuer"),
    "solver": ("揭榜单位", "Solver"),
    "expert": ("评审专家", "Expert"),
    "panel_chair": ("专家组组长", "Panel chair"),
    "approver": ("审批机构", "Approver"),
    "third_party": ("第三方机构", "Third party"),
    "supervisor": ("监督部门", "Supervisor"),
    "process_owner": ("流程负责人", "Process owner"),
    "admin": ("系统管理员", "Administrator"),
}

JURISDICTION_NAMES: dict[str, tuple[str, str]] = {
    "urumqi": ("乌鲁木齐", "Urumqi"),
    "dazu": ("大足", "Dazu"),
    "karamay": ("克拉玛依", "Karamay"),
    "zhangye": ("张掖", "Zhangye"),
}

#: What a grant or an organisation without a jurisdiction covers.
EVERY_JURISDICTION = ("全部辖区", "every jurisdiction")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang.startswith("zh") else pair[1]


def _named(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """The name of ``code`` in ``table`` in ``lang``; an unknown code as it is, none as ""."""
    pair = table.get(code or "")
    return _pick(pair, lang) if pair else (code or "")


def role_name(code: str, lang: str = "zh") -> str:
    return _named(ROLE_NAMES, code, lang)


def jurisdiction_name(code: str | None, lang: str = "zh") -> str:
    if code is None:
        return _pick(EVERY_JURISDICTION, lang)
    pair = JURISDICTION_NAMES.get(code)
    return _pick(pair, lang) if pair else code


#: The tranches the diagrams book in the ledger (``ledger_pay`` / ``ledger_issuer_paid``); a milestone payment is
#: ``milestone:<title>``.
TRANCHE_NAMES: dict[str, tuple[str, str]] = {
    "first": ("首笔财政资金", "First fiscal tranche"),
    "race_first": ("赛马首笔资金", "First race tranche"),
    "final": ("验收后拨付余款", "Remainder after acceptance"),
    "prepayment": ("发榜方预付款", "Issuer's prepayment"),
    "stage": ("发榜方阶段付款", "Issuer's stage payment"),
    "follow": ("按发榜方拨款进度拨付", "Following the issuer's payments"),
    "municipal_matching": ("市级项目区级配套", "District matching of a municipal project"),
    "issuer_final": ("发榜方验收后付清余款", "Issuer's final payment after acceptance"),
    "progress": ("发榜方实施期拨款", "Issuer's payment during implementation"),
    "contract": ("发榜方支付合同款", "Issuer's contract payment"),
    # 003 §13(1): the three stages of a 行业共性 project's fiscal money (engine.domain.fiscal_tranches)
    "stage_approval": ("立项阶段财政资金", "Fiscal tranche at approval"),
    "stage_milestone": ("里程碑考核后财政资金", "Fiscal tranche after the milestone review"),
    "stage_acceptance": ("验收后财政资金", "Fiscal tranche after acceptance"),
}


#: The kinds of credit records (engine.models.domain.CreditRecord) and what eligibility makes of them.
CREDIT_KINDS: dict[str, tuple[str, str]] = {
    "serious_dishonesty": ("严重失信", "Serious dishonesty"),
    "illegal": ("违法违规", "Violation of law"),
    "safety_accident": ("安全事故", "Safety accident"),
    "quality_accident": ("质量事故", "Quality accident"),
    "joint_punishment": ("联合惩戒", "Joint punishment"),
    "misconduct": ("科研失信（惩戒期内）", "Research misconduct (penalty period)"),
}


def credit_kind_name(code: str | None, lang: str = "zh") -> str:
    return _named(CREDIT_KINDS, code, lang)


def tranche_name(code: str | None, lang: str = "zh") -> str:
    if not code:
        return ""
    if code.startswith("milestone:"):
        return ("里程碑：" if lang.startswith("zh") else "Milestone: ") + code.removeprefix("milestone:")
    pair = TRANCHE_NAMES.get(code)
    return _pick(pair, lang) if pair else code


#: What each kind of event in an instance's timeline means, in words.
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "started": ("发起流程", "Started"),
    "task_completed": ("办理完成", "Completed a step"),
    "task_claimed": ("认领任务", "Claimed a task"),
    "task_unclaimed": ("退回认领", "Released a task"),
    "timer_fired": ("期限届满", "A deadline passed"),
    "message_received": ("收到来件", "Received a message"),
    "suspended": ("挂起", "Suspended"),
    "resumed": ("恢复", "Resumed"),
    "terminated": ("终止", "Terminated"),
    "error": ("出错", "Failed"),
    "retried": ("重试", "Retried"),
    "completed": ("流程结束", "Finished"),
    "migrated": ("迁移到新版本", "Moved to a new version"),
    "document_generated": ("生成文书", "Drew a document"),
}


def event_name(kind: str | None, lang: str = "zh") -> str:
    return _named(EVENT_NAMES, kind, lang)
