"""The per-challenge lifecycle of each jurisdiction (need → review → applications → review → approval →
publicity → task book → money → 赛马 → implementation → acceptance), with its policy tables."""

from __future__ import annotations

from bpmngen import Process, dmn
from shared import L

JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")
NAMES = {"urumqi": "乌鲁木齐市", "dazu": "大足区", "karamay": "克拉玛依市", "zhangye": "张掖市"}
CN = 100  # fen per yuan
MILESTONE_PANEL = (0, "unspecified: the checking lane decides; policy parameter")
MILESTONE_PANEL_ODD = (False, "unspecified: policy parameter")
TASK_BOOK_REQUIRES: tuple[list[str], str] = ([], "000 §12(6): the task contract")
PARTIES_FIXED = (True, "unspecified: policy parameter (as 003 §17: issuer and solver cannot be changed)")
CHANGES_APPROVAL = (True, "unspecified: policy parameter (as 003 §18: changes need approval)")
ISSUER_STAGE = (0, "no issuer payment tied to a stage review")
THIRD_PARTY = (False, "000 §12(4), 003 §7: the bureau may commission a third party; policy parameter")
MILESTONE_TRANCHES = (True, "000 §12(6), 003 §13(1) milestone stage, 004: staged fiscal money allowed")

#: Policy parameters per jurisdiction: (value, source). "unspecified" sources are policy parameters chosen
#: for the system because the document is silent (POLICIES.md: never a hard-coded guess in code).
POLICY: dict[str, dict[str, tuple[object, str]]] = {
    "urumqi": {
        "call_opens": ("2026-04-25T10:00:00+08:00", "002 五(一)1"),
        "call_closes": ("2026-06-10T19:30:00+08:00", "002 五(一)1, 五(一)3"),
        "needs_recommendation": (True, "002 三, 五(一)2"),
        "recommend_deadline": ("2026-06-12T19:30:00+08:00", "002 五(一)2"),
        "req_end_user": (True, "002 二(一)2(5)"),
        "req_pledges": (True, "002 五(二)4"),
        "req_audits": (True, "002 五(二)5"),
        "req_ethics": (True, "002 五(二)9"),
        "min_total_fen": (5_000_000 * CN, "000 §6, 002 五(二)1"),
        "fiscal_ratio_pct": (40, "002 五(二)1"),
        "fiscal_base": ("paid_to_solver", "002 五(二)1: 40% of what the issuer pays the solver"),
        "fiscal_cap_fen": (3_000_000 * CN, "000 §6, 002 五(二)1"),
        "min_teams": (3, "000 §12(3)"),
        "race_min_teams": (2, "000 §4"),
        "race_max_teams": (3, "000 §4"),
        "race_keep_one": (False, "000 §12(7)"),
        "race_first_pct": (20, "000 §12(6), 002 五(二)7"),
        "first_pct": (50, "unspecified in 000 §12(6) for single projects: policy parameter"),
        "issuer_prepay_pct": (0, "000: no prerequisite payment"),
        "issuer_stage_pct": ISSUER_STAGE,
        "panel_min": (3, "unspecified in 000 §12(4): policy parameter"),
        "panel_odd": (False, "000 §12(4)"),
        "chair_from_issuer": (False, "000 §12(4)"),
        "third_party_review": THIRD_PARTY,
        "period_min_months": (1, "000 §6"),
        "period_max_months": (36, "000 §6, 002 五(二)1"),
        "self_managed_months": (36, "000 §12(7): under 3 years self-managed"),
        "self_managed_inclusive": (False, "000 §12(7) 三年以下"),
        "publicity_length": (7, "000 §12(5)"),
        "publicity_unit": ("days", "000 §12(5)"),
        "ext_notice_days": (30, "unspecified in 000 §14: policy parameter (as 003 §19)"),
        "ext_max_count": (1, "unspecified in 000 §14: policy parameter"),
        "ext_max_days": (365, "unspecified in 000 §14: policy parameter"),
        "ext_needs_approver": (False, "000 §14: bureau approval"),
        "acc_request_days": (30, "unspecified in 000 §12(7): policy parameter"),
        "reminder_days": (14, "unspecified: policy parameter (reminder before a milestone or the end)"),
        "parties_fixed": PARTIES_FIXED,
        "changes_need_approval": CHANGES_APPROVAL,
        "milestone_panel_min": MILESTONE_PANEL,
        "milestone_panel_odd": MILESTONE_PANEL_ODD,
        "task_book_requires": TASK_BOOK_REQUIRES,
        "milestone_tranches": MILESTONE_TRANCHES,
        "needs_user_eval": (False, "000 §12(7)"),
        "penalty_years": (3, "unspecified in 000 §16: policy parameter"),
    },
    "dazu": {
        "call_opens": (None, "001 八(一): set by the annual notice"),
        "call_closes": (None, "001 八(一): set by the annual notice"),
        "needs_recommendation": (False, "001 八"),
        "recommend_deadline": (None, "001"),
        "req_end_user": (False, "001 五(一)"),
        "req_pledges": (True, "001 八(六): integrity pledge"),
        "req_audits": (False, "001"),
        "req_ethics": (False, "001"),
        "min_total_fen": (0, "001: no minimum"),
        "fiscal_ratio_pct": (30, "001 十(一)"),
        "fiscal_base": ("total", "001 十(一): ≤30% of total investment"),
        "fiscal_cap_fen": (1_000_000 * CN, "001 十(一)"),
        "min_teams": (1, "001 八(四): normally one winner"),
        "race_min_teams": (2, "001 八(四)"),
        "race_max_teams": (3, "001 八(四)"),
        "race_keep_one": (False, "001 十(二)"),
        "race_first_pct": (None, "001 十(二): decided case by case (一事一议)"),
        "first_pct": (50, "001 十(二): 50% after the task book"),
        "issuer_prepay_pct": (40, "001 十(二): issuer pays 40% before the first fiscal tranche"),
        "issuer_stage_pct": (30, "001 十(二): the issuer pays the solver 30% after the stage review"),
        "panel_min": (5, "001 八(四): ≥5"),
        "panel_odd": (True, "001 八(四): odd"),
        "chair_from_issuer": (False, "001 八(四)"),
        "third_party_review": THIRD_PARTY,
        "period_min_months": (1, "001 七"),
        "period_max_months": (36, "001 七"),
        "self_managed_months": (0, "001 九(二): issuer-led process checks"),
        "self_managed_inclusive": (False, "001 九(二)"),
        "publicity_length": (5, "001 八(五)"),
        "publicity_unit": ("working_days", "001 八(五)"),
        "ext_notice_days": (30, "unspecified in 001 八(八): policy parameter"),
        "ext_max_count": (1, "unspecified in 001 八(八): policy parameter"),
        "ext_max_days": (365, "001 八(八): ≤1 year"),
        "ext_needs_approver": (True, "001 八(八): district government approves"),
        "acc_request_days": (30, "unspecified in 001 八(八): policy parameter"),
        "reminder_days": (14, "unspecified: policy parameter (reminder before a milestone or the end)"),
        "parties_fixed": PARTIES_FIXED,
        "changes_need_approval": CHANGES_APPROVAL,
        "milestone_panel_min": (5, "001 八(七): milestone panel ≥5"),
        "milestone_panel_odd": (True, "001 八(七): odd, incl. the issuer's head"),
        "task_book_requires": (
            ["confidentiality"],
            "001 八(六): integrity pledge and confidentiality agreement",
        ),
        "milestone_tranches": (
            False,
            "001 十(二): fiscal money 50% after the task book, 50% after closure; stage money is the issuer's 30%",
        ),
        "needs_user_eval": (False, "001 九(三)"),
        "penalty_years": (3, "unspecified in 001 八(八): policy parameter"),
    },
    "karamay": {
        "call_opens": (None, "003 §12(1)"),
        "call_closes": (None, "003 §12(1): set by the call"),
        "needs_recommendation": (False, "003 §12"),
        "recommend_deadline": (None, "003"),
        "req_end_user": (True, "003 §12(1)"),
        "req_pledges": (False, "003"),
        "req_audits": (False, "003"),
        "req_ethics": (False, "003"),
        "min_total_fen": (0, "003: no minimum"),
        "fiscal_ratio_pct": (40, "003 §13(2)"),
        "fiscal_base": ("contract", "003 §13(2): ≤40% of the contract amount"),
        "fiscal_cap_fen": (10_000_000 * CN, "003 §13(1)(2)"),
        "min_teams": (1, "003 §12(5)"),
        "race_min_teams": (2, "003 §12(5)"),
        "race_max_teams": (3, "003 §12(5)"),
        "race_keep_one": (True, "003 §13(3): one solver continues"),
        "race_first_pct": (30, "unspecified share in 003 §13(3) (一定比例): policy parameter"),
        "first_pct": (40, "003 §13(1): three stages; share unspecified: policy parameter"),
        "issuer_prepay_pct": (0, "003 §13(2): follows the issuer's payments"),
        "issuer_stage_pct": ISSUER_STAGE,
        "panel_min": (3, "unspecified in 003 §12(5): policy parameter"),
        "panel_odd": (False, "003 §12(5)"),
        "chair_from_issuer": (True, "003 §12(5): chair recommended by the issuer"),
        "third_party_review": (
            True,
            "003 §12(5): a third party organises the review, proposes the list and fixes the total budget",
        ),
        "period_min_months": (24, "003 §12(7): 2–3 years"),
        "period_max_months": (36, "003 §12(7): 2–3 years"),
        "self_managed_months": (0, "003 §12(8): milestone checks release money"),
        "self_managed_inclusive": (False, "003 §12(8)"),
        "publicity_length": (5, "003 §12(6)"),
        "publicity_unit": ("working_days", "003 §12(6)"),
        "ext_notice_days": (30, "003 §19"),
        "ext_max_count": (1, "003 §19"),
        "ext_max_days": (365, "003 §19"),
        "ext_needs_approver": (False, "003 §19: bureau and issuer"),
        "acc_request_days": (30, "003 §12(9)1"),
        "reminder_days": (14, "unspecified: policy parameter (reminder before a milestone or the end)"),
        "parties_fixed": (True, "003 §17: the issuer and the solver cannot be changed"),
        "changes_need_approval": (True, "003 §18: unit name, leader or major budget changes need approval"),
        "milestone_panel_min": MILESTONE_PANEL,
        "milestone_panel_odd": MILESTONE_PANEL_ODD,
        "task_book_requires": (["chief_expert"], "003 §12(8): a chief expert (首席专家) leads the project"),
        "milestone_tranches": MILESTONE_TRANCHES,
        "needs_user_eval": (True, "003 §12(9)2"),
        "penalty_years": (3, "unspecified in 003 §20: policy parameter"),
    },
    "zhangye": {
        "call_opens": (None, "004 三(二)"),
        "call_closes": (None, "004 三(二): set by the survey"),
        "needs_recommendation": (False, "004"),
        "recommend_deadline": (None, "004"),
        "req_end_user": (False, "004"),
        "req_pledges": (False, "004"),
        "req_audits": (False, "004"),
        "req_ethics": (False, "004"),
        "min_total_fen": (0, "004: no minimum"),
        "fiscal_ratio_pct": (20, "004 四(一): 20% of the approved award"),
        "fiscal_base": ("contract", "004 四(一)"),
        "fiscal_cap_fen": (1_000_000 * CN, "004 四(一)"),
        "min_teams": (1, "004 三(四): the issuer picks one team"),
        "race_min_teams": (2, "004: no 赛马"),
        "race_max_teams": (1, "004: no 赛马"),
        "race_keep_one": (True, "004"),
        "race_first_pct": (0, "004: no 赛马"),
        "first_pct": (50, "004 四(一): 50% after approval"),
        "issuer_prepay_pct": (30, "004 四(一): issuer paid ≥30% before the first subsidy"),
        "issuer_stage_pct": ISSUER_STAGE,
        "panel_min": (3, "unspecified in 004 三(五): policy parameter"),
        "panel_odd": (False, "004 三(五)"),
        "chair_from_issuer": (False, "004 三(五)"),
        "third_party_review": THIRD_PARTY,
        "period_min_months": (1, "004"),
        "period_max_months": (36, "unspecified in 004: policy parameter"),
        "self_managed_months": (24, "004 三(六): ≤2 years self-managed"),
        "self_managed_inclusive": (True, "004 三(六)"),
        "publicity_length": (5, "unspecified in 004 三(五): policy parameter"),
        "publicity_unit": ("working_days", "unspecified in 004 三(五): policy parameter"),
        "ext_notice_days": (30, "unspecified in 004: policy parameter"),
        "ext_max_count": (1, "unspecified in 004: policy parameter"),
        "ext_max_days": (365, "unspecified in 004: policy parameter"),
        "ext_needs_approver": (True, "004 三(五): talent-work group leader"),
        "acc_request_days": (30, "unspecified in 004 三(六): policy parameter"),
        "reminder_days": (14, "unspecified: policy parameter (reminder before a milestone or the end)"),
        "parties_fixed": PARTIES_FIXED,
        "changes_need_approval": CHANGES_APPROVAL,
        "milestone_panel_min": MILESTONE_PANEL,
        "milestone_panel_odd": MILESTONE_PANEL_ODD,
        "task_book_requires": (
            ["commissioner"],
            "004 五(一): a service commissioner (驻企特派员) per project",
        ),
        "milestone_tranches": MILESTONE_TRANCHES,
        "needs_user_eval": (False, "004 三(六)"),
        "penalty_years": (3, "unspecified in 004: policy parameter"),
    },
}

