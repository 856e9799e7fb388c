"""An expert's score sheet (专家评分表) of one challenge's review: the expert's overall opinion and, for each
candidate, the score and the comment (000 §12(4): each panel member scores every candidate on their own).

One current sheet per challenge and expert; a new submission by the same expert replaces it (its lines too).
The workflow data keeps only which experts handed in a sheet and the panel's ranking (what the select step
routes and decides on); the pages and the API read the sheets from here, through the access policy (an expert
reads only his own sheet, a solver never reads any)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow


class ReviewSheet(Base):
    """One expert's score sheet for the candidates of one challenge (business key ``challenge``)."""

    __tablename__ = "review_sheet"
    __table_args__ = (UniqueConstraint("challenge", "expert", name="uq_review_sheet_challenge_expert"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the challenge's business key (as the ``application`` table names it)
    challenge: Mapped[str] = mapped_column(String(64), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    #: the expert's user name (the panel's ``name``, bpmn/shared/expert_review.bpmn)
    expert: Mapped[str] = mapped_column(String(64))
    opinion: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="sheet",
        cascade="all, delete-orphan",
        order_by="ReviewScore.position",
        lazy="selectin",
    )


class ReviewScore(Base):
    """One line of a sheet: the expert's score of one candidate (in tenths: the form takes one decimal)."""

    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("sheet_id", "solver", name="uq_review_score_sheet_solver"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("review_sheet.id", ondelete="CASCADE"), index=True)
    #: the line's place on the sheet (the order the expert's form listed the candidates in)
    position: Mapped[int] = mapped_column(Integer, default=0)
    solver: Mapped[str] = mapped_column(String(64))
    score_tenths: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    sheet: Mapped[ReviewSheet] = relationship(back_populates="scores")
