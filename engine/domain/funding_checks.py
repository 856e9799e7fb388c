"""Money rules of a challenge, checked before a form is accepted and again by the diagram's guard.

Every function reads the task data (policy values from the jurisdiction's DMN table, earlier decisions) merged
with the values just submitted, and returns field-keyed notes (engine.domain.problems). Policy numbers are
never literals here: ratios, caps, shares and periods come from the policy table's outputs, and each note
cites the table's ``*_source`` string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.problems import Hint, Problem, yuan

#: 赛马 money (POLICIES.md §3): first tranche per race team — the policy tables carry no own source for it
RACE_MONEY_SOURCE = "000 §12(6), 001 十(二), 003 §13(3)"


def _codes(text: Any) -> list[str]:
    return [s.strip() for s in str(text or "").split(",") if s.strip()]


def _int(value: Any) -> int:
    return int(value or 0)


# -- choosing the solvers and the fiscal support (select_solvers) --------------------------------------------


def fiscal_limit_fen(d: Mapping[str, Any]) -> int | None:
    """The most fiscal support allowed: the policy ratio of the base (the total investment, or the contract —
    what the issuer pays the solver), and never more than the cap. None while the base is unknown.
    000 §6, 001 十(一), 002 五(二)1, 003 §13(2), 004 四(一) via ``fiscal_ratio_pct``/``fiscal_base``/
    ``fiscal_cap_fen``."""
    if ratio_exempt(d):
        return _int(d.get("fiscal_cap_fen"))
    base = d.get("need_total_fen") if d.get("fiscal_base") == "total" else d.get("contract_fen")
    if base is None:
        return None
    return min(_int(d.get("fiscal_cap_fen")), _int(base) * _int(d.get("fiscal_ratio_pct")) // 100)


def ratio_exempt(d: Mapping[str, Any]) -> bool:
    """003 §13(1): 行业共性 projects are funded mainly by fiscal money — only the cap applies, not the 40 % of
    the contract of 企业出题 (003 §13(2)); via ``fiscal_ratio_exempt_categories``."""
    return d.get("category") in (d.get("fiscal_ratio_exempt_categories") or [])


def race_first_share(d: Mapping[str, Any]) -> int | None:
    """The first fiscal share of each 赛马 team in %: the policy's, else the one decided case by case."""
    fixed = d.get("race_first_pct")
    return fixed if fixed is not None else d.get("race_first_pct_case")


