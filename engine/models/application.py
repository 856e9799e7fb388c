"""The record of a 揭榜申请: what the solver (or, for an offline application, the bureau on its behalf)
submitted. One current row per challenge and solver; a resubmission replaces the content of the row.

The workflow data keeps only what the diagrams route and decide on (the solver codes, the eligibility facts,
the refusals); the bureau's, the experts' and the solver's pages read the submission from here. The row of
``project`` with code ``<challenge>/<solver>`` stays the application's status record for the limits (002 四)
and the solver's pages (its receipt, status and refusal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

#: How the application reached the case: submitted by the solver on the portal, or recorded by the bureau
#: (offline applications, 000 §12(3); the bureau's corrections in ``collect_applications``).
SOURCES = ("online", "bureau")


class Application(Base):
    """One solver's application to one challenge (business key ``challenge``), as last submitted."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("challenge", "solver", name="uq_application_challenge_solver"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the challenge's business key (the ``<challenge>`` of the project row ``<challenge>/<solver>``)
    challenge: Mapped[str] = mapped_column(String(64), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    solver: Mapped[str] = mapped_column(String(64))
    #: consortium partners and team members: codes, comma separated, as the form's pickers hold them
    partners: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    #: the plan's attachment: the upload's reference (JSON: name, sha256, size, type), never its content
    plan_file_json: Mapped[str | None] = mapped_column(Text)
    pledge: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="online")
    #: the account that submitted it (the solver's user, or the bureau's for an offline application)
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the receipt number of the project row (JB…), issued with the first online submission
    receipt: Mapped[str | None] = mapped_column(String(32))
