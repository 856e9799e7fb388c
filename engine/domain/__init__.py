"""Domain services of the 揭榜挂帅 lifecycle (organisations, eligibility facts, projects, money ledger).

Diagrams reach them through :func:`engine.helpers.script_engine_for`; every function returns plain JSON
data. Policy numbers are never here: they live in the DMN tables of each jurisdiction (bpmn/<jurisdiction>/);
these services only compute facts from the database and record what the diagram decided.
"""
