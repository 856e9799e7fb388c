"""The database a bench measures: a fresh schema on the given URL, the simulated clock set, diagrams deployed."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def fresh_database(url: str, at: str, diagrams: list[Path]) -> tuple[Engine, Session]:
    """Drop and create the schema at ``url``, set the simulated clock to ``at`` (ISO, with offset), deploy the
    diagrams under ``diagrams``; the engine and an open session on it."""
    import engine.models  # noqa: F401
    from engine.bundle import collect_paths
    from engine.clock import get_clock, parse_aware
    from engine.db import Base, get_engine, session_factory
    from engine.deploy import deploy_bundle

    os.environ["JIEBANG_SIMULATED_CLOCK"] = "1"
    eng = get_engine(url)
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    session = session_factory(url)()
    get_clock(session).set(parse_aware(at))
    session.commit()
    deploy_bundle(session, collect_paths(diagrams))
    return eng, session
