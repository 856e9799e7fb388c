"""Reading and writing the experts' score sheets (``engine.models.review_sheet``).

The expert's scoring (bpmn/shared/expert_scoring.bpmn) records the sheet when the expert submits the score task
(``review_recorded``) and hands back only ``{expert, scored}``; the panel (bpmn/shared/expert_review.bpmn) ranks
the candidates from the sheets of its experts (``recorded_ranking``) and keeps the ranking, which the select
step reads. The pages and the API see the sheets as the data held them before (``reviews``: ``{expert, scores,
opinion}``) through :func:`with_sheets`, so the access policy decides who reads which (000 §12(4): an expert his
own, a solver none). Instances on the diagrams before this table keep the sheets in their data; they are read
from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.application_records import challenge_instance_id
from engine.domain.review_scores import score_ranking
from engine.models.review_sheet import ReviewScore, ReviewSheet

#: what an entry of ``reviews`` holds when it still carries the sheet (the diagrams before this table)
SHEET_KEYS = ("scores", "opinion")


def _tenths(value: Any) -> int:
    return int((Decimal(str(value)) * 10).to_integral_value())


def record(
    session: Session,
    challenge: str,
    expert: str,
    scores: Iterable[Mapping[str, Any]] | None,
    opinion: str | None,
    at: datetime,
) -> ReviewSheet:
    """Create or replace ``expert``'s sheet for ``challenge``: the opinion and one line per scored candidate."""
    sheet = session.scalar(
        select(ReviewSheet).where(ReviewSheet.challenge == challenge, ReviewSheet.expert == expert)
    )
    if sheet is None:
        sheet = ReviewSheet(challenge=challenge, expert=expert)
        sheet.instance_id = challenge_instance_id(session, challenge)
        session.add(sheet)
    else:
        sheet.scores.clear()
        session.flush()  # the old lines leave before the new ones take their (sheet, solver) places
    sheet.opinion = str(opinion or "")
    sheet.submitted_at = at
    seen: set[str] = set()
    for row in scores or []:
        solver = str(row.get("solver") or "")
        if not solver or solver in seen or row.get("score") is None:
            continue
        seen.add(solver)
        sheet.scores.append(
            ReviewScore(
                position=len(sheet.scores),
                solver=solver,
                score_tenths=_tenths(row["score"]),
                comment=str(row.get("comment") or ""),
            )
        )
    session.flush()
    return sheet


def sheets(session: Session, challenge: str, experts: Iterable[str] | None = None) -> dict[str, ReviewSheet]:
    """The sheets of ``challenge`` by expert; only those of ``experts`` when given."""
    query = select(ReviewSheet).where(ReviewSheet.challenge == challenge)
    if experts is not None:
        wanted = sorted({str(e) for e in experts if e})
        if not wanted:
            return {}
        query = query.where(ReviewSheet.expert.in_(wanted))
    return {row.expert: row for row in session.scalars(query)}


def _score(tenths: int) -> float:
    return tenths / 10


def review_of(sheet: ReviewSheet) -> dict[str, Any]:
    """The sheet as the workflow data held it: ``{expert, scores: [{solver, score, comment?}], opinion}``."""
    return {
        "expert": sheet.expert,
        "scores": [
            {
                "solver": s.solver,
                "score": _score(s.score_tenths),
                **({"comment": s.comment} if s.comment else {}),
            }
            for s in sheet.scores
        ],
        "opinion": sheet.opinion,
    }


def listed_experts(reviews: Any) -> list[str]:
    """The experts the entries of ``reviews`` name, in their order (the panel's)."""
    if not isinstance(reviews, list):
        return []
    return [str(r["expert"]) for r in reviews if isinstance(r, Mapping) and r.get("expert")]


def reviews_of(session: Session, challenge: str, reviews: Any) -> list[dict[str, Any]]:
    """Each entry of ``reviews`` with its sheet: the entry's own (an instance before this table) or the one the
    table holds for its expert. An entry whose expert has no sheet stays as it is."""
    if not isinstance(reviews, list):
        return []
    found = sheets(session, challenge, listed_experts(reviews))
    out: list[dict[str, Any]] = []
    for entry in reviews:
        if not isinstance(entry, Mapping):
            continue
        expert = str(entry.get("expert") or "")
        if any(k in entry for k in SHEET_KEYS) or expert not in found:
            out.append(dict(entry))
        else:
            out.append({**entry, **review_of(found[expert])})
    return out


def ranking(session: Session, challenge: str, reviews: Any) -> list[dict[str, Any]]:
    """The candidates ranked by their average score over the sheets of the experts ``reviews`` lists (000 §12(4),
    001 八(四), 003 §12(5)): ``engine.domain.review_scores.score_ranking`` over the sheets in the panel's order."""
    return score_ranking(reviews_of(session, challenge, reviews))


def with_sheets(session: Session, data: Mapping[str, Any], business_key: str | None = None) -> dict[str, Any]:
    """``data`` (the whole case, before the access policy filters it) with each entry of ``reviews`` completed
    by its sheet: the pages and the API read the sheets as before, and the policy keeps of them what the viewer
    may read (an expert: his own; a solver: none). The challenge is the data's ``project_code`` (else the
    instance's ``business_key``)."""
    if not isinstance(data.get("reviews"), list):
        return dict(data)
    challenge = str(data.get("project_code") or business_key or "")
    return {**data, "reviews": reviews_of(session, challenge, data["reviews"])}
