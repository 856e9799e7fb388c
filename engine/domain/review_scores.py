"""The expert review's result: each applicant's average score over the experts who scored it, best first
(000 §12(4), 001 八(四), 003 §12(5)). Pure function on plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def score_ranking(reviews: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``[{solver, average, count}]`` from the experts' reviews ``[{expert, scores: [{solver, score}]}]``,
    highest average first (ties keep the order the solvers were first scored in)."""
    collected: dict[str, list[float]] = {}
    for review in reviews or []:
        for row in review.get("scores") or []:
            collected.setdefault(row["solver"], []).append(row["score"])
    ranking = [
        {"solver": solver, "average": round(sum(scores) / len(scores), 2), "count": len(scores)}
        for solver, scores in collected.items()
    ]
    return sorted(ranking, key=lambda r: -r["average"])
