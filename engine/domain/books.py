"""A project's books as the bureau keeps them: per party the plan, what was paid, what was recovered, what is
still owed — from the ledger (engine.domain.ledger) and the case's plan (the fiscal support and the contract).

After acceptance or termination the project has ended: fiscal money the rules no longer owe lapses, and what
each party still owes or gets back is stated (e.g. Dazu: after acceptance the issuer pays the solver the rest
of the contract, 001 十(二)). The books are settled (已结算) only once the project has ended and nobody owes
anything: no fiscal money is still due and the issuer has paid its contracts. Every figure is integer fen and the books balance to the fen:
plan = paid − recovered + recovered + still owed + lapsed, and the parties' lines add up to the totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.domain import disbursement, funding_checks
from engine.models.domain import LedgerEntry

#: project statuses after which nothing more is planned (engine.domain.record_helpers.project_status)
SETTLED = frozenset({"accepted", "closed", "failed", "terminated", "revoked"})
#: statuses after which the rest of the support is due (the acceptance table pays the rest)
PASSED = frozenset({"accepted", "closed"})


@dataclass
class PartyLine:
    """One party's money in fen: fiscal money received and returned, and the issuer's payments."""

    party: str
    role: str  # bureau | issuer | solver
    fiscal_received_fen: int = 0
    fiscal_returned_fen: int = 0
    issuer_paid_fen: int = 0  # paid by the issuer (issuer: paid out; solver: received)
    fiscal_owed_fen: int = 0  # fiscal money the bureau still owes this party
    issuer_owes_fen: int = 0  # what the issuer still owes this solver under the contract

    @property
    def fiscal_net_fen(self) -> int:
        return self.fiscal_received_fen - self.fiscal_returned_fen


@dataclass
class Books:
    fiscal_plan_fen: int
    contract_fen: int
    fiscal_paid_fen: int
    fiscal_recovered_fen: int
    fiscal_owed_fen: int
    fiscal_lapsed_fen: int
    issuer_paid_fen: int
    issuer_owed_fen: int
    #: the project has ended and nothing is owed: no fiscal money due, the issuer's contracts paid
    settled: bool
    status: str
    parties: list[PartyLine] = field(default_factory=list)
    #: the commissioned audit of fund use (001 十一(一)): the fiscal money the auditor found used, None before
    audited_used_fen: int | None = None
    #: the fiscal money the project held when it was audited (the audit's base)
    audited_base_fen: int | None = None
    #: where each 赛马 team has its own support and contract (000 §12(6)): how many teams the plan counts, each
    #: with ``fiscal_support_fen`` of its own and a contract of ``contract_fen``; 0 where there is one plan
    race_teams: int = 0
    #: each team's own fiscal support where ``race_teams``; 0 otherwise
    support_each_fen: int = 0
    #: a race whose teams share one support and one contract (001 十(二): 剩余项目资金不再进行多家分配)
    race_shared: bool = False
    #: the project has ended (accepted, closed, failed, terminated, revoked), settled or not
    ended: bool = False
    #: during a 赛马: the part of the contracts that waits for the stage review (000 §12(7): 评估后决定继续支持的，
    #: 依程序给予后续支持资金; 003 §13(3)) — not owed yet, and owed to no team that leaves the race
    issuer_conditional_fen: int = 0

    @property
    def audited_remainder_fen(self) -> int | None:
        """The fiscal money held at the audit but not used (001 八(八): 根据财务审计结果); None before it."""
        if self.audited_used_fen is None:
            return None
        base = self.fiscal_net_fen if self.audited_base_fen is None else self.audited_base_fen
        return max(0, base - self.audited_used_fen)

    @property
    def fiscal_net_fen(self) -> int:
        return self.fiscal_paid_fen - self.fiscal_recovered_fen

    @property
    def balanced(self) -> bool:
        """The plan is accounted for to the fen, and the parties' lines add up to the totals."""
        return (
            self.fiscal_plan_fen
            == self.fiscal_net_fen + self.fiscal_recovered_fen + self.fiscal_owed_fen + self.fiscal_lapsed_fen
            and sum(p.fiscal_net_fen for p in self.parties) == self.fiscal_net_fen
            and sum(p.fiscal_owed_fen for p in self.parties) == self.fiscal_owed_fen
            and sum(p.issuer_paid_fen for p in self.parties if p.role == "solver") == self.issuer_paid_fen
            and sum(p.issuer_owes_fen for p in self.parties) == self.issuer_owed_fen
        )

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["fiscal_net_fen"] = self.fiscal_net_fen
        out["audited_remainder_fen"] = self.audited_remainder_fen
        out["balanced"] = self.balanced
        for line, p in zip(out["parties"], self.parties, strict=True):
            line["fiscal_net_fen"] = p.fiscal_net_fen
        return out


def _int(value: Any) -> int:
    return int(value or 0)