#: The 2025 draft measures (000) differ from the 2026 call guide (002): no fixed call window, no recommendation
#: step, fiscal share ≤40% of the total investment, no application limits or attachment rules.
URUMQI_2025 = dict(
    POLICY["urumqi"],
    call_opens=(None, "000 §12(1): annual notice"),
    call_closes=(None, "000 §12(1): annual notice"),
    needs_recommendation=(False, "000 §12"),
    recommend_deadline=(None, "000"),
    req_pledges=(False, "000"),
    req_audits=(False, "000"),
    req_ethics=(False, "000"),
    fiscal_base=("total", "000 §6: ≤40% of the total investment"),
    min_total_fen=(5_000_000 * CN, "000 §6"),
)

ELIGIBILITY_COMMON = [
    (
        "?['same_party']",
        "issuer_is_solver",
        "000 §8",
        "发榜方与揭榜方不得为同一单位",
        "the issuer cannot be the solver",
    ),
    (
        "?['issuer_is_partner']",
        "issuer_is_partner",
        "000 §8",
        "发榜方不得作为揭榜方的合作单位",
        "the issuer cannot be a partner of the solver",
    ),
    (
        "len(?['affiliations']) > 0",
        "affiliated",
        "002 二(三)5, 003 §10, 001 五(二)",
        "揭榜方与发榜方存在隶属、股权等关联关系",
        "the solver and the issuer are affiliated",
    ),
    (
        "?['issuer_credit']['serious_age'] < 3",
        "issuer_credit",
        "000 §9, 002 二(一)2(2), 001 五(一)5",
        "发榜方近三年内有严重失信或违法记录",
        "the issuer has a serious dishonesty or illegal record within 3 years",
    ),
    (
        "?['solver_credit']['serious_age'] < 3",
        "solver_credit",
        "000 §10, 002 二(三)2, 001 五(二)4",
        "揭榜方近三年内有严重失信或违法记录",
        "the solver has a serious dishonesty or illegal record within 3 years",
    ),
    (
        "?['partners_credit']['serious_age'] < 3",
        "partner_credit",
        "000 §10, 003 §9(3)",
        "联合体成员近三年内有严重失信或违法记录",
        "a consortium partner has a serious dishonesty or illegal record within 3 years",
    ),
]
ELIGIBILITY_EXTRA = {
    "urumqi": [
        (
            "?['solver_overdue_years'] >= 1",
            "limit_overdue",
            "002 四(一)",
            "单位有逾期一年以上未验收的市级科技计划项目",
            "the unit has a city project overdue for acceptance by ≥1 year",
        ),
        (
            "?['solver_ongoing'] > 3",
            "limit_unit_ongoing",
            "002 四(二)",
            "承担单位市级在研项目累计超过3项",
            "the unit has more than 3 ongoing city projects",
        ),
        (
            "?['member_max_load'] > 2",
            "limit_person_load",
            "002 四(二)",
            "项目组前3名成员的市级在研及当年申报项目累计超过2项",
            "one of the first three team members has more than 2 ongoing or current applications",
        ),
        (
            "?['anyone_punished']",
            "misconduct_penalty",
            "002 四(三)",
            "申报单位、负责人或团队成员在科研失信惩戒执行期内",
            "the unit or a team member is in a misconduct penalty period",
        ),
    ],
    "dazu": [
        (
            "?['issuer_credit']['accident_age'] < 3 or ?['solver_credit']['accident_age'] < 3 "
            "or ?['partners_credit']['accident_age'] < 3",
            "accident",
            "001 五(一)5, 五(二)4",
            "近三年内发生重大安全事故或重大质量事故",
            "a major safety or quality accident within 3 years",
        ),
    ],
    "karamay": [
        (
            "?['issuer_credit']['punished'] or ?['solver_credit']['punished'] or ?['partners_credit']['punished']",
            "joint_punishment",
            "003 §8–9",
            "列入联合惩戒名单",
            "on a joint-punishment list",
        ),
    ],
    "zhangye": [],
}
URUMQI_2025_ELIGIBILITY: list[tuple[str, str, str, str, str]] = []

TERMINATION = {
    # cause → (recovery_mode, credit_kind, source)
    "urumqi": {
        "objective": ("unspent", "", "000 §14: audit + bureau approval, recover the remaining money"),
        "subjective": (
            "all",
            "misconduct",
            "000 §15–16: experts fix liability, recover fiscal money, credit record",
        ),
        "revocation": ("all", "misconduct", "000 §15: recover the fiscal money disbursed"),
    },
    "dazu": {
        "objective": (
            "unspent_and_non_research",
            "",
            "001 八(八): recover the balance and non-research money",
        ),
        "subjective": ("all", "misconduct", "001 八(八): misconduct record, joint punishment"),
        "revocation": ("all", "misconduct", "001 八(八)"),
    },
    "karamay": {
        "objective": ("unspent", "", "003 §17: the issuer recovers and returns the fiscal balance"),
        "subjective": ("all", "misconduct", "003 §17, §20: recover and integrity investigation"),
        "revocation": ("all", "", "003 §17: revocation recovers all disbursed fiscal money"),
    },
    "zhangye": {
        "objective": ("unspent", "", "004 三(六): recover part"),
        "subjective": ("all", "misconduct", "004 三(六): recover all"),
        "revocation": ("all", "misconduct", "004 三(六)"),
    },
}


#: What each acceptance conclusion triggers, by jurisdiction: (pay the rest of the fiscal support, recovery
#: (none | amount: the part the panel fixed | all), credit record kind ('' = none), project status, source).
#: Keys: (outcome, cause of a failure). "unspecified" rows are policy parameters.
ACCEPTANCE: dict[str, dict[tuple[str, str], tuple[bool, str, str, str, str]]] = {
    "urumqi": {
        ("pass", ""): (
            True,
            "none",
            "",
            "accepted",
            "000 §12(6)–(7): the rest after acceptance and evaluation",
        ),
        ("closed", ""): (False, "none", "", "closed", "unspecified in 000 §12(7) for 结题: policy parameter"),
        ("fail", "objective"): (
            False,
            "amount",
            "",
            "failed",
            "unspecified in 000 §14: policy parameter (as 004 三(六): recover part)",
        ),
        ("fail", "non_objective"): (
            False,
            "all",
            "misconduct",
            "failed",
            "000 §15–16: recover the fiscal money, research-credit record",
        ),
    },
    "dazu": {
        ("pass", ""): (True, "none", "", "accepted", "001 十(二): 50% after closure"),
        ("closed", ""): (True, "none", "", "closed", "001 十(二): 50% after closure (结题)"),
        ("fail", "objective"): (
            False,
            "amount",
            "",
            "failed",
            "001 八(八): recover the balance and non-research money",
        ),
        ("fail", "non_objective"): (
            False,
            "all",
            "misconduct",
            "failed",
            "001 八(八): misconduct record, joint punishment",
        ),
    },
    "karamay": {
        ("pass", ""): (True, "none", "", "accepted", "003 §13(1): third stage after acceptance"),
        ("closed", ""): (
            False,
            "none",
            "",
            "closed",
            "003 §12(9)3: 结题; money unspecified: policy parameter",
        ),
        ("fail", "objective"): (
            False,
            "amount",
            "",
            "failed",
            "unspecified in 003 §20 for objective causes: policy parameter",
        ),
        ("fail", "non_objective"): (
            False,
            "all",
            "integrity_investigation",
            "failed",
            "003 §20: recover the fiscal money and investigate integrity",
        ),
    },
    "zhangye": {
        ("pass", ""): (True, "none", "", "accepted", "004 四(一): the rest after acceptance"),
        ("closed", ""): (False, "none", "", "closed", "unspecified in 004 三(六): policy parameter"),
        ("fail", "objective"): (False, "amount", "", "failed", "004 三(六): recover part"),
        ("fail", "non_objective"): (False, "all", "misconduct", "failed", "004 三(六): recover all"),
    },
}


def _lit(v: object) -> str:
    return repr(v)


def policy_dmn(j: str, table: dict[str, tuple[object, str]], edition: str) -> str:
    keys = list(table)
    note = f"{NAMES[j]} {edition}: " + "; ".join(f"{k} = {table[k][0]!r} ({table[k][1]})" for k in keys)
    return dmn(
        f"policy_{j}",
        f"{NAMES[j]}揭榜挂帅政策参数 {edition}",
        f"Policy numbers of {j} ({edition}); every value cites its source. " + note,
        [("辖区 jurisdiction", "jurisdiction")],
        [
            *keys,
            "policy_edition",
            "call_source",
            "panel_source",
            "ext_source",
            "acceptance_source",
            "money_source",
            "end_user_source",
            "min_total_source",
            "milestone_tranches_source",
            "task_book_requires_source",
            "milestone_panel_source",
            "issuer_stage_source",
            "parties_fixed_source",
            "changes_source",
        ],
        [
            (
                [repr(j)],
                [_lit(table[k][0]) for k in keys]
                + [
                    repr(edition),
                    repr(table["call_closes"][1]),
                    repr(table["panel_min"][1] + "; " + table["panel_odd"][1]),
                    repr(table["ext_notice_days"][1]),
                    repr(table["acc_request_days"][1]),
                    repr(table["fiscal_ratio_pct"][1]),
                    repr(table["req_end_user"][1]),
                    repr(table["min_total_fen"][1]),
                    repr(table["milestone_tranches"][1]),
                    repr(table["task_book_requires"][1]),
                    repr(table["milestone_panel_min"][1] + "; " + table["milestone_panel_odd"][1]),
                    repr(table["issuer_stage_pct"][1]),
                    repr(table["parties_fixed"][1]),
                    repr(table["changes_need_approval"][1]),
                ],
                note,
            )
        ],
    )