def selection_problems(d: Mapping[str, Any]) -> list[Problem]:
    """Solvers, mode, race terms and the fiscal support of ``select_solvers``."""
    out: list[Problem] = []
    chosen = _codes(d.get("selected"))
    candidates = list(d.get("candidates") or [])
    mode = d.get("mode")
    if any(c not in candidates for c in chosen):
        out.append(
            Problem(
                "selected",
                "只能选择通过资格审查的揭榜方：" + "、".join(c for c in chosen if c not in candidates),
                "Only applicants who passed the eligibility review can be chosen: "
                + ", ".join(c for c in chosen if c not in candidates),
            )
        )
    if mode == "single" and len(chosen) != 1:
        # 001 八(四), 003 §12(5): normally one solver
        out.append(
            Problem("selected", "常规项目确定一个揭榜方。", "A normal project has exactly one solver.")
        )
    lo, hi = d.get("race_min_teams"), d.get("race_max_teams")
    if mode == "race" and lo is not None and hi is not None and not lo <= len(chosen) <= hi:
        # 000 §4, 001 八(四), 003 §12(5): 2–3 teams (numbers from the policy table)
        out.append(
            Problem("selected", f"赛马须确定 {lo}–{hi} 个团队。", f"A race has {lo}–{hi} teams.", "000 §4")
        )
    if mode == "race" and not d.get("stage_due"):
        # 000 §12(7): each race team has a stage deadline
        out.append(
            Problem(
                "stage_due", "赛马须约定阶段考核日期。", "A race needs a stage review date.", "000 §12(7)"
            )
        )
    share = race_first_share(d)
    if mode == "race" and share is None:
        # 001 十(二): the first split of a race is decided case by case
        out.append(
            Problem(
                "race_first_pct_case",
                "赛马首笔资金比例一事一议，请填写。",
                "The race's first share is decided case by case: fill it in.",
                RACE_MONEY_SOURCE,
            )
        )
    elif mode == "race" and chosen and not d.get("race_support_per_team") and share * len(chosen) > 100:
        # one sum for the race (001 十(二)): the teams' first shares come out of it together; where each team
        # has its own support (000 §12(6)) each share is of that team's own
        out.append(
            Problem(
                "race_first_pct_case",
                f"各团队首笔比例合计 {share * len(chosen)}%，超过财政支持的 100%。",
                f"The teams' first shares add up to {share * len(chosen)}%, more than 100% of the fiscal support.",
                RACE_MONEY_SOURCE,
            )
        )
    if d.get("third_party_review"):
        # 003 §12(5): the solver is chosen from the third party's list, within its budget
        recommended = _codes(d.get("recommended_solvers"))
        if any(c not in recommended for c in chosen):
            out.append(
                Problem(
                    "selected",
                    "只能从第三方机构提出的建议名单中确定揭榜方：" + "、".join(recommended),
                    "Choose from the list the third party proposed: " + ", ".join(recommended),
                    "003 §12(5)",
                )
            )
        budget = d.get("project_budget_fen")
        if budget is not None and _int(d.get("contract_fen")) > budget:
            out.append(
                Problem(
                    "contract_fen",
                    f"合同金额超过第三方核定的经费总额 {yuan(budget)} 元。",
                    f"The contract exceeds the budget of CNY {yuan(budget)} fixed by the third party.",
                    "003 §12(5)",
                )
            )
    limit = fiscal_limit_fen(d)
    fiscal = d.get("fiscal_support_fen")
    if limit is not None and fiscal is not None and fiscal > limit and ratio_exempt(d):
        out.append(
            Problem(
                "fiscal_support_fen",
                f"财政支持最多 {yuan(limit)} 元（单个项目上限），填写的是 {yuan(fiscal)} 元。",
                f"Fiscal support is at most CNY {yuan(limit)} (the cap per project); CNY {yuan(fiscal)} was entered.",
                d.get("fiscal_cap_source") or "003 §13(1)",
            )
        )
    elif limit is not None and fiscal is not None and fiscal > limit:
        out.append(
            Problem(
                "fiscal_support_fen",
                f"财政支持最多 {yuan(limit)} 元（{_ratio_zh(d)}，且不超过 {yuan(_int(d.get('fiscal_cap_fen')))} 元），"
                f"填写的是 {yuan(fiscal)} 元。",
                f"Fiscal support is at most CNY {yuan(limit)} ({_ratio_en(d)}, and at most CNY "
                f"{yuan(_int(d.get('fiscal_cap_fen')))}); CNY {yuan(fiscal)} was entered.",
                d.get("money_source"),
            )
        )
    return out


def _ratio_zh(d: Mapping[str, Any]) -> str:
    base = "项目投入总额" if d.get("fiscal_base") == "total" else "合同金额（发榜方拨付揭榜方金额）"
    return f"{base}的 {d.get('fiscal_ratio_pct')}%"


def _ratio_en(d: Mapping[str, Any]) -> str:
    base = "the total investment" if d.get("fiscal_base") == "total" else "the contract (paid to the solver)"
    return f"{d.get('fiscal_ratio_pct')}% of {base}"


