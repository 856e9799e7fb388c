"""The expert pool (专家库) and the record of each panel draw (抽取记录).

An ``Expert`` is a person of the directory (``Person``: name and organisation) with an account (the user name
that scoring tasks are assigned to), fields of expertise, a title (职称), the jurisdiction whose pool holds
them and whether they are available. A ``PanelDraw`` keeps everything needed to repeat a draw: the eligible
experts, the exclusions with their reasons (回避), the seed and the size; ``PanelReplacement`` keeps each
replacement of a declined expert with its reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow


class Expert(Base):
    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_code: Mapped[str] = mapped_column(String(64), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(64), default="")
    fields_json: Mapped[str] = mapped_column(Text, default="[]")  # fields of expertise, Chinese names
    available: Mapped[bool] = mapped_column(default=True)
    unavailable_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PanelDraw(Base):
    """One random draw for a panel task. ``status``: ``drawn`` (the current draw of the task), ``superseded``
    (drawn again), ``confirmed`` (the panel went into the process)."""

    __tablename__ = "panel_draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    need: Mapped[str] = mapped_column(String(64), index=True)  # the challenge's business key
    jurisdiction: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(Integer)
    field_filter: Mapped[str] = mapped_column(String(64), default="")
    eligible_json: Mapped[str] = mapped_column(Text)  # person codes, in the order the draw used
    excluded_json: Mapped[str] = mapped_column(Text)  # [{"expert": code, "reasons": [...]}]
    result_json: Mapped[str] = mapped_column(Text)  # person codes drawn, in draw order
    members_json: Mapped[str] = mapped_column(Text)  # the panel after replacements
    chair: Mapped[str] = mapped_column(String(64), default="")  # person code of the chair, if one is named
    status: Mapped[str] = mapped_column(String(16), default="drawn")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PanelReplacement(Base):
    __tablename__ = "panel_replacement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draw.id"), index=True)
    removed: Mapped[str] = mapped_column(String(64))
    added: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # draw or chosen
    seed: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