@dataclass(frozen=True)
class RaceBooks:
    """What the owed lines of a project are computed from, read once from the case by :func:`books`."""

    #: the fiscal support: each team's where the support is per team (000 §12(6)), else the project's
    support_fen: int
    #: the contract: each team's where the support is per team, else the project's
    contract_fen: int
    issuer: str
    #: every team of the race (those that exited too); the solvers where the case ran no race
    teams: list[str]
    #: the teams still in the project
    continuing: list[str]
    #: the unpaid support is still due (the project runs, or it passed and waits for the issuer's payments)
    still_due: bool
    #: the contracts still run (not after a failure, a termination or a revocation)
    contract_runs: bool
    #: the race stage runs (000 §12(7), 003 §13(3)): each team is owed only its race-stage share of the contract
    race_running: bool = False
    #: each team's race-stage share of the contract in fen (the race's first share, race_first_pct or the one
    #: decided case by case: 001 十(二) 首笔项目资金分配比例; 003 §13(3) 赛马阶段向各家揭榜方拨付一定比例项目经费)
    race_stage_fen: int = 0

    def role(self, party: str) -> str:
        return "issuer" if party == self.issuer else "solver"


def _line(lines: dict[str, PartyLine], party: str, role: str) -> PartyLine:
    if party not in lines:
        lines[party] = PartyLine(party, role)
    return lines[party]


def _owe(
    lines: dict[str, PartyLine], race: RaceBooks, recipient: str, fiscal: int, team: str, rest: int
) -> None:
    """The recipient of ``team``'s fiscal money is owed ``fiscal``; the issuer owes ``team`` ``rest``."""
    if fiscal:
        _line(lines, recipient, race.role(recipient)).fiscal_owed_fen += fiscal
    if rest:
        _line(lines, team, "solver").issuer_owes_fen += rest


def books(d: Mapping[str, Any], rows: Iterable[LedgerEntry], status: str | None = None) -> Books:
    """The books of the project of case ``d`` from its ledger ``rows``; ``status`` is the project's status
    (default: the acceptance result in ``d``)."""
    status = status or str(d.get("acceptance_status") or "ongoing")
    ended = status in SETTLED
    support = plan = _int(d.get("fiscal_support_fen"))
    contract = _int(d.get("contract_fen"))
    issuer = str(d.get("issuer_code") or "")
    solvers = disbursement.solvers_of(d)
    # 000 §12(6): where each 赛马 team has its own support and contract, the plan is every team's, and a team
    # that left the race is owed nothing more (its project ends, 000 §12(7))
    per_team = disbursement.per_team(d)
    teams = disbursement.race_teams_of(d) if per_team else solvers
    if per_team:
        plan = support * len(teams)
    lines: dict[str, PartyLine] = {}
    if issuer:
        _line(lines, issuer, "issuer")
    for s in teams:
        _line(lines, s, "solver")
    paid = recovered = issuer_paid = 0
    paid_for: dict[str, int] = {}  # fiscal money disbursed for each team (gross)
    issuer_paid_to: dict[str, int] = {}
    for e in rows:
        party = e.party or ""
        role = "issuer" if party == issuer else "solver"
        if e.kind == "disbursement":
            _line(lines, party, role).fiscal_received_fen += e.amount_fen
            paid += e.amount_fen
            paid_for[e.solver or party] = paid_for.get(e.solver or party, 0) + e.amount_fen
        elif e.kind == "recovery":
            _line(lines, party, role).fiscal_returned_fen += e.amount_fen
            recovered += e.amount_fen
        elif e.kind == "issuer_payment":
            _line(lines, party, "solver").issuer_paid_fen += e.amount_fen
            issuer_paid += e.amount_fen
            issuer_paid_to[party] = issuer_paid_to.get(party, 0) + e.amount_fen
    if issuer:
        lines[issuer].issuer_paid_fen = issuer_paid
    # still owed: while the project runs, the unpaid plan; once passed, only what waits for the issuer's
    # payments (003 §13(2)) or for its final payment (001 十(二): its receipt is a voucher of the fiscal rest);
    # after a failure or termination the unpaid plan lapses
    waits = disbursement.follows_issuer(d) or (
        bool(d.get("acceptance_issuer_final")) and issuer_paid < contract
    )
    running = disbursement.race_running(d) and not ended
    race = RaceBooks(
        support,
        contract,
        issuer,
        teams,
        solvers,
        still_due=not ended or (status in PASSED and waits),
        contract_runs=bool(contract) and status not in ("failed", "terminated", "revoked"),
        race_running=running,
        race_stage_fen=contract * int(funding_checks.race_first_share(d) or 0) // 100 if running else 0,
    )
    unpaid = max(0, plan - paid)
    if per_team:
        owed, issuer_owed = _per_team_owed(d, race, lines, paid_for, issuer_paid_to)
        lapsed = plan - paid - owed
    else:
        owed, issuer_owed = _shared_owed(d, race, lines, unpaid, issuer_paid, issuer_paid_to)
        lapsed = unpaid - owed
    conditional = _conditional(race, per_team, issuer_paid, issuer_owed)
    return Books(
        plan,
        contract,
        paid,
        recovered,
        owed,
        lapsed,
        issuer_paid,
        issuer_owed,
        ended and not owed and not issuer_owed,
        status,
        list(lines.values()),
        audited_used(d),
        _audited_base(d),
        race_teams=len(teams) if per_team else 0,
        support_each_fen=support if per_team else 0,
        race_shared=d.get("mode") == "race" and not per_team,
        ended=ended,
        issuer_conditional_fen=conditional,
    )