def selection_hints(d: Mapping[str, Any]) -> list[Hint]:
    """The fiscal limit and the race share rule, shown before the bureau types the amounts."""
    cap = yuan(_int(d.get("fiscal_cap_fen")))
    out: list[Hint] = []
    if ratio_exempt(d):
        out.append(
            Hint(
                "fiscal_support_fen",
                f"行业共性项目以财政资金资助为主：不受合同金额比例限制，不超过 {cap} 元。",
                f"Industry-common projects are funded mainly by fiscal money: no share of the contract applies, "
                f"at most CNY {cap}.",
                "003 §13(1)",
            )
        )
    elif d.get("fiscal_base") == "total" and d.get("need_total_fen") is not None:
        limit = fiscal_limit_fen(d) or 0
        out.append(
            Hint(
                "fiscal_support_fen",
                f"最多 {yuan(limit)} 元：{_ratio_zh(d)}（{yuan(_int(d.get('need_total_fen')))} 元），且不超过 {cap} 元。",
                f"At most CNY {yuan(limit)}: {_ratio_en(d)} (CNY {yuan(_int(d.get('need_total_fen')))}), "
                f"and at most CNY {cap}.",
                d.get("money_source"),
            )
        )
    else:
        out.append(
            Hint(
                "fiscal_support_fen",
                f"不超过{_ratio_zh(d)}，且不超过 {cap} 元。",
                f"At most {_ratio_en(d)}, and at most CNY {cap}.",
                d.get("money_source"),
            )
        )
    if d.get("third_party_review") and d.get("project_budget_fen") is not None:
        out.append(
            Hint(
                "contract_fen",
                f"不超过第三方核定的经费总额 {yuan(d['project_budget_fen'])} 元。",
                f"At most the budget fixed by the third party, CNY {yuan(d['project_budget_fen'])}.",
                "003 §12(5)",
            )
        )
    fixed = d.get("race_first_pct")
    if d.get("race_support_per_team"):
        # 000 §12(1), §12(6): each race team is its own project with its own agreement and funding
        first_zh = f"，每个团队首笔为其财政支持的 {fixed}%" if fixed is not None else ""
        first_en = f"; each team's first tranche is {fixed}% of its own support" if fixed is not None else ""
        out.append(
            Hint(
                "contract_fen",
                f"选择赛马时，合同金额和财政支持均按每个团队填写（每个团队各签合作协议）{first_zh}。",
                f"In a race the contract and the fiscal support are each team's (each team signs its own "
                f"agreement){first_en}.",
                "000 §12(1), §12(6)",
            )
        )
    if fixed is not None:
        out.append(
            Hint(
                "race_first_pct_case",
                f"政策规定赛马首笔比例为 {fixed}%，无需填写。",
                f"The policy fixes the race's first share at {fixed}%; leave this empty.",
                RACE_MONEY_SOURCE,
            )
        )
    else:
        out.append(
            Hint(
                "race_first_pct_case",
                "赛马时必填（一事一议）；各团队首笔比例之和不超过 100%。",
                "Required for a race (decided case by case); the teams' shares add up to at most 100%.",
                RACE_MONEY_SOURCE,
            )
        )
    return out


# -- the task book (task_book) -------------------------------------------------------------------------------


def first_share(d: Mapping[str, Any]) -> int:
    """The first fiscal tranche in % of the support: the race share for a race, else ``first_pct``."""
    if d.get("mode") == "race":
        return _int(race_first_share(d))
    return _int(d.get("first_pct"))


def paid_in_stages(d: Mapping[str, Any]) -> bool:
    """003 §13(1): the case's category is paid in three stages by the bureau's clerk (``staged_categories``:
    Karamay 行业共性), a race excepted (003 §13(3)) — engine.domain.fiscal_tranches."""
    return d.get("category") in (d.get("staged_categories") or []) and d.get("mode") != "race"


def _stages_text(d: Mapping[str, Any]) -> tuple[str, str]:
    first, milestone = _int(d.get("first_pct")), _int(d.get("staged_milestone_pct"))
    rest = 100 - first - milestone
    return (
        f"财政资金由科技局分三个阶段拨付：立项 {first}%、“里程碑”考核后 {milestone}%、验收后 {rest}%",
        f"the bureau pays the fiscal support in three stages: {first}% at approval, {milestone}% after the "
        f"milestone review, {rest}% after acceptance",
    )


