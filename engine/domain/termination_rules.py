"""Termination and revocation (终止/撤销): how the project ends. What is recovered, and from whom, is
``engine.domain.disbursement.termination_recovery``."""

from __future__ import annotations


def final_status(cause: str) -> str:
    """``revoked`` for a revocation (003 §17), else ``terminated``."""
    return "revoked" if cause == "revocation" else "terminated"