def eligibility_dmn(j: str, rows: list[tuple[str, str, str, str, str]]) -> str:
    rules = []
    for entry, code, source, zh, en in rows:
        out = (
            f"{{'solver': application['solver'], 'rule': {code!r}, 'source': {source!r}, "
            f"'zh': {zh!r}, 'en': {en!r}}}"
        )
        rules.append(([entry], [out], f"{source}: {zh} / {en}"))
    rules.append((["? is not None"], ["None"], "catch-all row: keeps the output list present"))
    return dmn(
        f"eligibility_{j}",
        f"{NAMES[j]}揭榜资格与冲突审查 Eligibility",
        "POLICIES.md §5 on each application; COLLECT: every matching row is a refusal naming its rule and source.",
        [("申报事实 facts", "application['facts']")],
        ["refusal"],
        rules,
        hit="COLLECT",
    )


def termination_dmn(j: str) -> str:
    rows = []
    for cause, (mode, credit, source) in TERMINATION[j].items():
        rows.append(([repr(cause)], [repr(mode), repr(credit), repr(source)], source))
    return dmn(
        f"termination_{j}",
        f"{NAMES[j]}终止与撤销的追回规则 Termination recovery",
        "What a termination recovers and records, by cause.",
        [("终止原因 cause", "termination['cause']")],
        ["recovery_mode", "credit_kind", "termination_source"],
        rows,
    )


def acceptance_dmn(j: str) -> str:
    rows = []
    for (outcome, cause), (rest, recovery, credit, status, source) in ACCEPTANCE[j].items():
        rows.append(
            (
                [repr(outcome), repr(cause) if cause else "-"],
                [repr(rest), repr(recovery), repr(credit), repr(status), repr(source)],
                source,
            )
        )
    return dmn(
        f"acceptance_{j}",
        f"{NAMES[j]}验收结论的后果 Acceptance consequences",
        "What pass / 结题 / fail (by cause) triggers: the rest of the fiscal support, recovery, credit record "
        "and project status (003 §12(9)3, §20; 004 三(六); 001 十(二)).",
        [("验收结论 outcome", "acceptance_outcome"), ("不通过原因 cause", "acceptance_fail_cause")],
        [
            "acceptance_pay_rest",
            "acceptance_recovery",
            "acceptance_credit",
            "acceptance_status",
            "acceptance_rule_source",
        ],
        rows,
    )


def editions() -> dict[str, dict[str, str]]:
    return {
        "2025": {
            "policy_urumqi.dmn.edition": policy_dmn("urumqi", URUMQI_2025, "2025 draft measures (000)"),
            "eligibility_urumqi.dmn.edition": eligibility_dmn(
                "urumqi", ELIGIBILITY_COMMON + URUMQI_2025_ELIGIBILITY
            ),
        }
    }


# ---------------------------------------------------------------------------------------------------------


CHECK_NEED = """need_refusals = []
applications = []
closes = call_closes if call_closes else notice_call_closes
submitted_at = now()
if closes and is_after(submitted_at, closes):
    need_refusals.append(f'申报已截止（截止时间 {closes}），不予受理 / the call closed at {closes}; late submissions are not accepted ({call_source})')
if req_end_user and not issuer_end_user:
    need_refusals.append(f'需求方应为技术的最终用户 / the issuer must be the end user of the technology ({end_user_source})')
if req_pledges and not (pledge_unit and pledge_leader):
    need_refusals.append('未上传单位及负责人诚信承诺书，不予受理 / integrity pledges of the unit and the leader are required (002 五(二)4)')
if req_audits and category == 'breakthrough' and not (audit_prev and audit_last):
    need_refusals.append('技术攻关类需提供近两年度审计报告 / audited reports of the last two years are required (002 五(二)5)')
if req_ethics and ethics_field and not ethics_review:
    need_refusals.append('涉及人和实验动物的科技活动须提交科技伦理审查报告 / an ethics review is required (002 五(二)9)')
if need_total_fen < min_total_fen:
    need_refusals.append(f'项目投入总额不低于 {min_total_fen // 100} 元 / total investment must be at least {min_total_fen // 100} CNY ({min_total_source})')
"""

OPEN_WINDOW = """application_start = now()
application_end = end_of_day(applications_close_on) if applications_close_on else ''
if application_end and not is_after(application_end, application_start):
    application_end = ''
if scope != 'public':
    application_end = ''
    application_offline_reason = '涉密或限定范围的榜单不在网上发布，线下受理 / classified or restricted lists are not published online: offline only (002 五(二)10, 001 八(二))'
"""

RECEIVE_APPLICATION = """received = dict(application_received)
received['received_at'] = now()
applications = [a for a in applications if a['solver'] != received['solver']] + [received]
del received
"""

FACTS = """eligibility_results = []
for a in applications:
    a['members_list'] = [m.strip() for m in (a['members'] or '').split(',') if m.strip()]
    a['partners_list'] = [m.strip() for m in (a['partners'] or '').split(',') if m.strip()]
    a['facts'] = applicant_facts(jurisdiction, issuer_code, a['solver'], a['partners_list'], a['members_list'], project_code)
for a in applications:
    application_register(project_code, jurisdiction, title, issuer_code, a['solver'], a['members_list'])
"""

SORT_ELIGIBLE = """application_refusals = [r for rows in eligibility_results for r in rows if r]
refused = set([r['solver'] for r in application_refusals])
applications_ok = [a for a in applications if a['solver'] not in refused]
candidates = [a['solver'] for a in applications_ok]
candidates_text = ', '.join(candidates)
del refused
"""

CHECK_SELECTION = """chosen = [s.strip() for s in (selected or '').split(',') if s.strip()]
selection_problem = ''
if fiscal_base == 'total':
    base_fen = need_total_fen
else:
    base_fen = contract_fen
limit_fen = min(fiscal_cap_fen, base_fen * fiscal_ratio_pct // 100)
if any([c not in candidates for c in chosen]):
    selection_problem = '只能选择通过资格审查的揭榜方 / only eligible applicants can be chosen'
elif mode == 'single' and len(chosen) != 1:
    selection_problem = '常规项目确定一个揭榜方 / a normal project has exactly one solver'
elif mode == 'race' and (len(chosen) < race_min_teams or len(chosen) > race_max_teams):
    selection_problem = f'赛马团队 {race_min_teams}–{race_max_teams} 个 / a race has {race_min_teams}–{race_max_teams} teams'
elif mode == 'race' and not stage_due:
    selection_problem = '赛马须约定阶段考核时间 / a race needs a stage deadline (000 §12(7))'
elif mode == 'race' and race_first_pct is None and race_first_pct_case is None:
    selection_problem = '赛马首笔资金比例一事一议，须填写 / the race first share is decided case by case: fill it in (001 十(二))'
elif mode == 'race' and (race_first_pct if race_first_pct is not None else race_first_pct_case) * len(chosen) > 100:
    selection_problem = '各赛马团队首笔资金合计超过财政支持 / the first shares of the teams exceed the fiscal support'
elif third_party_review and any([c not in [r.strip() for r in (recommended_solvers or '').split(',')] for c in chosen]):
    selection_problem = '只能从第三方机构提出的建议名单中确定揭榜方 / choose from the list the third party proposed (003 §12(5))'
elif third_party_review and contract_fen > project_budget_fen:
    selection_problem = f'合同金额超过第三方核定的经费总额 {project_budget_fen // 100} 元 / the contract exceeds the budget fixed by the third party (003 §12(5))'
elif fiscal_support_fen > limit_fen:
    selection_problem = f'财政支持不超过 {limit_fen // 100} 元（比例 {fiscal_ratio_pct}%，上限 {fiscal_cap_fen // 100} 元）/ fiscal support exceeds {limit_fen // 100} CNY ({money_source})'
solvers = chosen
race_teams = [{'solver': c, 'stage_due': stage_due, 'stage_task': stage_task or ''} for c in chosen]
del chosen
"""

OPEN_PROJECT = """contract_problem = ''
staged = sum([m['tranche_pct'] or 0 for m in milestones])
if period_months < period_min_months or period_months > period_max_months:
    contract_problem = f'实施周期 {period_min_months}–{period_max_months} 个月 / the period is {period_min_months}–{period_max_months} months'
elif 'confidentiality' in task_book_requires and not confidentiality:
    contract_problem = f'须签订保密协议 / a confidentiality agreement is required ({task_book_requires_source})'
elif 'chief_expert' in task_book_requires and not chief_expert:
    contract_problem = f'须明确首席专家 / name the chief expert ({task_book_requires_source})'
elif 'commissioner' in task_book_requires and not commissioner:
    contract_problem = f'须选派驻企特派员 / assign a service commissioner ({task_book_requires_source})'
elif staged and not milestone_tranches:
    contract_problem = f'本地财政资金不按里程碑拨付，里程碑拨付比例应为空 / fiscal money is not paid per milestone here: leave the shares empty ({milestone_tranches_source})'
elif (race_first_pct if mode == 'race' and race_first_pct is not None else (race_first_pct_case if mode == 'race' else first_pct)) + staged > 100:
    contract_problem = f'首笔与各里程碑拨付比例合计超过 100% / the first tranche and the milestone shares exceed 100% ({money_source})'
else:
    period_end = add_months(today(), period_months)
    extension_count = 0
    changes_recorded = []
    if self_managed_inclusive:
        self_managed = period_months <= self_managed_months
    else:
        self_managed = period_months < self_managed_months
    for m in milestones:
        m['done'] = False
    members_all = []
    for a in applications_ok:
        if a['solver'] in solvers:
            members_all = members_all + a['members_list']
    project_open(project_code, jurisdiction, title, issuer_code, ','.join(solvers), members_all, period_end)
"""

CHECK_PREPAY = """prepay_needed_fen = contract_fen * issuer_prepay_pct // 100
ledger_issuer_paid(project_code, solvers[0], issuer_paid_fen, 'prepayment', money_source, jurisdiction)
prepay_problem = ''
paid_total = ledger_balance(project_code)['issuer_paid_fen']
if paid_total < prepay_needed_fen:
    prepay_problem = f'发榜方已付 {paid_total // 100} 元，首笔财政资金前须付 {prepay_needed_fen // 100} 元 / the issuer paid {paid_total // 100} CNY; {prepay_needed_fen // 100} CNY are due before the first fiscal tranche ({money_source})'
del paid_total
"""

FIRST_TRANCHE = """if mode == 'race':
    pct = race_first_pct if race_first_pct is not None else race_first_pct_case
    for s in solvers:
        ledger_pay(project_code, s, fiscal_support_fen * pct // 100, 'race_first', money_source, jurisdiction)
else:
    ledger_pay(project_code, solvers[0], fiscal_support_fen * first_pct // 100, 'first', money_source, jurisdiction)
"""

CHECK_RACE = """passed = [r['solver'] for r in race_results if r['passed']]
keep = [s.strip() for s in (continuing or '').split(',') if s.strip()]
race_problem = ''
if any([k not in passed for k in keep]):
    race_problem = '只有通过阶段考核的团队可以继续 / only teams that met the stage targets continue (000 §12(7))'
elif race_keep_one and len(keep) != 1:
    race_problem = '赛马阶段后择优支持1家揭榜方继续 / exactly one solver continues after the race (003 §13(3))'
elif race_outcome in ('single', 'best', 'merge') and len(keep) != 1 and len(passed) > 0:
    race_problem = '该结论只保留一个团队（合并后为一个联合团队，以牵头方代码表示）/ this outcome keeps one team (a merged team is named by its lead)'
elif race_outcome == 'single' and len(passed) != 1:
    race_problem = '只有一家达到考核要求时才适用 / applies only when exactly one team passed'
elif race_outcome == 'several' and len(keep) < 2:
    race_problem = '继续资助多家须至少两家 / several means at least two teams'
exits = [r['solver'] for r in race_results if r['solver'] not in keep]
"""

SETTLE_RACE = """for row in exit_clearing:
    ledger_recover(project_code, row['solver'], row['unspent_fen'], '赛马未通过阶段考核，清算收回结余 / race exit: balance recovered', '000 §12(6)', jurisdiction)
solvers = keep
if race_outcome == 'merge':
    merged_team = merge_note
"""