def _conditional(race: RaceBooks, per_team: bool, issuer_paid: int, issuer_owed: int) -> int:
    """000 §12(7), 003 §13(3): during the race, the contract money beyond each team's race-stage share waits for
    the stage review — the continuing teams' contracts (each team's own, or the one shared contract) less what
    the issuer paid and what it owes now."""
    if not race.race_running or not race.contract_runs:
        return 0
    contracts = race.contract_fen * len(race.continuing) if per_team else race.contract_fen
    return max(0, contracts - issuer_paid - issuer_owed)


def _shared_owed(
    d: Mapping[str, Any],
    race: RaceBooks,
    lines: dict[str, PartyLine],
    unpaid: int,
    issuer_paid: int,
    issuer_paid_to: Mapping[str, int],
) -> tuple[int, int]:
    """One support and one contract for the project (001 十(二): 剩余项目资金不再进行多家分配): the unpaid support
    while it is due, shared among the recipients to the fen, and the rest of the contract the issuer owes the
    solvers (001 十(二): after acceptance the remainder) — during a race only each team's race-stage share
    (003 §13(3)). Returns (fiscal owed, issuer owes), in fen."""
    owed = unpaid if race.still_due else 0
    recipients = {disbursement.recipient(d, s) for s in race.continuing} or {race.issuer}
    for to, share in disbursement.split_fen(owed, sorted(recipients)):
        _owe(lines, race, to, share, to, 0)
    if race.race_running:
        return owed, _race_stage_owed(race, lines, issuer_paid_to)
    issuer_owed = max(0, race.contract_fen - issuer_paid) if race.contract_runs else 0
    for team, share in disbursement.split_fen(issuer_owed, race.continuing):
        _owe(lines, race, team, 0, team, share)
    return owed, issuer_owed


def _per_team_owed(
    d: Mapping[str, Any],
    race: RaceBooks,
    lines: dict[str, PartyLine],
    paid_for: Mapping[str, int],
    issuer_paid_to: Mapping[str, int],
) -> tuple[int, int]:
    """000 §12(6)/(7): each team still in the race is owed the rest of its own support (to its recipient) and the
    rest of its own contract from the issuer; a team that exited is owed neither — its unpaid support lapses.
    ``paid_for``: fiscal money disbursed for each team; ``issuer_paid_to``: the issuer's payments to each.
    Returns (fiscal owed, issuer owes), in fen; the parties' lines get their shares."""
    owed = issuer_owed = 0
    # 000 §12(7): during the race each team is owed its race-stage share of its contract; the rest waits for
    # the stage review
    contract = race.race_stage_fen if race.race_running else race.contract_fen
    for team in race.teams:
        if team not in race.continuing:
            continue
        fiscal = max(0, race.support_fen - paid_for.get(team, 0)) if race.still_due else 0
        rest = max(0, contract - issuer_paid_to.get(team, 0)) if race.contract_runs else 0
        _owe(lines, race, disbursement.recipient(d, team), fiscal, team, rest)
        owed += fiscal
        issuer_owed += rest
    return owed, issuer_owed


def _race_stage_owed(race: RaceBooks, lines: dict[str, PartyLine], issuer_paid_to: Mapping[str, int]) -> int:
    """003 §13(3): 赛马阶段向各家揭榜方拨付一定比例项目经费 (001 十(二): 首笔项目资金分配比例) — during the race
    the issuer owes each team its race-stage share of the one contract, less what it paid that team."""
    if not race.contract_runs:
        return 0
    total = 0
    for team in race.continuing:
        rest = max(0, race.race_stage_fen - issuer_paid_to.get(team, 0))
        _owe(lines, race, team, 0, team, rest)
        total += rest
    return total


def _audited_base(d: Mapping[str, Any]) -> int | None:
    figures = d.get("settlement_figures") or {}
    value = figures.get("fiscal_held_fen") if isinstance(figures, Mapping) else None
    return None if value is None else int(value)


def audited_used(d: Mapping[str, Any]) -> int | None:
    """The fiscal money used as the commissioned auditor stated it (``fund_audit_used_fen``, 001 十一(一)), None
    before the audit."""
    value = d.get("fund_audit_used_fen")
    return None if value in (None, "") else int(value)


def settlement(d: Mapping[str, Any], rows: Iterable[LedgerEntry]) -> dict[str, Any]:
    """The settled books as plain JSON (what ``settle_acceptance()`` answers; the ledger rows are the record)."""
    return books(d, rows).as_json()