def staged_share(d: Mapping[str, Any]) -> int:
    return sum(_int(m.get("tranche_pct")) for m in d.get("milestones") or [])


def _period_source(d: Mapping[str, Any]) -> str | None:
    # The policy table has no own source for the period; it is the edition's rule (000 §6, 001 七, 003 §12(7))
    return d.get("period_source") or d.get("policy_edition")


def task_book_problems(d: Mapping[str, Any]) -> list[Problem]:
    """Period range, what the task book must contain, and the milestone shares."""
    out: list[Problem] = []
    lo, hi, months = d.get("period_min_months"), d.get("period_max_months"), d.get("period_months")
    if months is not None and lo is not None and hi is not None and not lo <= months <= hi:
        out.append(
            Problem(
                "period_months",
                f"实施周期应为 {lo}–{hi} 个月，填写的是 {months} 个月。",
                f"The period must be {lo}–{hi} months; {months} was entered.",
                _period_source(d),
            )
        )
    requires = list(d.get("task_book_requires") or [])
    src = d.get("task_book_requires_source")
    if "confidentiality" in requires and not d.get("confidentiality"):
        out.append(
            Problem("confidentiality", "须签订保密协议。", "A confidentiality agreement is required.", src)
        )
    if "chief_expert" in requires and not d.get("chief_expert"):
        out.append(Problem("chief_expert", "须明确首席专家。", "Name the chief expert.", src))
    if "commissioner" in requires and not d.get("commissioner"):
        out.append(Problem("commissioner", "须选派驻企特派员。", "Assign a service commissioner.", src))
    staged = staged_share(d)
    if staged and paid_in_stages(d):  # 003 §13(1): the stages' shares are the policy's, not the task book's
        zh, en = _stages_text(d)
        out.append(
            Problem(
                "milestones",
                f"{zh}，请将各里程碑的拨付比例留空。",
                f"{en.capitalize()}: leave the milestone shares empty.",
                d.get("staged_source"),
            )
        )
    elif staged and not d.get("milestone_tranches"):
        out.append(
            Problem(
                "milestones",
                "本地财政资金不按里程碑拨付，请将各里程碑的拨付比例留空。",
                "Fiscal money is not paid per milestone here: leave the milestone shares empty.",
                d.get("milestone_tranches_source"),
            )
        )
    elif first_share(d) + staged > 100:
        out.append(
            Problem(
                "milestones",
                f"首笔 {first_share(d)}% 与各里程碑比例 {staged}% 合计超过 100%。",
                f"The first tranche ({first_share(d)}%) and the milestone shares ({staged}%) exceed 100%.",
                d.get("money_source"),
            )
        )
    return out


def task_book_hints(d: Mapping[str, Any]) -> list[Hint]:
    out: list[Hint] = []
    if d.get("category") in (d.get("fiscal_follows_issuer_categories") or []):
        # 003 §13(2): 企业出题 support follows the issuer's payments — nothing is paid when the task book is signed
        out.append(
            Hint(
                "disbursement_plan",
                "企业出题项目：财政资金按发榜方向揭榜方拨款的进度拨付给发榜方，发榜方付款前不拨付。",
                "Enterprise-posed project: the fiscal support is paid to the issuer as it pays the solver — "
                "nothing before the issuer has paid.",
                d.get("money_source"),
            )
        )
    lo, hi = d.get("period_min_months"), d.get("period_max_months")
    if lo is not None and hi is not None:
        out.append(Hint("period_months", f"{lo}–{hi} 个月。", f"{lo}–{hi} months.", _period_source(d)))
    if paid_in_stages(d):
        zh, en = _stages_text(d)
        out.append(
            Hint(
                "milestones",
                f"{zh}；拨付比例留空。",
                f"{en.capitalize()}; leave the shares empty.",
                d.get("staged_source"),
            )
        )
    elif d.get("milestone_tranches"):
        rest = 100 - first_share(d)
        out.append(
            Hint(
                "milestones",
                f"首笔财政资金 {first_share(d)}%；各里程碑拨付比例合计不超过 {rest}%。",
                f"The first fiscal tranche is {first_share(d)}%; the milestone shares add up to at most {rest}%.",
                d.get("money_source"),
            )
        )
    else:
        out.append(
            Hint(
                "milestones",
                "本地财政资金不按里程碑拨付：拨付比例留空。",
                "Fiscal money is not paid per milestone here: leave the shares empty.",
                d.get("milestone_tranches_source"),
            )
        )
    requires = list(d.get("task_book_requires") or [])
    src = d.get("task_book_requires_source")
    for name, zh, en in (
        ("confidentiality", "本辖区须签订保密协议。", "Required here: a confidentiality agreement."),
        ("chief_expert", "本辖区须明确首席专家。", "Required here: the chief expert."),
        ("commissioner", "本辖区须选派驻企特派员。", "Required here: a service commissioner."),
    ):
        if name in requires:
            out.append(Hint(name, zh, en, src, required=True))
    return out