PLAN_CHECKPOINT = """pending = [] if self_managed else [m for m in milestones if not m['done'] and m['due_date'] < period_end]
if pending:
    next_milestone = sorted(pending, key=lambda m: m['due_date'])[0]
    checkpoint_kind = 'milestone'
    checkpoint_day = next_milestone['due_date']
else:
    next_milestone = None
    checkpoint_kind = 'period_end'
    checkpoint_day = period_end
checkpoint_at = end_of_day(checkpoint_day)
reminder_at = end_of_day(add_days(checkpoint_day, -reminder_days - 1))
del pending
"""

SEND_REMINDER = """if checkpoint_kind == 'milestone':
    remind(project_code, jurisdiction, ['solver', '{mlane}'], 'milestone',
           f"里程碑“{{next_milestone['title']}}”将于 {{checkpoint_day}} 到期，请准备考核材料（指标：{{next_milestone['indicators']}}）",
           f"Milestone “{{next_milestone['title']}}” is due on {{checkpoint_day}}: prepare the assessment materials (indicators: {{next_milestone['indicators']}})",
           checkpoint_at)
else:
    remind(project_code, jurisdiction, ['solver', 'bureau'], 'period_end',
           f"实施期将于 {{checkpoint_day}} 结束，请在期满后 {{acc_request_days}} 日内提出验收申请（{{acceptance_source}}）",
           f"The period ends on {{checkpoint_day}}: request acceptance within {{acc_request_days}} days after it ({{acceptance_source}})",
           checkpoint_at)
"""

CHECK_CHANGE = """change_refusal = ''
if change['kind'] in ('issuer', 'solver'):
    change_refusal = f'不得变更发榜方、揭榜方；无法实施的可申请终止或撤销 / the issuer and the solver cannot be changed; request a termination or revocation instead ({parties_fixed_source})'
elif change['kind'] not in ('unit_name', 'leader', 'budget'):
    change_refusal = '变更类型应为单位名称、项目负责人或资金调整 / the change is a unit name, the leader or a budget adjustment'
"""

APPLY_CHANGE = """change_entry = {'kind': change['kind'], 'detail': change.get('detail', ''), 'reason': change.get('reason', ''), 'decision': change_decision, 'opinion': change_opinion, 'at': now(), 'source': changes_source}
changes_recorded = (changes_recorded if changes_recorded else []) + [change_entry]
del change_entry
"""

MILESTONE_CHECK = """milestone_problem = ''
checkers = [e.strip() for e in (milestone_panel or '').split(',') if e.strip()]
if len(checkers) < milestone_panel_min:
    milestone_problem = f'考核专家组不少于 {milestone_panel_min} 人 / the checking panel needs at least {milestone_panel_min} members ({milestone_panel_source})'
elif milestone_panel_odd and len(checkers) % 2 == 0:
    milestone_problem = f'考核专家组人数须为奇数 / the checking panel size must be odd ({milestone_panel_source})'
elif milestone_passed == 'yes' and milestone_action == 'stop':
    milestone_problem = '考核通过的项目不能叫停 / a passed milestone cannot stop the project'
elif milestone_action == 'stop' and not milestone_stop_cause:
    milestone_problem = '叫停须认定原因（客观/主观）/ stopping needs its cause (objective or subjective)'
if milestone_action == 'stop' and not milestone_problem:
    termination = {'cause': milestone_stop_cause, 'reason': milestone_opinion or '里程碑考核未通过，实施不力叫停 / stopped after a failed milestone'}
del checkers
"""

CHECK_STAGE_PAYMENT = """ledger_issuer_paid(project_code, solvers[0], stage_paid_fen, 'stage', issuer_stage_source, jurisdiction)
stage_needed_fen = contract_fen * (issuer_prepay_pct + issuer_stage_pct) // 100
paid_total = ledger_balance(project_code)['issuer_paid_fen']
stage_problem = ''
if paid_total < stage_needed_fen:
    stage_problem = f'发榜方累计已付 {paid_total // 100} 元，阶段考核后应累计付至 {stage_needed_fen // 100} 元 / the issuer has paid {paid_total // 100} CNY; {stage_needed_fen // 100} CNY are due after the stage review ({issuer_stage_source})'
del paid_total
"""

MILESTONE_SETTLE = """for m in milestones:
    if m['title'] == next_milestone['title'] and m['due_date'] == next_milestone['due_date']:
        m['done'] = True
        m['passed'] = milestone_passed == 'yes'
if milestone_passed == 'yes' and next_milestone['tranche_pct']:
    left = fiscal_support_fen - ledger_balance(project_code)['disbursed_fen']
    share = min(fiscal_support_fen * next_milestone['tranche_pct'] // 100, max(left, 0)) // len(solvers)
    for s in solvers:
        ledger_pay(project_code, s, share, f"milestone:{next_milestone['title']}", money_source, jurisdiction)
stage_payment_due = milestone_passed == 'yes' and issuer_stage_pct > 0 and ledger_balance(project_code)['issuer_paid_fen'] < contract_fen * (issuer_prepay_pct + issuer_stage_pct) // 100
"""

SETTLE_ACCEPTANCE = """if acceptance_pay_rest:
    rest = fiscal_support_fen - ledger_balance(project_code)['held_fen']
    if rest > 0:
        share = rest // len(solvers)
        for i, s in enumerate(solvers):
            ledger_pay(project_code, s, share + (rest - share * len(solvers) if i == 0 else 0), 'final', acceptance_rule_source, jurisdiction)
for s in solvers:
    if acceptance_recovery == 'all':
        ledger_recover(project_code, s, None, f'验收不通过，收回财政资金 / failed acceptance: fiscal money recovered', acceptance_rule_source, jurisdiction)
    elif acceptance_recovery == 'amount' and acceptance_recover_fen:
        ledger_recover(project_code, s, acceptance_recover_fen // len(solvers), '验收不通过，收回部分资金 / failed acceptance: part recovered', acceptance_rule_source, jurisdiction)
    if acceptance_credit:
        credit_add(s, acceptance_credit, acceptance_rule_source, acceptance_opinion, add_months(today(), penalty_years * 12) if acceptance_credit == 'misconduct' else None)
project_status(project_code, acceptance_status)
ledger_final = ledger_balance(project_code)
"""


