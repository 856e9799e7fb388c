"""Termination and revocation (终止/撤销): what is recovered from each solver.

000 §14: an objective termination recovers the unspent balance found by the audit; 001 八(八): also the fiscal
money used outside the project's research; 003 §17: a revocation recovers all fiscal money disbursed. Which
applies is the jurisdiction's termination table (``recovery_mode``: ``unspent``, ``unspent_and_non_research``
or ``all``). Pure functions; the diagram's helper records the recoveries in the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

RECOVERY_MODES = ("unspent", "unspent_and_non_research", "all")


def amount_to_recover(held_fen: int, audit_row: Mapping[str, Any] | None, recovery_mode: str) -> int:
    """Fen to recover from one solver holding ``held_fen``: never more than it holds."""
    if recovery_mode not in RECOVERY_MODES:
        raise ValueError(f"unknown recovery mode: {recovery_mode!r}")
    if recovery_mode == "all":
        return max(int(held_fen), 0)
    row = audit_row or {}
    unspent = int(row.get("unspent_fen") or 0)
    non_research = int(row.get("non_research_fen") or 0) if recovery_mode == "unspent_and_non_research" else 0
    return max(min(int(held_fen), unspent + non_research), 0)


def audit_row_of(audit_unspent: Iterable[Mapping[str, Any]] | None, solver: str) -> Mapping[str, Any] | None:
    """The audit's row for ``solver`` (the termination audit lists each solver's unspent money)."""
    return next((r for r in audit_unspent or [] if r.get("solver") == solver), None)


def final_status(cause: str) -> str:
    """``revoked`` for a revocation (003 §17), else ``terminated``."""
    return "revoked" if cause == "revocation" else "terminated"