# -- the issuer's payments to the solver (issuer_payment, issuer_stage_payment) -------------------------------


def prepayment_base_fen(d: Mapping[str, Any]) -> int:
    """The base of the issuer's prepayment share (``issuer_prepay_base``): the contract — the R&D money paid to
    the solver (001 十(二)) — or the total project investment (004 四(一): 项目投入总额)."""
    key = "need_total_fen" if d.get("issuer_prepay_base") == "total" else "contract_fen"
    return _int(d.get(key))


def prepayment_due_fen(d: Mapping[str, Any]) -> int:
    """What the issuer must have paid the solver before the first fiscal tranche (001 十(二): 40% of the
    contract; 004 四(一): 30% of the total project investment)."""
    return prepayment_base_fen(d) * _int(d.get("issuer_prepay_pct")) // 100


def stage_payment_due_fen(d: Mapping[str, Any]) -> int:
    """What the issuer must have paid in all after the stage review (001 十(二))."""
    return (
        _int(d.get("contract_fen"))
        * (_int(d.get("issuer_prepay_pct")) + _int(d.get("issuer_stage_pct")))
        // 100
    )


def _payment_problem(
    field: str, due: int, paid_before: int, now: Any, when_zh: str, when_en: str, source: Any
) -> list[Problem]:
    if now is None or paid_before + _int(now) >= due:
        return []
    least = due - paid_before
    return [
        Problem(
            field,
            f"{when_zh} {yuan(due)} 元，已付 {yuan(paid_before)} 元，本次至少 {yuan(least)} 元"
            f"（填写的是 {yuan(_int(now))} 元）。",
            f"{when_en} CNY {yuan(due)}; CNY {yuan(paid_before)} was paid, so at least CNY {yuan(least)} now "
            f"(CNY {yuan(_int(now))} was entered).",
            source,
        )
    ]


def _payment_hint(field: str, due: int, paid_before: int, when_zh: str, when_en: str, source: Any) -> Hint:
    least = max(0, due - paid_before)
    return Hint(
        field,
        f"{when_zh} {yuan(due)} 元；已付 {yuan(paid_before)} 元，本次至少 {yuan(least)} 元。",
        f"{when_en} CNY {yuan(due)}; CNY {yuan(paid_before)} was paid, so at least CNY {yuan(least)} now.",
        source,
    )


# 001 十(二): 40% before the first fiscal tranche, 30% more after the stage review; 004 四(一): ≥30% first
_PREPAY = ("首笔财政资金拨付前，发榜方须预付", "Before the first fiscal tranche the issuer must prepay")
_PREPAY_TOTAL = (
    "首笔补助资金拨付前，发榜方支付揭榜方的资金须达到项目投入总额的",
    "Before the first subsidy the issuer must have paid the solver a share of the total project investment:",
)