def build(j: str) -> tuple[Process, dict, dict[str, str]]:
    pol = POLICY[j]
    race_possible = pol["race_max_teams"][0] >= 2
    p = Process(
        f"{j}_challenge",
        f"{NAMES[j]}揭榜挂帅项目 {j.capitalize()} challenge lifecycle",
        f"One need/challenge of {NAMES[j]} from posting to acceptance. Policy numbers come from the decision "
        f"policy_{j} (bpmn/{j}/policy_{j}.dmn); eligibility from eligibility_{j}; termination recovery from "
        f"termination_{j}. Shared call activities: expert_review, publicity, race_team, extension, termination, "
        "acceptance. Start data: jurisdiction, title, issuer_code, project_code (= business key).",
        f"http://jiebang.example/bpmn/{j}",
    )
    lanes = [("issuer", "发榜方")]
    if pol["needs_recommendation"][0] or j == "urumqi":
        lanes.append(("recommender", "推荐单位"))
    lanes += [
        ("bureau", "科技局"),
        ("expert", "评审专家"),
        ("solver", "揭榜方"),
        (
            "approver",
            {
                "urumqi": "联席会议",
                "dazu": "区政府",
                "karamay": "科技局审定",
                "zhangye": "市委人才工作领导小组组长",
            }[j],
        ),
    ]
    if pol["third_party_review"][0]:
        lanes.insert(lanes.index(("expert", "评审专家")), ("third_party", "第三方专业机构"))
    for role, title in lanes:
        p.lane(role, title)
    c = 0

    def col() -> int:
        nonlocal c
        c += 1
        return c

    p.node("start", "start", "发布征集通知 Call for needs", "bureau", 0)
    p.node(
        "rule",
        "policy",
        "读取政策参数 Policy table",
        "bureau",
        col(),
        decision=f"policy_{j}",
        doc=f"All policy numbers of {j} (windows, ratios, caps, tranches, panel, team limits, thresholds).",
    )
    p.node(
        "user",
        "post_need",
        "填报需求 Post the need",
        "issuer",
        col(),
        form="need_post",
        doc="Need: problem, indicators, deadlines, IP, budget, solver conditions (000 §12(1), 001 八(一), 002 二).",
    )
    p.node(
        "script",
        "check_need",
        "受理审查 Check the submission",
        "bureau",
        col(),
        script=CHECK_NEED,
        doc="Call window (002 五(一)), end user (002 二(一)2(5), 003 §12(1)), pledges (002 五(二)4), audits "
        "(002 五(二)5), ethics (002 五(二)9), minimum investment (000 §6).",
    )
    p.node("xgw", "need_ok", "受理？", "bureau", col())
    p.node("end", "end_refused", "不予受理 Refused", "bureau", c + 1, row=1)
    p.chain("start", "policy", "post_need", "check_need", "need_ok")
    p.flow("need_ok", "end_refused", "不予受理（说明理由）", cond="len(need_refusals) > 0")
    last = "need_ok"
    last_default = True
    if j == "urumqi":
        p.node("xgw", "needs_rec", "需审核推荐？", "bureau", col())
        p.flow(last, "needs_rec", "受理", default=True)
        p.node(
            "user",
            "recommend",
            "审核推荐 Recommend",
            "recommender",
            col(),
            form="recommend_form",
            doc="002 五(一)2: district departments recommend before 2026-06-12 19:30.",
        )
        p.node(
            "script",
            "check_rec",
            "核对推荐期限",
            "recommender",
            col(),
            script=(
                "rec_refusal = ''\n"
                "if recommend_deadline and is_after(now(), recommend_deadline):\n"
                "    rec_refusal = f'推荐已截止（截止时间 {recommend_deadline}）/ the recommendation deadline {recommend_deadline} has passed (002 五(一)2)'\n"
                "if recommended != 'yes':\n"
                "    rec_refusal = rec_refusal or '推荐单位未予推荐 / not recommended'\n"
            ),
        )
        p.node("xgw", "rec_ok", "推荐有效？", "bureau", col())
        p.node("end", "end_not_recommended", "未获推荐 Not recommended", "bureau", c + 1, row=1)
        p.node("xgw", "rec_merge", "", "bureau", col())
        p.flow("needs_rec", "recommend", "是", cond="needs_recommendation")
        p.flow("needs_rec", "rec_merge", "否", default=True)
        p.chain("recommend", "check_rec", "rec_ok")
        p.flow("rec_ok", "end_not_recommended", "否", cond="rec_refusal != ''")
        p.flow("rec_ok", "rec_merge", "是", default=True)
        last, last_default = "rec_merge", False
    p.node(
        "user",
        "need_review",
        "需求评审 Review the need",
        "expert",
        col(),
        form="need_review",
        doc="000 §12(2) importance, feasibility, difficulty; 001 八(二); 003 §12(2) authenticity, end user; 004 三(三).",
    )
    p.flow(last, "need_review", "受理" if last_default else None, default=last_default)
    p.node("xgw", "need_listed", "列入榜单？", "expert", col())
    p.node("end", "end_not_listed", "未列入榜单", "expert", c + 1, row=1)
    p.flow("need_review", "need_listed")
    p.flow("need_listed", "end_not_listed", "否", cond="need_listed_decision != 'list'")
    last = "need_listed"
    if j == "dazu":
        p.node(
            "user",
            "municipal_check",
            "是否纳入市级榜单 Municipal list?",
            "bureau",
            col(),
            form="municipal_check",
            doc="001 八(二): a need taken into the Chongqing municipal list is not published at district level.",
        )
        p.node("xgw", "municipal", "纳入市级榜单？", "bureau", col())
        p.node(
            "script",
            "leave_district",
            "移出区级榜单 Leave the district list",
            "bureau",
            c + 1,
            row=1,
            script="district_list_status = 'moved_to_municipal'",
        )
        p.node("end", "end_municipal", "转市级实施", "bureau", c + 2, row=1)
        p.flow(last, "municipal_check", "是", default=True)
        p.flow("municipal_check", "municipal")
        p.flow("municipal", "leave_district", "纳入市级", cond="taken_municipal == 'yes'")
        p.flow("leave_district", "end_municipal")
        last = "municipal"
    p.node(
        "user",
        "publish_list",
        "发布榜单 Publish the list",
        "bureau",
        col(),
        form="publish_list",
        doc="000 §12(2), 001 八(二) (restricted scope possible), 003 §12(3), 002 五(二)10 classified items not online.",
    )
    p.flow(last, "publish_list", "是", default=True)
    p.node("xgw", "apps_again", "征集揭榜", "bureau", col(), max_loops=5)
    p.flow("publish_list", "apps_again")
    if j != "zhangye":
        # 000 §12(3): solutions are submitted online or offline. With a closing date the list is open online
        # until then (solvers apply on the portal: message `application`); without one, offline only.
        p.node(
            "script",
            "open_window",
            "开放揭榜 Open the application window",
            "bureau",
            col(),
            script=OPEN_WINDOW,
            doc="000 §12(3) online or offline; the window closes at 24:00 of applications_close_on.",
        )
        p.node("xgw", "online", "网上揭榜？", "bureau", col())
        p.node("xgw", "window_again", "", "solver", col(), max_loops=100)
        p.node("evgw", "application_window", "揭榜期 Application window", "solver", col())
        at_window = col()
        p.node(
            "timer",
            "window_closes",
            "揭榜截止 Window closes",
            "solver",
            at_window,
            timer="application_end",
        )
        p.node(
            "msg",
            "application_in",
            "收到揭榜申请",
            "solver",
            at_window,
            row=1,
            message="application",
            message_var="application_received",
        )
        p.node(
            "script",
            "receive_application",
            "登记揭榜申请 Register the application",
            "solver",
            at_window + 1,
            row=1,
            script=RECEIVE_APPLICATION,
            doc="A solver applies on the portal; a second application of the same solver replaces the first.",
        )
        p.node("xgw", "window_done", "", "bureau", col())
        p.chain("apps_again", "open_window", "online")
        p.flow("online", "window_again", "网上受理", cond="application_end != ''")
        p.flow("online", "window_done", "线下受理", default=True)
        p.chain("window_again", "application_window")
        p.flow("application_window", "window_closes")
        p.flow("application_window", "application_in")
        p.chain("application_in", "receive_application", "window_again")
        p.flow("window_closes", "window_done")
        before_collect = "window_done"
    else:
        before_collect = "apps_again"
    if j == "zhangye":
        p.node(
            "user",
            "collect_applications",
            "发榜方自主选定揭榜团队 Issuer picks the team",
            "issuer",
            col(),
            form="issuer_pick",
            doc="004 三(四): the issuer picks the solver team itself and drafts an agreement, before the review.",
        )
    else:
        p.node(
            "user",
            "collect_applications",
            "受理揭榜申请 Record the applications",
            "bureau",
            col(),
            form="applications_form",
            doc="000 §12(3), 001 八(三), 003 §12(4): plan, route, consortium with a lead.",
        )
    p.node(
        "script",
        "facts",
        "计算资格事实 Facts from the database",
        "bureau",
        col(),
        script=FACTS,
        doc="Ongoing projects, overdue acceptances, penalty periods, affiliations, credit (002 四, 000 §8–10).",
    )
    p.node(
        "rule",
        "eligibility",
        "资格与冲突审查 Eligibility",
        "bureau",
        col(),
        decision=f"eligibility_{j}",
        mi={
            "input": "applications",
            "item": "application",
            "output": "eligibility_results",
            "out_item": "refusal",
        },
    )
    p.node("script", "sort_eligible", "汇总审查结果", "bureau", col(), script=SORT_ELIGIBLE)
    p.node("xgw", "enough", "揭榜方数量？", "bureau", col())
    p.node("end", "end_no_solver", "无合格揭榜方", "bureau", c + 1, row=2)
    p.chain(before_collect, "collect_applications", "facts", "eligibility", "sort_eligible", "enough")
    p.flow("enough", "end_no_solver", "无合格揭榜方", cond="len(applications_ok) == 0")
    if pol["min_teams"][0] > 1:
        p.node(
            "user",
            "few_teams",
            "揭榜不足3家：延长或继续 Few teams",
            "bureau",
            c + 1,
            row=1,
            form="few_teams",
            doc="000 §12(3): in principle ≥3 solver teams; the bureau extends the window or proceeds with a reason.",
        )
        p.node("xgw", "few_choice", "延长征集？", "bureau", c + 2, row=1)
        p.flow("enough", "few_teams", "少于政策数量", cond="len(applications_ok) < min_teams")
        p.flow("few_teams", "few_choice")
        p.flow("few_choice", "apps_again", "延长征集", cond="few_teams_choice == 'extend'")
    p.node("xgw", "to_review", "", "bureau", col() + (2 if pol["min_teams"][0] > 1 else 0))
    c = c + (2 if pol["min_teams"][0] > 1 else 0)
    p.flow("enough", "to_review", "数量足够", default=True)
    if pol["min_teams"][0] > 1:
        p.flow("few_choice", "to_review", "说明理由后继续", default=True)
    p.node(
        "call",
        "review",
        "专家评审 Expert review",
        "third_party" if pol["third_party_review"][0] else "expert",
        col(),
        called="expert_review",
        doc="000 §12(4), 001 八(四) (≥5, odd), 003 §12(5) (chair from the issuer), 004 三(五).",
    )
    if pol["third_party_review"][0]:
        p.node(
            "user",
            "third_party_recommend",
            "提出建议名单并核定经费总额 Recommend and fix the budget",
            "third_party",
            col(),
            form="third_party_recommend",
            doc="003 §12(5): the third party proposes the solvers and fixes the total project budget.",
        )
    p.node("xgw", "select_again", "确定揭榜方", "bureau", col(), max_loops=10)
    p.node(
        "user",
        "select",
        "确定揭榜方与支持金额 Choose solvers",
        "bureau",
        col(),
        form="select_solvers",
        doc="Normal: one solver; 赛马 2–3 teams (000 §4, 001 八(四), 003 §12(5)); fiscal cap and ratio (§3).",
    )
    p.node(
        "script",
        "check_selection",
        "核对比例与上限 Check ratios and caps",
        "bureau",
        col(),
        script=CHECK_SELECTION,
    )
    p.node("xgw", "selection_ok", "符合？", "bureau", col())
    if pol["third_party_review"][0]:
        p.chain("to_review", "review", "third_party_recommend", "select_again")
    else:
        p.chain("to_review", "review", "select_again")
    p.chain("select_again", "select", "check_selection", "selection_ok")
    p.flow("selection_ok", "select_again", "不符合", cond="selection_problem != ''")
    p.node(
        "user",
        "approve",
        "审定立项 Approve",
        "approver",
        col(),
        form="approve_form",
        doc={
            "urumqi": "000 §12(5) joint meeting",
            "dazu": "001 八(五) district government",
            "karamay": "003 §12(6) bureau",
            "zhangye": "004 三(五) group leader fixes projects and amounts",
        }[j],
    )
    p.node("xgw", "approved", "批准？", "approver", col())
    p.node("end", "end_rejected", "未批准", "approver", c + 1, row=1)
    p.flow("selection_ok", "approve", "符合", default=True)
    p.flow("approve", "approved")
    p.flow("approved", "end_rejected", "否", cond="approval != 'approve'")
    p.node(
        "call",
        "publicise",
        "公示 Publicity",
        "bureau",
        col(),
        called="publicity",
        doc=f"{pol['publicity_length'][0]} {pol['publicity_unit'][0]} ({pol['publicity_length'][1]}).",
    )
    p.node("xgw", "publicity_ok", "公示无异议？", "bureau", col())
    p.node("end", "end_stopped", "公示后终止", "bureau", c + 1, row=1)
    p.flow("approved", "publicise", "批准", default=True)
    p.flow("publicise", "publicity_ok")
    p.flow("publicity_ok", "end_stopped", "异议成立", cond="publicity_result != 'passed'")
    p.node("xgw", "contract_again", "签订任务书", "bureau", col(), max_loops=10)
    p.flow("publicity_ok", "contract_again", "通过", default=True)
    p.node(
        "user",
        "sign_contract",
        "签订合同/任务书 Task book",
        "bureau",
        col(),
        form="task_book",
        doc="000 §12(6), §13 IP; 001 八(六) tri-party task book, pledge, confidentiality; 003 §12(7), §15; 004 三(五).",
    )
    p.node(
        "script",
        "open_project",
        "立项登记 Open the project",
        "bureau",
        col(),
        script=OPEN_PROJECT,
        doc="Period within the policy range (000 §6, 001 七, 003 §12(7)); self-management threshold (000 §12(7), 004 三(六)).",
    )
    p.node("xgw", "contract_ok", "符合？", "bureau", col())
    p.chain("contract_again", "sign_contract", "open_project", "contract_ok")
    p.flow("contract_ok", "contract_again", "不符合", cond="contract_problem != ''")
    last = "contract_ok"
    if pol["issuer_prepay_pct"][0]:
        p.node("xgw", "prepay_again", "发榜方先行拨付", "issuer", col(), max_loops=10)
        p.node(
            "user",
            "issuer_payment",
            "发榜方拨付揭榜方 Issuer pays the solver",
            "issuer",
            col(),
            form="issuer_payment",
            doc=pol["issuer_prepay_pct"][1],
        )
        p.node("script", "check_prepay", "核对先行拨付比例", "bureau", col(), script=CHECK_PREPAY)
        p.node("xgw", "prepay_ok", "已达比例？", "bureau", col())
        p.flow(last, "prepay_again", "符合", default=True)
        p.chain("prepay_again", "issuer_payment", "check_prepay", "prepay_ok")
        p.flow("prepay_ok", "prepay_again", "未达比例（不拨付财政资金）", cond="prepay_problem != ''")
        last = "prepay_ok"
    p.node(
        "script",
        "first_tranche",
        "拨付首笔财政资金 First tranche",
        "bureau",
        col(),
        script=FIRST_TRANCHE,
        doc=pol["first_pct"][1] + "; 赛马: " + pol["race_first_pct"][1],
    )
    p.flow(last, "first_tranche", "符合", default=True)
    p.node("xgw", "impl_loop", "实施管理", "bureau", col() + (5 if race_possible else 0), max_loops=100)
    if race_possible:
        base = c
        p.node("xgw", "is_race", "赛马？", "bureau", base + 1)
        p.flow("first_tranche", "is_race")
        p.node(
            "call",
            "race",
            "赛马阶段 Race stage (each team)",
            "solver",
            base + 2,
            called="race_team",
            mi={"input": "race_teams", "item": "team", "output": "race_results", "out_item": "team_result"},
            doc="000 §12(7): each team has its own milestone; stage review at the race-stage end (003 §12(8)3).",
        )
        p.node("xgw", "race_again", "赛马结论", "issuer", base + 3, max_loops=10)
        p.node(
            "user",
            "race_outcome",
            "择优确定唯一揭榜方 One solver continues" if pol["race_keep_one"][0] else "赛马结论 Race outcome",
            "issuer",
            base + 4,
            form="race_outcome_one" if pol["race_keep_one"][0] else "race_outcome",
            doc="003 §13(3): exactly one solver continues."
            if pol["race_keep_one"][0]
            else "000 §12(7): one passes; best chosen; several continue; complementary teams merged; failing teams exit.",
        )
        p.node("script", "check_race", "核对结论", "issuer", base + 5, script=CHECK_RACE)
        p.node("xgw", "race_ok", "结论有效？", "issuer", base + 6)
        p.node(
            "user",
            "approve_exits",
            "退出审批与清算 Exits and clearing",
            "bureau",
            base + 6,
            row=1,
            form="approve_exits",
            doc="000 §12(6)/(7): exit on the issuer's written application, bureau approval, clearing, balance recovered.",
        )
        p.node("script", "settle_race", "收回退出团队结余", "bureau", base + 7, row=1, script=SETTLE_RACE)
        p.flow("is_race", "race", "赛马", cond="mode == 'race'")
        p.flow("is_race", "impl_loop", "常规", default=True)
        p.chain("race", "race_again", "race_outcome", "check_race", "race_ok")
        p.flow("race_ok", "race_again", "无效", cond="race_problem != ''")
        p.flow("race_ok", "approve_exits", "有效", default=True)
        p.chain("approve_exits", "settle_race", "impl_loop")
        c = base + 7
    else:
        p.flow("first_tranche", "impl_loop")
    p.node(
        "script",
        "plan_checkpoint",
        "下一个考核节点 Next checkpoint",
        "bureau",
        col(),
        script=PLAN_CHECKPOINT,
        doc="Milestone due dates from the task book (000 §12(7), 003 §12(8)); self-managed projects have none (000 §12(7), 004 三(六)).",
    )
    p.node("evgw", "implementing", "实施中", "bureau", col())
    at = col()
    mlane = "issuer" if j == "dazu" else "expert"
    # Two waits: before the reminder (it can fire) and after it (only the deadline and the requests remain).
    # Each wait has its own catch events; merge gateways lead them to the same handling.
    waits = {"implementing": ("", 0), "implementing_reminded": ("_after_reminder", 4)}
    for gateway, (suffix, row) in waits.items():
        col_at = at if not suffix else at + 3
        p.node("timer", f"checkpoint{suffix}", "节点到期", "bureau", col_at, row=row, timer="checkpoint_at")
        p.node(
            "msg",
            f"extension_request{suffix}",
            "收到延期申请",
            "bureau",
            col_at,
            row=row + 1,
            message="extension_request",
            message_var="extension",
        )
        p.node(
            "msg",
            f"termination_request{suffix}",
            "收到终止/撤销申请",
            "bureau",
            col_at,
            row=row + 2,
            message="termination_request",
            message_var="termination",
        )
        p.node(
            "msg",
            f"change_request{suffix}",
            "收到变更申请",
            "bureau",
            col_at,
            row=row + 3,
            message="change_request",
            message_var="change",
        )
    p.node(
        "timer",
        "reminder",
        "提前提醒 Reminder",
        "bureau",
        at,
        row=4,
        timer="reminder_at",
        doc="reminder_days before a milestone or the end of the period (policy parameter).",
    )
    p.node(
        "script",
        "send_reminder",
        "提醒揭榜方 Remind the solver",
        "bureau",
        at + 1,
        row=4,
        script=SEND_REMINDER.format(mlane=mlane),
        doc="Milestone: the solver and the checking lane; end of the period: the solver and the bureau "
        "(acceptance request within acc_request_days, 003 §12(9)1).",
    )
    p.node("evgw", "implementing_reminded", "实施中（已提醒）", "bureau", at + 2, row=4)
    p.chain("impl_loop", "plan_checkpoint", "implementing")
    for gateway, (suffix, _row) in waits.items():
        p.flow(gateway, f"checkpoint{suffix}")
        p.flow(gateway, f"extension_request{suffix}")
        p.flow(gateway, f"termination_request{suffix}")
        p.flow(gateway, f"change_request{suffix}")
    p.flow("implementing", "reminder")
    p.chain("reminder", "send_reminder", "implementing_reminded")
    p.node("xgw", "which", "里程碑还是期满？", "bureau", col())
    p.flow("checkpoint", "which")
    p.flow("checkpoint_after_reminder", "which")
    p.node("xgw", "milestone_again", "里程碑考核", mlane, c + 1, max_loops=10)
    p.node(
        "user",
        "milestone_check",
        "里程碑考核 Milestone check",
        mlane,
        c + 2,
        form="milestone_check",
        doc="001 八(七)/九(二) issuer-led, panel ≥5 and odd, stop when failing (叫停); 003 §12(8)3 milestone "
        "checks release money; 000 §12(7).",
    )
    p.node("script", "milestone_verdict", "核对考核结论", mlane, c + 3, script=MILESTONE_CHECK)
    p.node("xgw", "milestone_ok", "结论？", mlane, c + 4)
    p.node(
        "script",
        "milestone_settle",
        "按考核拨付 Pay the milestone tranche",
        mlane,
        c + 5,
        script=MILESTONE_SETTLE,
    )
    p.flow("which", "milestone_again", "里程碑", cond="checkpoint_kind == 'milestone'")
    p.chain("milestone_again", "milestone_check", "milestone_verdict", "milestone_ok")
    p.flow("milestone_ok", "milestone_again", "不完整", cond="milestone_problem != ''")
    p.flow("milestone_ok", "milestone_settle", "继续", default=True)
    if pol["issuer_stage_pct"][0]:
        p.node("xgw", "stage_due", "阶段款？", "issuer", c + 6)
        p.node("xgw", "stage_again", "", "issuer", c + 7, row=1, max_loops=10)
        p.node(
            "user",
            "issuer_stage_payment",
            "发榜方拨付阶段款 Stage payment",
            "issuer",
            c + 8,
            row=1,
            form="issuer_stage_payment",
            doc=pol["issuer_stage_pct"][1],
        )
        p.node(
            "script", "check_stage_payment", "核对阶段款", "issuer", c + 9, row=1, script=CHECK_STAGE_PAYMENT
        )
        p.node("xgw", "stage_ok", "已付足？", "issuer", c + 10, row=1)
        p.flow("milestone_settle", "stage_due")
        p.flow("stage_due", "stage_again", "考核通过，应付阶段款", cond="stage_payment_due")
        p.flow("stage_due", "impl_loop", "否", default=True)
        p.chain("stage_again", "issuer_stage_payment", "check_stage_payment", "stage_ok")
        p.flow("stage_ok", "stage_again", "未付足", cond="stage_problem != ''")
        p.flow("stage_ok", "impl_loop", "已付足", default=True)
    else:
        p.flow("milestone_settle", "impl_loop")
    p.node("xgw", "extension_merge", "", "bureau", at + 1, row=1)
    p.node("call", "extend", "延期审核 Extension", "bureau", at + 2, row=1, called="extension")
    p.flow("extension_request", "extension_merge")
    p.flow("extension_request_after_reminder", "extension_merge")
    p.chain("extension_merge", "extend", "impl_loop")
    p.node("xgw", "termination_merge", "", "bureau", at + 1, row=2)
    p.node("rule", "termination_rules", "终止追回规则", "bureau", at + 2, row=2, decision=f"termination_{j}")
    p.node("call", "terminate", "终止/撤销 Terminate", "bureau", at + 3, row=2, called="termination")
    p.node("end", "end_terminated", "项目终止", "bureau", at + 4, row=2)
    p.flow("termination_request", "termination_merge")
    p.flow("termination_request_after_reminder", "termination_merge")
    p.flow("milestone_ok", "termination_merge", "叫停", cond="milestone_action == 'stop'")
    p.chain("termination_merge", "termination_rules", "terminate", "end_terminated")
    p.node("xgw", "change_merge", "", "bureau", at + 1, row=3)
    p.node(
        "script",
        "check_change",
        "受理变更申请 Check the change request",
        "bureau",
        at + 2,
        row=3,
        script=CHECK_CHANGE,
        doc="003 §17: issuer and solver cannot be changed; 003 §18: unit name, leader, major budget changes "
        "need approval.",
    )
    p.node("xgw", "change_admissible", "可受理？", "bureau", at + 3, row=3)
    p.node(
        "user",
        "approve_change",
        "审核变更 Approve the change",
        "bureau",
        at + 4,
        row=3,
        form="change_approval",
        doc="003 §18: the managing side reviews and approves before the change takes effect.",
    )
    p.node(
        "script", "apply_change", "登记变更 Record the change", "bureau", at + 5, row=3, script=APPLY_CHANGE
    )
    p.flow("change_request", "change_merge")
    p.flow("change_request_after_reminder", "change_merge")
    p.chain("change_merge", "check_change", "change_admissible")
    p.flow("change_admissible", "impl_loop", "不予受理（说明理由）", cond="change_refusal != ''")
    p.flow("change_admissible", "approve_change", "受理", default=True)
    p.chain("approve_change", "apply_change", "impl_loop")
    c = max(c + (10 if pol["issuer_stage_pct"][0] else 5), at + 5)
    p.node("call", "accept", "结题验收 Acceptance", "solver", col(), called="acceptance")
    p.flow("which", "accept", "实施期满", default=True)
    p.node(
        "rule",
        "acceptance_rules",
        "验收结论的后果 Consequences",
        "bureau",
        col(),
        decision=f"acceptance_{j}",
        doc="Pass / 结题 / fail by cause → rest of the money, recovery, credit record, status.",
    )
    p.node(
        "script",
        "settle",
        "验收结算 Settle",
        "bureau",
        col(),
        script=SETTLE_ACCEPTANCE,
        doc="Applies the acceptance table: pass → rest of the fiscal money (001 十(二), 004 四(一)); fail, "
        "non-objective → recover all + credit record (003 §20); fail, objective → recover part (004 三(六)).",
    )
    p.node("end", "end_done", "项目结束", "bureau", col())
    p.chain("accept", "acceptance_rules", "settle", "end_done")

    forms = jurisdiction_forms(j)
    tables = {
        f"policy_{j}.dmn": policy_dmn(
            j,
            pol,
            {
                "urumqi": "2026 call guide (002) with 000",
                "dazu": "001 (2023)",
                "karamay": "003 (2025)",
                "zhangye": "004 (2021)",
            }[j],
        ),
        f"eligibility_{j}.dmn": eligibility_dmn(j, ELIGIBILITY_COMMON + ELIGIBILITY_EXTRA[j]),
        f"termination_{j}.dmn": termination_dmn(j),
        f"acceptance_{j}.dmn": acceptance_dmn(j),
    }
    return p, forms, tables


