"""A project's books as the bureau keeps them: per party the plan, what was paid, what was recovered, what is
still owed — from the ledger (engine.domain.ledger) and the case's plan (the fiscal support and the contract).

After acceptance or termination the books are settled: fiscal money the rules no longer owe lapses, and what
each party still owes or gets back is stated (e.g. Dazu: after acceptance the issuer pays the solver the rest
of the contract, 001 十(二)). Every figure is integer fen and the books balance to the fen:
plan = paid − recovered + recovered + still owed + lapsed, and the parties' lines add up to the totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.domain import disbursement
from engine.models.domain import LedgerEntry

#: project statuses after which nothing more is planned (engine.domain.helpers.project_status)
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
    settled: bool
    status: str
    parties: list[PartyLine] = field(default_factory=list)
    #: the commissioned audit of fund use (001 十一(一)): the fiscal money the auditor found used, None before
    audited_used_fen: int | None = None
    #: the fiscal money the project held when it was audited (the audit's base)
    audited_base_fen: int | None = None

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


def books(d: Mapping[str, Any], rows: Iterable[LedgerEntry], status: str | None = None) -> Books:
    """The books of the project of case ``d`` from its ledger ``rows``; ``status`` is the project's status
    (default: the acceptance result in ``d``)."""
    status = status or str(d.get("acceptance_status") or "ongoing")
    settled = status in SETTLED
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

    def line(party: str, role: str) -> PartyLine:
        if party not in lines:
            lines[party] = PartyLine(party, role)
        return lines[party]

    if issuer:
        line(issuer, "issuer")
    for s in teams:
        line(s, "solver")
    paid = recovered = issuer_paid = 0
    paid_for: dict[str, int] = {}  # fiscal money disbursed for each team (gross)
    issuer_paid_to: dict[str, int] = {}
    for e in rows:
        party = e.party or ""
        role = "issuer" if party == issuer else "solver"
        if e.kind == "disbursement":
            line(party, role).fiscal_received_fen += e.amount_fen
            paid += e.amount_fen
            paid_for[e.solver or party] = paid_for.get(e.solver or party, 0) + e.amount_fen
        elif e.kind == "recovery":
            line(party, role).fiscal_returned_fen += e.amount_fen
            recovered += e.amount_fen
        elif e.kind == "issuer_payment":
            line(party, "solver").issuer_paid_fen += e.amount_fen
            issuer_paid += e.amount_fen
            issuer_paid_to[party] = issuer_paid_to.get(party, 0) + e.amount_fen
    if issuer:
        lines[issuer].issuer_paid_fen = issuer_paid
    unpaid = max(0, plan - paid)
    # still owed: while the project runs, the unpaid plan; once passed, only what waits for the issuer's
    # payments (003 §13(2)) or for its final payment (001 十(二): its receipt is a voucher of the fiscal rest);
    # after a failure or termination the unpaid plan lapses
    waits = disbursement.follows_issuer(d) or (
        bool(d.get("acceptance_issuer_final")) and issuer_paid < contract
    )
    still_due = not settled or (status in PASSED and waits)
    contract_runs = bool(contract) and status not in ("failed", "terminated", "revoked")
    if per_team:
        owed, issuer_owed = _per_team_owed(
            d, lines, (teams, solvers), (paid_for, issuer_paid_to), (still_due, contract_runs)
        )
        lapsed = plan - paid - owed
    else:
        owed = unpaid if still_due else 0
        lapsed = unpaid - owed
        recipients = {disbursement.recipient(d, s) for s in solvers} or {issuer}
        for team, share in disbursement.split_fen(owed, sorted(recipients)):
            line(team, "issuer" if team == issuer else "solver").fiscal_owed_fen += share
        # the issuer owes the solver the rest of the contract (001 十(二): after acceptance the remainder)
        issuer_owed = max(0, contract - issuer_paid) if contract_runs else 0
        for team, share in disbursement.split_fen(issuer_owed, solvers):
            line(team, "solver").issuer_owes_fen += share
    return Books(
        plan,
        contract,
        paid,
        recovered,
        owed,
        lapsed,
        issuer_paid,
        issuer_owed,
        settled,
        status,
        list(lines.values()),
        audited_used(d),
        _audited_base(d),
    )


def _per_team_owed(
    d: Mapping[str, Any],
    lines: dict[str, PartyLine],
    who: tuple[list[str], list[str]],
    paid: tuple[Mapping[str, int], Mapping[str, int]],
    due: tuple[bool, bool],
) -> tuple[int, int]:
    """000 §12(6)/(7): each team still in the race is owed the rest of its own support (to its recipient) and the
    rest of its own contract from the issuer; a team that exited is owed neither — its unpaid support lapses.
    ``who``: (every team of the race, the teams continuing); ``paid``: (fiscal money disbursed for each team,
    the issuer's payments to each); ``due``: (the unpaid support is still due, the contracts still run).
    Returns (fiscal owed, issuer owes), in fen; the parties' lines get their shares."""
    (teams, continuing), (paid_for, issuer_paid_to), (still_due, contract_runs) = who, paid, due
    support, contract = _int(d.get("fiscal_support_fen")), _int(d.get("contract_fen"))
    issuer = str(d.get("issuer_code") or "")
    owed = issuer_owed = 0
    for team in teams:
        if team not in continuing:
            continue
        fiscal = max(0, support - paid_for.get(team, 0)) if still_due else 0
        to = disbursement.recipient(d, team)
        if fiscal:
            lines.setdefault(
                to, PartyLine(to, "issuer" if to == issuer else "solver")
            ).fiscal_owed_fen += fiscal
        rest = max(0, contract - issuer_paid_to.get(team, 0)) if contract_runs else 0
        lines[team].issuer_owes_fen += rest
        owed += fiscal
        issuer_owed += rest
    return owed, issuer_owed


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
    """The settled books as plain JSON for the diagram (``ledger_final``)."""
    return books(d, rows).as_json()