def _prepay_words(d: Mapping[str, Any]) -> tuple[str, str]:
    if d.get("issuer_prepay_base") != "total":
        return _PREPAY
    pct = _int(d.get("issuer_prepay_pct"))
    total = yuan(prepayment_base_fen(d))
    return (
        f"{_PREPAY_TOTAL[0]} {pct}%（总额 {total} 元），即",
        f"{_PREPAY_TOTAL[1]} {pct}% of CNY {total}, i.e.",
    )


_STAGE = ("阶段考核后，发榜方须累计付至", "After the stage review the issuer must have paid in all")


def prepayment_source(d: Mapping[str, Any]) -> str | None:
    """The source of the prepayment share: ``issuer_prepay_source`` if the policy table has one; else, where
    the issuer also pays a stage share, the clause of that payment schedule (Dazu 001 十(二) covers 40% and
    30%); else ``money_source`` (Zhangye 004 四(一))."""
    if d.get("issuer_prepay_source"):
        return str(d["issuer_prepay_source"])
    if d.get("issuer_stage_pct") and d.get("issuer_stage_source"):
        return str(d["issuer_stage_source"])
    return d.get("money_source")


def prepayment_problems(d: Mapping[str, Any], paid_before_fen: int) -> list[Problem]:
    """``issuer_paid_fen`` with what was paid before reaches the prepayment share of the contract."""
    return _payment_problem(
        "issuer_paid_fen",
        prepayment_due_fen(d),
        paid_before_fen,
        d.get("issuer_paid_fen"),
        *_prepay_words(d),
        prepayment_source(d),
    )


def prepayment_hints(d: Mapping[str, Any], paid_before_fen: int) -> list[Hint]:
    return [
        _payment_hint(
            "issuer_paid_fen", prepayment_due_fen(d), paid_before_fen, *_prepay_words(d), prepayment_source(d)
        )
    ]


def stage_payment_problems(d: Mapping[str, Any], paid_before_fen: int) -> list[Problem]:
    """``stage_paid_fen`` with what was paid before reaches the prepayment and stage shares of the contract."""
    return _payment_problem(
        "stage_paid_fen",
        stage_payment_due_fen(d),
        paid_before_fen,
        d.get("stage_paid_fen"),
        *_STAGE,
        d.get("issuer_stage_source"),
    )


def stage_payment_hints(d: Mapping[str, Any], paid_before_fen: int) -> list[Hint]:
    return [
        _payment_hint(
            "stage_paid_fen", stage_payment_due_fen(d), paid_before_fen, *_STAGE, d.get("issuer_stage_source")
        )
    ]


# -- the issuer's final payment after acceptance (issuer_final_payment, 001 十(二)) -----------------------------


def final_payment_due_fen(d: Mapping[str, Any], paid_before_fen: int) -> int:
    """001 十(二): 项目验收通过后，需求单位拨付剩余经费给揭榜单位 — the rest of the contract the issuer still owes."""
    return max(0, _int(d.get("contract_fen")) - paid_before_fen)


def final_payment_problems(d: Mapping[str, Any], paid_before_fen: int) -> list[Problem]:
    """``final_paid_fen`` must settle the contract exactly: the district pays its last half in one go against
    the issuer's receipt (需求单位资金拨付凭据作为区财政拨付资金的凭证之一), so a part payment would leave the fiscal
    half blocked and an overpayment is not contract money; the proof (``final_payment_proof``) is required."""
    source = d.get("acceptance_issuer_final") or None
    due = final_payment_due_fen(d, paid_before_fen)
    now = d.get("final_paid_fen")
    out: list[Problem] = []
    if now is not None and _int(now) != due:
        contract = yuan(_int(d.get("contract_fen")))
        out.append(
            Problem(
                "final_paid_fen",
                f"验收通过后发榜方须付清合同余款：合同 {contract} 元，已付 {yuan(paid_before_fen)} 元，本次应付 "
                f"{yuan(due)} 元（填写的是 {yuan(_int(now))} 元）。",
                f"After acceptance the issuer pays the rest of the contract: CNY {contract}, CNY "
                f"{yuan(paid_before_fen)} paid, so CNY {yuan(due)} now (CNY {yuan(_int(now))} was entered).",
                source,
            )
        )
    if not d.get("final_payment_proof"):
        out.append(
            Problem(
                "final_payment_proof",
                "请上传付款凭证：发榜方的资金拨付凭据是区财政拨付余款的凭证之一。",
                "Upload the proof of payment: the issuer's receipt is one of the vouchers for the district's "
                "last fiscal payment.",
                source,
            )
        )
    return out