def jurisdiction_forms(j: str) -> dict:
    forms: dict = {}
    if j == "urumqi":
        forms["recommend_form"] = {
            "id": "recommend_form",
            "title": L("审核推荐", "Recommend the need"),
            "fields": [
                {"name": "need_view", "type": "readonly", "source": "title", "label": L("需求", "Need")},
                {
                    "name": "recommended",
                    "type": "select",
                    "required": True,
                    "label": L("是否推荐", "Recommend"),
                    "options": [
                        {"value": "yes", "label": L("推荐", "Recommend")},
                        {"value": "no", "label": L("不推荐", "Do not recommend")},
                    ],
                },
                {
                    "name": "recommend_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("推荐意见", "Opinion"),
                },
            ],
        }
    if POLICY[j]["min_teams"][0] > 1:
        forms["few_teams"] = {
            "id": "few_teams",
            "title": L("揭榜团队不足", "Fewer teams than the policy asks"),
            "description": L(
                "原则上单个项目揭榜团队不少于3家（000 §12(3)）。",
                "In principle at least 3 teams per challenge (000 §12(3)).",
            ),
            "fields": [
                {
                    "name": "count_view",
                    "type": "readonly",
                    "source": "candidates_text",
                    "label": L("合格揭榜方", "Eligible applicants"),
                },
                {
                    "name": "few_teams_choice",
                    "type": "select",
                    "required": True,
                    "label": L("处理", "Choice"),
                    "options": [
                        {"value": "extend", "label": L("延长征集", "Extend the window")},
                        {"value": "proceed", "label": L("说明理由后继续", "Proceed with a reason")},
                    ],
                },
                {
                    "name": "few_teams_reason",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("理由", "Reason"),
                },
                {
                    "name": "applications_close_on",
                    "type": "date",
                    "label": L(
                        "延长后的网上揭榜截止日期（留空表示线下受理）",
                        "New online closing date (empty: offline only)",
                    ),
                },
            ],
        }
    if POLICY[j]["issuer_stage_pct"][0]:
        forms["issuer_stage_payment"] = {
            "id": "issuer_stage_payment",
            "title": L("发榜方拨付阶段款", "The issuer's stage payment"),
            "description": L(
                "001 十(二)：阶段考核通过后，发榜方向揭榜方拨付合同金额的30%。",
                "001 十(二): after the stage review the issuer pays the solver 30% of the contract.",
            ),
            "fields": [
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "stage_problem",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "stage_paid_fen",
                    "type": "money",
                    "required": True,
                    "label": L("本次拨付金额（元）", "Amount paid now (CNY)"),
                },
                {
                    "name": "stage_payment_proof",
                    "type": "file",
                    "accept": [".pdf", "image/*"],
                    "label": L("付款凭证", "Proof of payment"),
                },
            ],
        }
    if POLICY[j]["third_party_review"][0]:
        forms["third_party_recommend"] = {
            "id": "third_party_recommend",
            "title": L("建议名单与经费总额", "Recommended solvers and total budget"),
            "description": L(
                "003 §12(5)：第三方专业机构组织专家评审资质条件、方案可行性、经费合理性，提出建议名单并核定经费总额。",
                "003 §12(5): the third party reviews qualification, feasibility and cost, proposes the solvers and "
                "fixes the total budget.",
            ),
            "fields": [
                {
                    "name": "candidates_view",
                    "type": "readonly",
                    "source": "candidates_text",
                    "label": L("合格揭榜方", "Eligible applicants"),
                },
                {
                    "name": "recommended_solvers",
                    "type": "text",
                    "required": True,
                    "max_length": 500,
                    "label": L("建议名单（揭榜方代码，逗号分隔）", "Recommended solvers (codes)"),
                },
                {
                    "name": "project_budget_fen",
                    "type": "money",
                    "required": True,
                    "label": L("核定的项目经费总额（元）", "Total project budget fixed (CNY)"),
                },
                {
                    "name": "cost_opinion",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("资质、可行性与经费合理性意见", "Qualification, feasibility and cost opinion"),
                },
                {
                    "name": "assessment_report",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("评审报告", "Review report"),
                },
            ],
        }
    if j == "dazu":
        forms["municipal_check"] = {
            "id": "municipal_check",
            "title": L("是否纳入市级榜单", "Taken into the municipal list?"),
            "fields": [
                {
                    "name": "taken_municipal",
                    "type": "select",
                    "required": True,
                    "label": L("纳入重庆市级榜单", "In the Chongqing list"),
                    "options": [
                        {
                            "value": "yes",
                            "label": L("是（区级不再发布）", "Yes (not published by the district)"),
                        },
                        {"value": "no", "label": L("否", "No")},
                    ],
                },
            ],
        }
    if POLICY[j]["issuer_prepay_pct"][0]:
        forms["issuer_payment"] = {
            "id": "issuer_payment",
            "title": L("发榜方拨付揭榜方", "The issuer pays the solver"),
            "fields": [
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "prepay_problem",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "issuer_paid_fen",
                    "type": "money",
                    "required": True,
                    "label": L("本次拨付金额（元）", "Amount paid now (CNY)"),
                },
                {
                    "name": "payment_proof",
                    "type": "file",
                    "accept": [".pdf", "image/*"],
                    "label": L("付款凭证", "Proof of payment"),
                },
            ],
        }
    if POLICY[j]["race_max_teams"][0] >= 2:
        options = [{"value": "best", "label": L("择优选定一家", "Best one chosen")}]
        if not POLICY[j]["race_keep_one"][0]:
            options = [
                {"value": "single", "label": L("仅一家达标，继续支持", "Only one passed: it continues")},
                *options,
                {"value": "several", "label": L("多家相当，继续资助多家", "Comparable: several continue")},
                {"value": "merge", "label": L("路线互补，联合组队", "Complementary: merged into one team")},
            ]
        fid = "race_outcome_one" if POLICY[j]["race_keep_one"][0] else "race_outcome"
        forms[fid] = {
            "id": fid,
            "title": L("赛马阶段结论", "Race outcome"),
            "fields": [
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "race_problem",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "race_outcome",
                    "type": "select",
                    "required": True,
                    "label": L("结论", "Outcome"),
                    "options": options,
                },
                {
                    "name": "continuing",
                    "type": "text",
                    "required": True,
                    "max_length": 500,
                    "label": L(
                        "继续支持的揭榜方代码（逗号分隔）", "Solvers that continue (codes, comma-separated)"
                    ),
                },
                {
                    "name": "merge_note",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("联合团队组成", "Merged team"),
                },
                {
                    "name": "exit_application",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("未通过团队退出的书面申请", "Written application for the exits"),
                },
            ],
        }
    return forms


