"""Who receives the city's money, how much, when and against which condition — the money rules the diagrams
apply at the task book, at each milestone, at a race exit, at acceptance and at a termination.

Every function reads the case (``d``: the task data — policy values from the jurisdiction's DMN table, the
decisions so far) and what the ledger already holds, and returns the ledger movements (:class:`Booking`) to
record; :func:`book` records them. Nothing here is a policy number: ratios, shares, recipients and bases come
from the policy table (``bpmn/<j>/policy_<j>.dmn``, described in ``bpmn/shared/policy_parameters.json``).

Recipients (POLICIES.md §8):
- Urumqi: 技术攻关 → the issuer (发榜方), 成果转化 → the solver (000 §12(6), §7);
- Dazu: always the issuer (需求单位), which pays the solver in its own tranches (001 十(二));
- Karamay: 企业出题 → the issuer, following its payments to the solver (003 §13(2)); 行业共性 → the project
  undertaker (003 §13(1) names none: policy parameter);
- Zhangye: 004 四(一) names none — the subsidy is a share of the award the issuer pays and waits for its payment
  proof, so the issuer (policy parameter).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.domain import funding_checks
from engine.domain.problems import yuan

BUREAU = "bureau"
#: the tranche of the issuer's last payment to the solver after acceptance (001 十(二))
ISSUER_FINAL = "issuer_final"
#: the tranche of the issuer's payments during implementation that the support follows (003 §13(2))
PROGRESS = "progress"
#: the tranche of the issuer's payments of its contract with the solver before the settlement (002 五(二)1)
CONTRACT = "contract"


@dataclass(frozen=True)
class Booking:
    """One ledger movement to record (engine.domain.ledger.record)."""

    kind: str  # disbursement | recovery | issuer_payment
    payer: str
    party: str  # who receives (disbursement, issuer_payment) or returns (recovery)
    solver: str  # the solver (team) the money is for
    amount_fen: int
    source: str
    tranche: str | None = None
    reason: str | None = None
    condition: dict[str, str] = field(default_factory=dict)
    evidence: Any = None

    def condition_text(self) -> str | None:
        return json.dumps(self.condition, ensure_ascii=False) if self.condition else None


@dataclass(frozen=True)
class Held:
    """What the ledger holds for a project: fiscal money disbursed and recovered (gross), net per solver, and
    what the issuer has paid the solvers."""

    disbursed_fen: int = 0
    recovered_fen: int = 0
    issuer_paid_fen: int = 0
    net_by_solver: Mapping[str, int] = field(default_factory=dict)
    #: fiscal money disbursed for each solver (gross, before recoveries)
    paid_by_solver: Mapping[str, int] = field(default_factory=dict)

    @property
    def net_fen(self) -> int:
        return self.disbursed_fen - self.recovered_fen


def _int(value: Any) -> int:
    return int(value or 0)


def _source(d: Mapping[str, Any], key: str = "fiscal_recipient_source") -> str:
    """The rule a payment follows: by default the payment schedule's (``fiscal_recipient_source``: 001 十(二),
    000 §12(6), 003 §13(1)(2), 004 四(一)), else the policy table's ``money_source``."""
    return str(d.get(key) or d.get("fiscal_recipient_source") or d.get("money_source") or "")


def solvers_of(d: Mapping[str, Any]) -> list[str]:
    return [str(s) for s in d.get("solvers") or [] if s]


def per_team(d: Mapping[str, Any]) -> bool:
    """000 §12(1), §12(6): in Urumqi each 赛马 team's work is its own race project — the issuer states the
    number of projects and each one's funding (拟支持项目数量…资助额度), the city signs with each team (2至3个揭榜方
    同时签订合作协议), and 每个"赛马制"项目首期资助经费不超过财政资助总额度的20%: the fiscal support and the
    contract are each team's, not shared. Where the policy says one sum for the race (001 十(二): 剩余项目资金
    不再进行多家分配) they are shared. Via ``race_support_per_team``."""
    return d.get("mode") == "race" and bool(d.get("race_support_per_team"))


def race_teams_of(d: Mapping[str, Any]) -> list[str]:
    """Every team that ran in the race (those that exited too), in the selection's order; the solvers where
    the case ran no race."""
    teams = [
        str(t.get("solver")) for t in d.get("race_teams") or [] if isinstance(t, Mapping) and t.get("solver")
    ]
    return teams or solvers_of(d)