def final_payment_hints(d: Mapping[str, Any], paid_before_fen: int) -> list[Hint]:
    source = d.get("acceptance_issuer_final") or None
    due = final_payment_due_fen(d, paid_before_fen)
    contract = yuan(_int(d.get("contract_fen")))
    return [
        Hint(
            "final_paid_fen",
            f"合同 {contract} 元，已付 {yuan(paid_before_fen)} 元，应付清余款 {yuan(due)} 元。",
            f"Contract CNY {contract}, CNY {yuan(paid_before_fen)} paid: pay the rest, CNY {yuan(due)}.",
            source,
        ),
        Hint(
            "final_payment_proof",
            "财政余款凭发榜方付款凭证拨付。",
            "The district's last fiscal payment is made against this receipt.",
            source,
        ),
    ]


# -- the issuer's payments during implementation (issuer_progress_payment, 003 §13(2)) --------------------------


def progress_payment_problems(d: Mapping[str, Any], paid_before_fen: int) -> list[Problem]:
    """003 §13(2): the issuer pays the solver under the contract; a payment beyond the contract is not contract
    money (the support follows the contract's progress), and a payment needs its proof."""
    source = d.get("money_source")
    contract = _int(d.get("contract_fen"))
    now = _int(d.get("progress_paid_fen"))
    out: list[Problem] = []
    if paid_before_fen + now > contract:
        out.append(
            Problem(
                "progress_paid_fen",
                f"合同 {yuan(contract)} 元，已付 {yuan(paid_before_fen)} 元，本次至多 "
                f"{yuan(max(0, contract - paid_before_fen))} 元（填写的是 {yuan(now)} 元）。",
                f"The contract is CNY {yuan(contract)} and CNY {yuan(paid_before_fen)} was paid, so at most CNY "
                f"{yuan(max(0, contract - paid_before_fen))} now (CNY {yuan(now)} was entered).",
                source,
            )
        )
    if now > 0 and not d.get("progress_payment_proof"):
        out.append(
            Problem(
                "progress_payment_proof",
                "请上传付款凭证：财政资金按发榜方拨款进度拨付。",
                "Upload the proof of payment: the fiscal support follows the issuer's payments.",
                source,
            )
        )
    return out


def progress_payment_hints(d: Mapping[str, Any], paid_before_fen: int) -> list[Hint]:
    contract = _int(d.get("contract_fen"))
    pct = paid_before_fen * 100 // contract if contract else 0
    return [
        Hint(
            "progress_paid_fen",
            f"合同 {yuan(contract)} 元，已付 {yuan(paid_before_fen)} 元（{pct}%）；财政资金按已付比例跟进，"
            f"本次可付 0 至 {yuan(max(0, contract - paid_before_fen))} 元。",
            f"Contract CNY {yuan(contract)}, CNY {yuan(paid_before_fen)} paid ({pct}%); the support follows "
            f"the share paid; pay CNY 0 to {yuan(max(0, contract - paid_before_fen))} now.",
            d.get("money_source"),
        )
    ]


# -- the commissioned audit of fund use (fund_audit, 001 十一(一)) ------------------------------------------------

#: 001 十一(一): 经费使用管理的审计工作由区科技局委托第三方审计机构进行
AUDIT_SOURCE = "001 十一(一)"


