"""Urumqi's lifecycle is a short diagram of stages and each stage fits one screen (issue 10, part 2):
at most 30 flow nodes per diagram, no edge crossing, no edge through a shape, no label crossed by a line."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
URUMQI = ROOT / "bpmn" / "urumqi"
DIAGRAMS = [URUMQI / "urumqi_challenge.bpmn", *sorted((URUMQI / "stages").glob("*.bpmn"))]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_the_lifecycle_is_drawn_as_stages() -> None:
    root = etree.parse(str(URUMQI / "urumqi_challenge.bpmn")).getroot()
    called = {c.get("calledElement") for c in root.iter(f"{BPMN}callActivity")}
    assert {"urumqi_needs", "urumqi_applications", "urumqi_selection", "urumqi_approval"} <= called
    assert {"urumqi_contract", "urumqi_race", "urumqi_implementation"} <= called
    assert len(DIAGRAMS) >= 8


def test_no_copied_implementation_loop() -> None:
    """Waiting during implementation uses boundary events on 实施中, not a copy of the waiting gateway."""
    ids = {
        el.get("id") for path in DIAGRAMS for el in etree.parse(str(path)).getroot().iter() if el.get("id")
    }
    names = {
        el.get("name")
        for path in DIAGRAMS
        for el in etree.parse(str(path)).getroot().iter()
        if el.get("name")
    }
    assert not [i for i in ids if i.endswith("_after_reminder")] and "implementing_reminded" not in ids
    assert "实施中（已提醒）" not in names
    impl = etree.parse(str(URUMQI / "stages" / "urumqi_implementation.bpmn")).getroot()
    attached = {b.get("id"): b.get("attachedToRef") for b in impl.iter(f"{BPMN}boundaryEvent")}
    assert attached == {
        "reminder": "urumqi_implementing",
        "extension_request": "urumqi_implementing",
        "change_request": "urumqi_implementing",
        "termination_request": "urumqi_implementing",
    }
