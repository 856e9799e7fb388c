"""Domain rows of the 揭榜挂帅 lifecycle: organisations, affiliations, credit records, people, projects and the
money ledger (integer fen). Written by diagrams through the helpers of ``engine.domain`` inside the same
transaction as the instance change (ARCHITECTURE.md decision 3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

#: ``Organisation.kind`` of a government office (the bureau, a county's office): its staff are the people the
#: bureau sends (``bureau_staff`` pickers); it is never a party (issuer, solver, partner) to a case.
GOVERNMENT = "government"


class Organisation(Base):
    """An issuer, solver or recommender unit, identified by a code (e.g. the unified social credit code)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    jurisdiction: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="enterprise")  # enterprise, university, institute…
    #: 统一社会信用代码 (GB 32100-2015, checked with stdnum.cn.uscc): the legal person's identity. Units
    #: registered in the browser use it as their code too; demo units keep a short code beside it.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True, index=True)
    #: GB/T 2260 code (6 digits) of the registered address: where the unit is a local legal person
    #: (000 §9–10, 001 五(一)1, 002 二, 003 §8, 004 二); compared with the policy's ``local_regions``.
    region: Mapped[str | None] = mapped_column(String(6))


class Affiliation(Base):
    """A link between two organisations (or a person and an organisation) that rules out issuer–solver pairs:
    subordination, equity, promoter, investor, shareholder, director, executive, creditor, subsidiary,
    relative (002 二(三)5, 003 §10, 001 五(二))."""

    __tablename__ = "affiliation"
    __table_args__ = (UniqueConstraint("party_a", "party_b", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_a: Mapped[str] = mapped_column(String(64), index=True)
    party_b: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class CreditRecord(Base):
    """A credit event of an organisation or a person: serious_dishonesty, illegal, safety_accident,
    quality_accident, joint_punishment, misconduct (with a penalty period)."""

    __tablename__ = "credit_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # organisation or person code
    kind: Mapped[str] = mapped_column(String(32))
    recorded_on: Mapped[date] = mapped_column(Date)
    penalty_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    organisation: Mapped[str | None] = mapped_column(String(64), index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)  # looked up on every task page


#: The statuses of a funded project (an application's rows, ``applying`` and ``selected``, are not projects):
#: the ones ``project_set_status`` accepts and the annual summary counts.
#: An application to a challenge (a row with code "<challenge>/<solver>") is ``applying`` from its submission,
#: ``selected`` once its solver's project opens, or ``removed`` when the bureau left it off the list it
#: collected (it then counts against nobody's limits, 002 四(二)).
APPLYING, SELECTED, REMOVED = "applying", "selected", "removed"
PROJECT_STATUSES = ("ongoing", "paying", "accepted", "closed", "failed", "terminated", "revoked")


class Project(Base):
    """A funded (or historic) project; counts for application limits (002 四)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(255))
    scheme: Mapped[str] = mapped_column(String(32), default="jiebang")  # jiebang or other city programmes
    level: Mapped[str] = mapped_column(String(16), default="city")
    issuer: Mapped[str | None] = mapped_column(String(64), index=True)
    solver: Mapped[str | None] = mapped_column(String(64), index=True)
    members_json: Mapped[str] = mapped_column(Text, default="[]")  # person codes, leader first
    #: one of ``PROJECT_STATUSES``; an application to a challenge (code "<challenge>/<solver>"): ``APPLYING``,
    #: ``SELECTED`` or ``REMOVED``
    status: Mapped[str] = mapped_column(String(16), default="ongoing")
    period_end: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: an application refused by the eligibility check: its reasons [{zh, en, source}] (JSON), shown to the solver
    refusal_json: Mapped[str | None] = mapped_column(Text)
    #: an application submitted on the portal: the receipt number its applicant looks it up by (JB…)
    receipt: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)


class LedgerEntry(Base):
    """One movement of money in fen: ``disbursement`` (fiscal money paid), ``recovery`` (fiscal money taken
    back), ``issuer_payment`` (the issuer paid the solver). Never updated, never deleted."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(64), index=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(64))  # who receives (disbursement) or returns (recovery)
    #: who pays: ``bureau`` (fiscal money), the issuer (issuer_payment), the returning party (recovery)
    payer: Mapped[str | None] = mapped_column(String(64))
    #: the solver (team) the money is for — the issuer receives fiscal money on a solver's behalf in Dazu
    solver: Mapped[str | None] = mapped_column(String(64))
    #: the condition the payment was made against, in words (e.g. the issuer's 40% was paid first)
    condition: Mapped[str | None] = mapped_column(Text)
    #: JSON of the uploaded proof (name, sha256) the issuer attached to its payment
    evidence: Mapped[str | None] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    tranche: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