def audit_problems(d: Mapping[str, Any], fiscal_net_fen: int) -> list[Problem]:
    """The audited fiscal money used (``fund_audit_used_fen``) cannot exceed the fiscal money the project holds
    (disbursed less recovered, from the ledger)."""
    used = d.get("fund_audit_used_fen")
    if used is None or _int(used) <= fiscal_net_fen:
        return []
    return [
        Problem(
            "fund_audit_used_fen",
            f"项目共收到财政资金 {yuan(fiscal_net_fen)} 元，审计确认的使用额不能超过它（填写的是 {yuan(_int(used))} 元）。",
            f"The project received CNY {yuan(fiscal_net_fen)} of fiscal money; the audited use cannot exceed it "
            f"(CNY {yuan(_int(used))} was entered).",
            AUDIT_SOURCE,
        )
    ]


def audit_hints(d: Mapping[str, Any], fiscal_net_fen: int) -> list[Hint]:
    return [
        Hint(
            "fund_audit_used_fen",
            f"项目已收到财政资金 {yuan(fiscal_net_fen)} 元；填写审计确认已用于项目的金额，结余 = 收到 − 使用。",
            f"The project received CNY {yuan(fiscal_net_fen)} of fiscal money; state the amount the audit found "
            "used for the project; the remainder is received less used.",
            AUDIT_SOURCE,
        )
    ]


# -- the audit before a termination (termination_audit: 000 §14, 001 八(八)) ------------------------------------

#: 001 八(八): 项目终止的，应根据财务审计结果 … 收回 — the settlement follows the audit, so its report is attached
AUDIT_REPORT_ZH = "请上传审计报告（PDF）：项目终止须根据财务审计结果清算、收回资金。"
AUDIT_REPORT_EN = "Upload the audit report (PDF): a terminated project's money is settled on the financial audit's findings."


def termination_audit_problems(d: Mapping[str, Any], fiscal_net_fen: int) -> list[Problem]:
    """Each team's row states the audited money used or the balance (001 八(八): 根据财务审计结果; 000 §14); the
    money used in all cannot exceed the fiscal money the project holds; where the termination table asks for it
    (``termination_audit_report``: Dazu, 001 八(八); Urumqi's objective cause, 000 §14 委托第三方出具审计报告)
    the audit report is attached."""
    source = d.get("termination_source")
    out: list[Problem] = []
    if d.get("termination_audit_report") and not d.get("audit_report"):
        out.append(Problem("audit_report", AUDIT_REPORT_ZH, AUDIT_REPORT_EN, source))
    rows = [r for r in d.get("audit_unspent") or [] if isinstance(r, Mapping)]
    for i, row in enumerate(rows):
        if row.get("used_fen") in (None, "") and row.get("unspent_fen") in (None, ""):
            out.append(
                Problem(
                    f"audit_unspent.{i}.used_fen",
                    "请填写审计确认已使用的财政资金或结余资金。",
                    "State the fiscal money used, as audited, or the unspent balance.",
                    source,
                )
            )
    used = sum(_int(r.get("used_fen")) for r in rows)
    if used > fiscal_net_fen:
        out.append(
            Problem(
                "audit_unspent",
                f"项目共持有财政资金 {yuan(fiscal_net_fen)} 元，审计确认的使用额合计不能超过它（填写的是 {yuan(used)} 元）。",
                f"The project holds CNY {yuan(fiscal_net_fen)} of fiscal money; the audited use cannot exceed it "
                f"(CNY {yuan(used)} in all).",
                source,
            )
        )
    return out


def termination_audit_hints(d: Mapping[str, Any], fiscal_net_fen: int) -> list[Hint]:
    required = [Hint("audit_report", AUDIT_REPORT_ZH, AUDIT_REPORT_EN, d.get("termination_source"))]
    return [
        *(required if d.get("termination_audit_report") else []),
        Hint(
            "audit_unspent",
            f"项目持有财政资金 {yuan(fiscal_net_fen)} 元；填写审计确认已使用的金额时，收回的结余 = 持有 − 已使用。",
            f"The project holds CNY {yuan(fiscal_net_fen)} of fiscal money; where the amount used is stated, the "
            "balance recovered is held less used.",
            d.get("termination_source"),
        ),
    ]