def common_forms() -> dict:
    yes_no = [
        {"value": "approve", "label": L("批准", "Approve")},
        {"value": "reject", "label": L("不批准", "Reject")},
    ]
    return {
        "need_post": {
            "id": "need_post",
            "title": L("填报技术需求", "Post a technology need"),
            "fields": [
                {
                    "name": "need_title",
                    "type": "text",
                    "required": True,
                    "max_length": 200,
                    "label": L("需求名称", "Title"),
                },
                {
                    "name": "category",
                    "type": "select",
                    "required": True,
                    "label": L("类别", "Category"),
                    "options": [
                        {"value": "breakthrough", "label": L("技术攻关", "Tech breakthrough")},
                        {"value": "transfer", "label": L("成果转化", "Achievement transfer")},
                        {"value": "industry_common", "label": L("行业共性", "Industry-common")},
                        {"value": "enterprise_posed", "label": L("企业出题", "Enterprise-posed")},
                    ],
                },
                {
                    "name": "problem",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 10000,
                    "label": L("技术难题", "Problem"),
                },
                {
                    "name": "indicators",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("核心指标参数", "Core indicators"),
                },
                {"name": "deadline", "type": "date", "required": True, "label": L("完成时限", "Deadline")},
                {
                    "name": "ip_terms",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("知识产权归属", "IP ownership"),
                },
                {
                    "name": "need_total_fen",
                    "type": "money",
                    "required": True,
                    "label": L("项目投入总额（元）", "Total investment (CNY)"),
                },
                {
                    "name": "solver_conditions",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("揭榜方条件", "Solver conditions"),
                },
                {
                    "name": "scope",
                    "type": "select",
                    "required": True,
                    "label": L("发布范围", "Publication scope"),
                    "options": [
                        {"value": "public", "label": L("公开", "Public")},
                        {"value": "restricted", "label": L("限定范围", "Restricted")},
                        {"value": "classified", "label": L("涉密（不网上发布）", "Classified (not online)")},
                    ],
                },
                {"name": "race_wanted", "type": "checkbox", "label": L("拟采用赛马制", "Race (赛马) wanted")},
                {
                    "name": "race_plan",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L(
                        "赛马：团队数、阶段内容、考核目标、资助额度",
                        "Race: teams, stage content, targets, funding",
                    ),
                },
                {
                    "name": "issuer_end_user",
                    "type": "checkbox",
                    "label": L("本单位是技术的最终用户", "We are the end user of the technology"),
                },
                {
                    "name": "application_form",
                    "type": "file",
                    "accept": [".pdf", ".doc", ".docx"],
                    "label": L("需求申请表", "Demand application form"),
                },
                {
                    "name": "pledge_unit",
                    "type": "checkbox",
                    "label": L("单位诚信承诺书已签署上传", "Unit's integrity pledge signed"),
                },
                {
                    "name": "pledge_leader",
                    "type": "checkbox",
                    "label": L("负责人诚信承诺书已签署上传", "Leader's integrity pledge signed"),
                },
                {
                    "name": "audit_prev",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("上上年度审计报告", "Audited report, year before last"),
                },
                {
                    "name": "audit_last",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("上年度审计报告", "Audited report, last year"),
                },
                {
                    "name": "ethics_field",
                    "type": "checkbox",
                    "label": L("涉及人或实验动物（生命科学、医学、人工智能）", "Involves humans or animals"),
                },
                {
                    "name": "ethics_review",
                    "type": "file",
                    "accept": [".pdf"],
                    "label": L("科技伦理审查报告", "Ethics review"),
                },
            ],
        },
        "need_review": {
            "id": "need_review",
            "title": L("需求评审", "Review the need"),
            "fields": [
                {"name": "need_view", "type": "readonly", "source": "need_title", "label": L("需求", "Need")},
                {
                    "name": "importance",
                    "type": "number",
                    "integer": True,
                    "required": True,
                    "min": 0,
                    "max": 100,
                    "label": L("重要性", "Importance"),
                },
                {
                    "name": "feasibility",
                    "type": "number",
                    "integer": True,
                    "required": True,
                    "min": 0,
                    "max": 100,
                    "label": L("可行性", "Feasibility"),
                },
                {
                    "name": "difficulty",
                    "type": "number",
                    "integer": True,
                    "required": True,
                    "min": 0,
                    "max": 100,
                    "label": L("难易程度", "Difficulty"),
                },
                {
                    "name": "need_listed_decision",
                    "type": "select",
                    "required": True,
                    "label": L("结论", "Conclusion"),
                    "options": [
                        {"value": "list", "label": L("列入榜单", "List it")},
                        {"value": "reject", "label": L("不列入", "Do not list")},
                    ],
                },
                {
                    "name": "need_review_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("意见", "Opinion"),
                },
            ],
        },
        "publish_list": {
            "id": "publish_list",
            "title": L("发布榜单", "Publish the list"),
            "fields": [
                {
                    "name": "scope_view",
                    "type": "readonly",
                    "source": "scope",
                    "label": L("发布范围", "Scope"),
                },
                {"name": "channels", "type": "text", "max_length": 500, "label": L("发布渠道", "Channels")},
                {
                    "name": "list_published_on",
                    "type": "date",
                    "required": True,
                    "label": L("发布日期", "Published on"),
                },
                {
                    "name": "applications_close_on",
                    "type": "date",
                    "label": L(
                        "网上揭榜截止日期（留空表示线下受理）",
                        "Online applications close on (empty: offline only)",
                    ),
                },
            ],
        },
        "application_entry": {
            "id": "application_entry",
            "title": L("揭榜申请", "Apply for the challenge"),
            "description": L(
                "000 §12(3)：揭榜方提交解决方案；联合体须有牵头方和合作协议。",
                "000 §12(3): the solver submits a solution; a consortium names its lead and has an agreement.",
            ),
            "fields": [
                {
                    "name": "partners",
                    "type": "text",
                    "max_length": 500,
                    "label": L("联合体成员代码（逗号分隔）", "Consortium partners (codes, comma-separated)"),
                },
                {
                    "name": "members",
                    "type": "text",
                    "required": True,
                    "max_length": 1000,
                    "label": L("团队成员代码（负责人在前，逗号分隔）", "Team members (leader first, codes)"),
                },
                {
                    "name": "plan",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 10000,
                    "label": L("方案与技术路线", "Plan and technical route"),
                },
                {"name": "budget_fen", "type": "money", "label": L("预算（元）", "Budget (CNY)")},
                {
                    "name": "plan_file",
                    "type": "file",
                    "accept": [".pdf", ".doc", ".docx"],
                    "label": L("揭榜方案书", "Solution document"),
                },
                {
                    "name": "pledge",
                    "type": "checkbox",
                    "required": True,
                    "label": L("诚信承诺：所填内容真实", "Integrity pledge: the content is true"),
                },
            ],
        },
        "applications_form": {
            "id": "applications_form",
            "title": L("受理揭榜申请", "Record the applications"),
            "fields": [
                {
                    "name": "applications",
                    "type": "group",
                    "required": True,
                    "max_items": 50,
                    "label": L("揭榜申请", "Applications"),
                    "fields": [
                        {
                            "name": "solver",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("揭榜单位代码（牵头方）", "Solver code (lead)"),
                        },
                        {
                            "name": "partners",
                            "type": "text",
                            "max_length": 500,
                            "label": L("联合体成员代码（逗号分隔）", "Consortium partners (codes)"),
                        },
                        {
                            "name": "members",
                            "type": "text",
                            "required": True,
                            "max_length": 1000,
                            "label": L(
                                "团队成员代码（负责人在前，逗号分隔）", "Team members (leader first, codes)"
                            ),
                        },
                        {
                            "name": "plan",
                            "type": "text",
                            "multiline": True,
                            "required": True,
                            "max_length": 10000,
                            "label": L("方案与技术路线", "Plan and technical route"),
                        },
                        {"name": "budget_fen", "type": "money", "label": L("预算（元）", "Budget (CNY)")},
                        {
                            "name": "plan_file",
                            "type": "file",
                            "accept": [".pdf", ".doc", ".docx"],
                            "label": L("揭榜方案书", "Solution document"),
                        },
                        {
                            "name": "pledge",
                            "type": "checkbox",
                            "required": True,
                            "label": L("诚信承诺", "Integrity pledge"),
                        },
                    ],
                },
            ],
        },
        "issuer_pick": {
            "id": "issuer_pick",
            "title": L("发榜方选定揭榜团队", "The issuer picks the solver team"),
            "description": L(
                "004 三(四)：发榜方自主选定揭榜团队并草拟合作协议。",
                "004 三(四): the issuer picks the team and drafts an agreement.",
            ),
            "fields": [
                {
                    "name": "applications",
                    "type": "group",
                    "required": True,
                    "max_items": 1,
                    "label": L("选定的团队", "Chosen team"),
                    "fields": [
                        {
                            "name": "solver",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("揭榜单位代码", "Solver code"),
                        },
                        {
                            "name": "partners",
                            "type": "text",
                            "max_length": 500,
                            "label": L("合作单位代码", "Partners (codes)"),
                        },
                        {
                            "name": "members",
                            "type": "text",
                            "required": True,
                            "max_length": 1000,
                            "label": L("团队成员代码", "Team members (codes)"),
                        },
                        {
                            "name": "plan",
                            "type": "text",
                            "multiline": True,
                            "required": True,
                            "max_length": 10000,
                            "label": L("攻关方案", "Plan"),
                        },
                        {"name": "budget_fen", "type": "money", "label": L("预算（元）", "Budget (CNY)")},
                        {
                            "name": "pledge",
                            "type": "checkbox",
                            "required": True,
                            "label": L("诚信承诺", "Integrity pledge"),
                        },
                    ],
                },
                {
                    "name": "draft_agreement",
                    "type": "file",
                    "accept": [".pdf", ".doc", ".docx"],
                    "label": L("合作协议草案", "Draft agreement"),
                },
            ],
        },
        "select_solvers": {
            "id": "select_solvers",
            "title": L("确定揭榜方与支持金额", "Choose the solvers and the support"),
            "fields": [
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "selection_problem",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "candidates_view",
                    "type": "readonly",
                    "source": "candidates_text",
                    "label": L("合格揭榜方", "Eligible"),
                },
                {
                    "name": "mode",
                    "type": "select",
                    "required": True,
                    "label": L("方式", "Mode"),
                    "options": [
                        {"value": "single", "label": L("常规（一家）", "Normal (one)")},
                        {"value": "race", "label": L("赛马", "Race")},
                    ],
                },
                {
                    "name": "selected",
                    "type": "text",
                    "required": True,
                    "max_length": 500,
                    "label": L("揭榜方代码（逗号分隔）", "Solver codes"),
                },
                {
                    "name": "contract_fen",
                    "type": "money",
                    "required": True,
                    "label": L(
                        "发榜方拨付揭榜方金额/合同金额（元）", "Paid to the solver / contract amount (CNY)"
                    ),
                },
                {
                    "name": "fiscal_support_fen",
                    "type": "money",
                    "required": True,
                    "label": L("财政支持金额（元）", "Fiscal support (CNY)"),
                },
                {"name": "stage_due", "type": "date", "label": L("赛马阶段考核日期", "Race stage deadline")},
                {
                    "name": "stage_task",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("赛马阶段任务与指标", "Race stage task and targets"),
                },
                {
                    "name": "race_first_pct_case",
                    "type": "number",
                    "integer": True,
                    "min": 0,
                    "max": 100,
                    "label": L("赛马首笔比例（%，一事一议时填写）", "Race first share (%, case by case)"),
                },
                {
                    "name": "selection_reason",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 5000,
                    "label": L("理由", "Reason"),
                },
            ],
        },
        "approve_form": {
            "id": "approve_form",
            "title": L("审定立项", "Approve the project"),
            "fields": [
                {
                    "name": "selected_view",
                    "type": "readonly",
                    "source": "selected",
                    "label": L("揭榜方", "Solvers"),
                },
                {
                    "name": "support_view",
                    "type": "readonly",
                    "source": "fiscal_support_fen",
                    "format": "money",
                    "label": L("财政支持", "Fiscal support"),
                },
                {
                    "name": "approval",
                    "type": "select",
                    "required": True,
                    "label": L("决定", "Decision"),
                    "options": yes_no,
                },
                {
                    "name": "approval_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 2000,
                    "label": L("意见", "Opinion"),
                },
            ],
        },
        "task_book": {
            "id": "task_book",
            "title": L("项目任务书（合同）", "Task book (contract)"),
            "fields": [
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "contract_problem",
                    "label": L("提示", "Note"),
                },
                {
                    "name": "period_months",
                    "type": "number",
                    "integer": True,
                    "required": True,
                    "min": 1,
                    "max": 120,
                    "label": L("实施周期（月）", "Period (months)"),
                },
                {
                    "name": "milestones",
                    "type": "group",
                    "max_items": 20,
                    "label": L("里程碑", "Milestones"),
                    "fields": [
                        {
                            "name": "title",
                            "type": "text",
                            "required": True,
                            "max_length": 100,
                            "label": L("阶段任务", "Stage task"),
                        },
                        {
                            "name": "due_date",
                            "type": "date",
                            "required": True,
                            "label": L("完成时间", "Due date"),
                        },
                        {
                            "name": "indicators",
                            "type": "text",
                            "required": True,
                            "max_length": 2000,
                            "label": L("指标", "Indicators"),
                        },
                        {
                            "name": "method",
                            "type": "text",
                            "max_length": 500,
                            "label": L("考核方式", "Assessment method"),
                        },
                        {
                            "name": "tranche_pct",
                            "type": "number",
                            "integer": True,
                            "min": 0,
                            "max": 100,
                            "label": L("考核通过后拨付比例（%）", "Share paid on passing (%)"),
                        },
                    ],
                },
                {
                    "name": "ip_ownership",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("知识产权归属与分配", "IP ownership"),
                },
                {
                    "name": "disbursement_plan",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("经费拨付计划", "Disbursement plan"),
                },
                {
                    "name": "chief_expert",
                    "type": "text",
                    "max_length": 64,
                    "label": L("首席专家（克拉玛依）", "Chief expert (Karamay)"),
                },
                {
                    "name": "confidentiality",
                    "type": "checkbox",
                    "label": L("已签保密协议（大足）", "Confidentiality agreement (Dazu)"),
                },
                {
                    "name": "commissioner",
                    "type": "text",
                    "max_length": 64,
                    "label": L("驻企特派员（张掖）", "Service commissioner (Zhangye)"),
                },
            ],
        },
        "change_approval": {
            "id": "change_approval",
            "title": L("审核变更申请", "Approve a change request"),
            "fields": [
                {
                    "name": "kind_view",
                    "type": "readonly",
                    "source": "change.kind",
                    "label": L("变更类型", "Kind"),
                },
                {
                    "name": "detail_view",
                    "type": "readonly",
                    "source": "change.detail",
                    "label": L("变更内容", "Change"),
                },
                {
                    "name": "reason_view",
                    "type": "readonly",
                    "source": "change.reason",
                    "label": L("理由", "Reason"),
                },
                {
                    "name": "change_decision",
                    "type": "select",
                    "required": True,
                    "label": L("决定", "Decision"),
                    "options": yes_no,
                },
                {
                    "name": "change_opinion",
                    "type": "text",
                    "multiline": True,
                    "required": True,
                    "max_length": 2000,
                    "label": L("审核意见", "Opinion"),
                },
            ],
        },
        "milestone_check": {
            "id": "milestone_check",
            "title": L("里程碑考核", "Milestone check"),
            "fields": [
                {
                    "name": "milestone_view",
                    "type": "readonly",
                    "source": "next_milestone.title",
                    "label": L("阶段任务", "Stage task"),
                },
                {
                    "name": "indicators_view",
                    "type": "readonly",
                    "source": "next_milestone.indicators",
                    "label": L("指标", "Indicators"),
                },
                {
                    "name": "milestone_passed",
                    "type": "select",
                    "required": True,
                    "label": L("结论", "Result"),
                    "options": [
                        {"value": "yes", "label": L("通过", "Passed")},
                        {"value": "no", "label": L("未通过", "Failed")},
                    ],
                },
                {
                    "name": "milestone_opinion",
                    "type": "text",
                    "multiline": True,
                    "max_length": 5000,
                    "label": L("考核意见（现场、数据、访谈、仿真、中试）", "Opinion"),
                },
                {
                    "name": "milestone_panel",
                    "type": "text",
                    "max_length": 1000,
                    "label": L("考核专家组成员（逗号分隔）", "Checking panel (names, comma-separated)"),
                },
                {
                    "name": "milestone_action",
                    "type": "select",
                    "label": L("处理（默认继续实施）", "Next (default: continue)"),
                    "options": [
                        {"value": "continue", "label": L("继续实施", "Continue")},
                        {"value": "stop", "label": L("实施不力，叫停（终止）", "Stop (terminate)")},
                    ],
                },
                {
                    "name": "milestone_stop_cause",
                    "type": "select",
                    "label": L("叫停原因", "Cause of the stop"),
                    "options": [
                        {"value": "objective", "label": L("客观原因", "Objective")},
                        {"value": "subjective", "label": L("主观原因", "Subjective")},
                    ],
                },
                {
                    "name": "problem_view",
                    "type": "readonly",
                    "source": "milestone_problem",
                    "label": L("上次提交的问题", "Problem with the last submission"),
                },
            ],
        },
        "approve_exits": {
            "id": "approve_exits",
            "title": L("退出审批与资金清算", "Exits and fund clearing"),
            "fields": [
                {
                    "name": "exits_view",
                    "type": "readonly",
                    "source": "exit_application",
                    "label": L("书面申请", "Written application"),
                },
                {
                    "name": "exit_clearing",
                    "type": "group",
                    "max_items": 3,
                    "label": L("退出团队清算结余", "Balance of each exiting team"),
                    "fields": [
                        {
                            "name": "solver",
                            "type": "text",
                            "required": True,
                            "max_length": 64,
                            "label": L("揭榜方", "Solver"),
                        },
                        {
                            "name": "unspent_fen",
                            "type": "money",
                            "required": True,
                            "label": L("结余（元）", "Unspent (CNY)"),
                        },
                    ],
                },
                {
                    "name": "exits_approved",
                    "type": "checkbox",
                    "required": True,
                    "label": L("同意退出", "Exits approved"),
                },
            ],
        },
    }