def race_running(d: Mapping[str, Any]) -> bool:
    """A 赛马 whose stage review has not yet decided who continues (000 §12(7); 003 §13(3)): the race diagrams
    record ``race_recovered`` once the exits are approved and cleared."""
    return d.get("mode") == "race" and "race_recovered" not in d


# -- who and how much -----------------------------------------------------------------------------------------


def recipient(d: Mapping[str, Any], solver: str) -> str:
    """Who receives the fiscal money for ``solver``'s project: the issuer where the policy table says so for the
    need's category, else the solver (000 §12(6), §7; 001 十(二); 003 §13(1)(2); 004 四(一) — via
    ``fiscal_recipient`` and ``fiscal_solver_categories``)."""
    to_solver = d.get("category") in (d.get("fiscal_solver_categories") or [])
    if d.get("fiscal_recipient") == "issuer" and not to_solver and d.get("issuer_code"):
        return str(d["issuer_code"])
    return solver


def follows_issuer(d: Mapping[str, Any]) -> bool:
    """003 §13(2): 企业出题 support follows the issuer's payment progress (``fiscal_follows_issuer_categories``)."""
    return d.get("category") in (d.get("fiscal_follows_issuer_categories") or [])


def followed_limit_fen(d: Mapping[str, Any], issuer_paid_fen: int) -> int | None:
    """003 §13(2): the fiscal money paid so far may not run ahead of the issuer's payments — at most the support
    times the share of the contract the issuer has paid. None where the support does not follow the issuer."""
    if not follows_issuer(d):
        return None
    support, contract = _int(d.get("fiscal_support_fen")), _int(d.get("contract_fen"))
    if contract <= 0:
        return 0
    return min(support, support * max(issuer_paid_fen, 0) // contract)


#: 003 §13(1): the case is paid in three stages by the bureau's clerk (engine.domain.fiscal_tranches); the
#: automatic first, milestone and acceptance payments leave such a case alone
staged = funding_checks.paid_in_stages


def split_fen(amount: int, teams: list[str]) -> list[tuple[str, int]]:
    """``amount`` shared among ``teams`` to the fen: equal shares, the remainder to the first team."""
    if not teams or amount <= 0:
        return []
    share = amount // len(teams)
    return [(t, share + (amount - share * len(teams) if i == 0 else 0)) for i, t in enumerate(teams)]


def _pay(
    d: Mapping[str, Any], team: str, amount: int, tranche: str, source: str, condition: dict[str, str]
) -> Booking:
    return Booking("disbursement", BUREAU, recipient(d, team), team, amount, source, tranche, None, condition)


def _cap_following(d: Mapping[str, Any], held: Held, wanted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Cut ``wanted`` payments down to what the issuer's payments allow (003 §13(2))."""
    limit = followed_limit_fen(d, held.issuer_paid_fen)
    if limit is None:
        return wanted
    room = max(0, limit - held.net_fen)
    out = []
    for team, amount in wanted:
        take = min(amount, room)
        room -= take
        out.append((team, take))
    return out


def _following_condition(d: Mapping[str, Any], held: Held) -> dict[str, str]:
    if not follows_issuer(d):
        return {}
    paid = yuan(held.issuer_paid_fen)
    contract = yuan(_int(d.get("contract_fen")))
    return {
        "zh": f"按发榜方拨款进度：发榜方已付揭榜方 {paid} 元（合同 {contract} 元）",
        "en": f"following the issuer's payments: CNY {paid} of the CNY {contract} contract paid to the solver",
    }


# -- the task book: the first tranche --------------------------------------------------------------------------


def first_tranche(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """The first fiscal tranche after the task book: ``first_pct`` of the support (001 十(二): 50%; 004 四(一):
    50%; 003 §13(1): the approval stage), or for a race each team's first share (000 §12(6) ≤ 20%; 001 十(二)
    case by case; 003 §13(3)). Paid to the recipient (:func:`recipient`); where the support follows the issuer
    (003 §13(2)) nothing is paid before the issuer has paid."""
    # 003 §13(1): the approval tranche is the bureau clerk's task (engine.domain.fiscal_tranches)
    if staged(d):
        return []
    support = _int(d.get("fiscal_support_fen"))
    teams = solvers_of(d)
    if d.get("mode") == "race":
        share = _int(funding_checks.race_first_share(d))
        wanted = [(t, support * share // 100) for t in teams]
        tranche, source = "race_first", funding_checks.RACE_MONEY_SOURCE
        zh, en = f"赛马各团队首笔 {share}%", f"each race team's first share of {share}%"
        if per_team(d):  # 000 §12(6): 每个"赛马制"项目首期 ≤ 20% of that project's own support
            zh = f"赛马各团队首笔：每个团队财政支持 {yuan(support)} 元的 {share}%"
            en = f"each race team's first share: {share}% of its own fiscal support of CNY {yuan(support)}"
    else:
        pct = _int(d.get("first_pct"))
        wanted = [(teams[0], support * pct // 100)] if teams else []
        tranche, source = "first", _source(d)
        zh, en = f"任务书已签订，首笔 {pct}%", f"task book signed, first tranche of {pct}%"
    if _int(d.get("issuer_prepay_pct")):
        due = yuan(funding_checks.prepayment_due_fen(d))
        zh += f"；发榜方已预付揭榜方 {yuan(held.issuer_paid_fen)} 元（应付 {due} 元）"
        en += f"; the issuer prepaid CNY {yuan(held.issuer_paid_fen)} to the solver (CNY {due} due)"
    condition = {"zh": zh, "en": en}
    follow = _following_condition(d, held)
    if follow:
        condition = {
            k: f"{condition[k]}；{follow[k]}" if k == "zh" else f"{condition[k]}; {follow[k]}"
            for k in condition
        }
    return [
        _pay(d, team, amount, tranche, source, condition)
        for team, amount in _cap_following(d, held, wanted)
        if amount > 0
    ]


# -- the issuer's payments to the solver ----------------------------------------------------------------------


def issuer_payment(
    d: Mapping[str, Any], amount_field: str, proof_field: str, tranche: str, date_field: str | None = None
) -> list[Booking]:
    """The issuer's payment to the solver just reported on a form (``amount_field``), with the proof it
    uploaded (``proof_field``) and the day it paid (``date_field``, named in the condition): 001 十(二) (40%
    before the first fiscal half, 30% after the stage review, its receipts are evidence for the fiscal payment),
    004 四(一) (≥ 30% of the total investment, 以资金拨付凭证为依据), 003 §13(2) (the support follows these
    payments), 002 五(二)1 (Urumqi: the issuer's payments of the 揭榜金额 to the solver)."""
    amount = _int(d.get(amount_field))
    teams = solvers_of(d)
    if amount <= 0 or not teams or not d.get("issuer_code"):
        return []
    source = (
        funding_checks.prepayment_source(d) if tranche == "prepayment" else _source(d, "issuer_stage_source")
    )
    if tranche == ISSUER_FINAL:
        source = str(d.get("acceptance_issuer_final") or "")  # 001 十(二): the remainder after acceptance
    if follows_issuer(d):
        source = _source(d, "money_source")
    if tranche == CONTRACT:  # the contract's own rule (policy parameter contract_payment_source)
        source = _source(d, "contract_payment_source")
    condition = {
        "zh": "发榜方上传付款凭证" if d.get(proof_field) else "发榜方未上传付款凭证",
        "en": "the issuer uploaded its proof of payment"
        if d.get(proof_field)
        else "no proof of payment uploaded",
    }
    paid_on = d.get(date_field) if date_field else None
    if paid_on:
        condition = {
            "zh": f"{condition['zh']}；付款日期 {paid_on}",
            "en": f"{condition['en']}; paid on {paid_on}",
        }
    issuer = str(d["issuer_code"])
    return [
        Booking(
            "issuer_payment",
            issuer,
            team,
            team,
            share,
            source or "",
            tranche,
            None,
            condition,
            d.get(proof_field),
        )
        for team, share in split_fen(amount, teams)
    ]


def follow_issuer(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """003 §13(2): after an issuer payment, the fiscal support catches up with the issuer's progress: what the
    schedule would have paid by now (first tranche and passed milestones), no more than the progress allows."""
    if not follows_issuer(d):
        return []
    support = _int(d.get("fiscal_support_fen"))
    passed = sum(_int(m.get("tranche_pct")) for m in d.get("milestones") or [] if m.get("passed"))
    scheduled = min(support, support * (_int(d.get("first_pct")) + passed) // 100)
    limit = followed_limit_fen(d, held.issuer_paid_fen) or 0
    due = max(0, min(scheduled, limit) - held.net_fen)
    return [
        _pay(d, team, amount, "follow", _source(d), _following_condition(d, held))
        for team, amount in split_fen(due, solvers_of(d))
    ]


def progress_payment_due(d: Mapping[str, Any], held: Held) -> bool:
    """003 §13(2): where the support follows the issuer's payments, the issuer is asked at each milestone for its
    payments to the solver since — until it has paid the whole contract."""
    return follows_issuer(d) and held.issuer_paid_fen < _int(d.get("contract_fen"))


# -- milestones -----------------------------------------------------------------------------------------------


def mark_milestone(d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The milestones with the one just checked (``next_milestone``) marked done, passed or not."""
    current = d.get("next_milestone") or {}
    out = []
    for m in d.get("milestones") or []:
        row = dict(m)
        if row.get("title") == current.get("title") and row.get("due_date") == current.get("due_date"):
            row["done"] = True
            row["passed"] = d.get("milestone_passed") == "yes"
        out.append(row)
    return out


def milestone_tranche(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """A passed milestone releases its share of the support (000 §12(6); 003 §12(8), §13(1) the milestone stage),
    never more than is left, shared among the continuing teams to the fen; capped by the issuer's progress
    where the support follows it (003 §13(2)). Dazu stages no fiscal money by milestone (001 十(二))."""
    current = d.get("next_milestone") or {}
    pct = _int(current.get("tranche_pct"))
    if d.get("milestone_passed") != "yes" or not pct or staged(d):  # 003 §13(1): the clerk's tranche task
        return []
    support = _int(d.get("fiscal_support_fen"))
    title = str(current.get("title") or "")
    condition = {"zh": f"里程碑“{title}”考核通过", "en": f"milestone “{title}” passed"}
    follow = _following_condition(d, held)
    if follow:
        condition = {"zh": f"{condition['zh']}；{follow['zh']}", "en": f"{condition['en']}; {follow['en']}"}
    if per_team(
        d
    ):  # 000 §12(6): each continuing team's share of its own support, never more than it has left
        left = {t: max(support - held.paid_by_solver.get(t, 0), 0) for t in solvers_of(d)}
        wanted = [(t, min(support * pct // 100, left[t])) for t in solvers_of(d)]
    else:
        amount = min(support * pct // 100, max(support - held.disbursed_fen, 0))
        wanted = split_fen(amount, solvers_of(d))
    return [
        _pay(d, team, share, f"milestone:{title}", _source(d), condition)
        for team, share in _cap_following(d, held, wanted)
        if share > 0
    ]


def stage_payment_due(d: Mapping[str, Any], held: Held) -> bool:
    """001 十(二): after a passed stage review the issuer owes the solver its stage share (cumulative
    ``issuer_prepay_pct`` + ``issuer_stage_pct`` of the contract) until it has paid it."""
    return (
        d.get("milestone_passed") == "yes"
        and _int(d.get("issuer_stage_pct")) > 0
        and held.issuer_paid_fen < funding_checks.stage_payment_due_fen(d)
    )


# -- recoveries: race exits, terminations, failed acceptance --------------------------------------------------


def _recover(d: Mapping[str, Any], team: str, amount: int, reason: str, source: str) -> Booking:
    party = recipient(d, team)
    return Booking("recovery", party, party, team, amount, source, None, reason)


def race_exits(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """000 §12(6): a team leaving the race has its money cleared and the balance recovered — from whoever
    received it for that team (the issuer where it is the recipient)."""
    out = []
    for row in d.get("exit_clearing") or []:
        team = str(row.get("solver") or "")
        amount = min(_int(row.get("unspent_fen")), held.net_by_solver.get(team, 0))
        if amount > 0:
            reason = "赛马未通过阶段考核，清算收回结余 / race exit: balance recovered"
            out.append(_recover(d, team, amount, reason, "000 §12(6)"))
    return out


def audited_remainder(row: Mapping[str, Any], held_fen: int) -> int:
    """The balance of one team's fiscal money by the audit (001 八(八): 根据财务审计结果，及时将结余资金…收回):
    where the auditor states the money used (``used_fen``), what is held less it; else the balance it states
    (``unspent_fen``)."""
    if row.get("used_fen") not in (None, ""):
        return max(0, held_fen - _int(row.get("used_fen")))
    return _int(row.get("unspent_fen"))


def termination_recovery(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """What a termination recovers per team, by the termination table's ``recovery_mode``: everything held
    (000 §15, 003 §17 revocation), the audited balance and the non-research money (001 八(八)), or the balance
    (000 §14, 003 §17: the issuer recovers and returns the balance)."""
    mode = d.get("recovery_mode")
    # the request the termination carries (``requested_termination``); a state stored before it was renamed
    # (shared termination.bpmn declares it as its input) holds it as ``termination``
    termination = d.get("requested_termination") or d.get("termination") or {}
    rows = {str(r.get("solver")): r for r in d.get("audit_unspent") or [] if r.get("solver")}
    out = []
    for team in solvers_of(d):
        have = held.net_by_solver.get(team, 0)
        row = rows.get(team, {})
        if mode == "all":
            amount = have
        elif mode == "unspent_and_non_research":
            amount = min(have, audited_remainder(row, have) + _int(row.get("non_research_fen")))
        else:
            amount = min(have, audited_remainder(row, have))
        if amount > 0:
            out.append(
                _recover(
                    d, team, amount, str(termination.get("reason") or ""), _source(d, "termination_source")
                )
            )
    return out


def issuer_final_owed(d: Mapping[str, Any], held: Held) -> int:
    """001 十(二): 项目验收通过后，需求单位拨付剩余经费给揭榜单位 — where the acceptance table asks for it
    (``acceptance_issuer_final``: its source, '' when not), what the issuer still owes the solver of the contract
    in fen; 0 where the table does not ask for it."""
    if not d.get("acceptance_issuer_final"):
        return 0
    return max(0, _int(d.get("contract_fen")) - held.issuer_paid_fen)


def acceptance_settlement(d: Mapping[str, Any], held: Held) -> list[Booking]:
    """The acceptance table's consequence in money (acceptance_<j>.dmn): pass (or Dazu's 结题) pays the rest of
    the support (001 十(二) the second half; 004 四(一) the rest; 003 §13(1) the acceptance stage) — where the
    support follows the issuer, only as far as its payments allow (003 §13(2)); a failure recovers all (003 §20)
    or the amount the panel fixed (004 三(六)), from whoever received the money."""
    source = _source(d, "acceptance_rule_source")
    teams = solvers_of(d)
    out: list[Booking] = []
    # 001 十(二): 需求单位资金拨付凭据作为区财政拨付资金的凭证之一 — the rest waits for the issuer's final payment
    # 003 §13(1): a staged case's acceptance tranche is the clerk's task (engine.domain.fiscal_tranches)
    if d.get("acceptance_pay_rest") and not issuer_final_owed(d, held) and not staged(d):
        support = _int(d.get("fiscal_support_fen"))
        rest = max(0, support - held.net_fen)
        # 000 §12(6): 评估后决定继续支持的，依程序给予后续支持资金 — each continuing team the rest of its own support
        wanted = (
            [(t, max(0, support - held.net_by_solver.get(t, 0))) for t in teams]
            if per_team(d)
            else split_fen(rest, teams)
        )
        condition = {"zh": "验收通过，拨付余款", "en": "acceptance passed: the remainder"}
        if d.get("acceptance_issuer_final"):  # 001 十(二): against the issuer's receipt
            condition = {
                "zh": "验收通过，发榜方已付清合同余款并上传凭证，拨付余款",
                "en": "acceptance passed and the issuer paid the rest of the contract with its proof: the remainder",
            }
        follow = _following_condition(d, held)
        if follow:
            condition = {
                "zh": f"{condition['zh']}；{follow['zh']}",
                "en": f"{condition['en']}; {follow['en']}",
            }
        for team, amount in _cap_following(d, held, wanted):
            if amount > 0:
                out.append(_pay(d, team, amount, "final", source, condition))
    recovery = d.get("acceptance_recovery")
    if recovery == "all":
        reason = "验收不通过，收回财政资金 / failed acceptance: fiscal money recovered"
        out += [_recover(d, t, held.net_by_solver.get(t, 0), reason, source) for t in teams]
    elif recovery == "amount" and _int(d.get("acceptance_recover_fen")):
        reason = "验收不通过，收回部分资金 / failed acceptance: part recovered"
        for team, amount in split_fen(_int(d.get("acceptance_recover_fen")), teams):
            out.append(_recover(d, team, min(amount, held.net_by_solver.get(team, 0)), reason, source))
    return [b for b in out if b.amount_fen > 0]
