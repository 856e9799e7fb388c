"""Every display name in bpmn/ is Chinese only and has its English in the one i18n catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from engine.diagram_names import LATIN, display_names, lane_display, shown_diagram

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "bpmn").rglob("*.bpmn"))
CJK = re.compile(r"[\u3400-\u9fff]")


def _catalogue() -> dict[str, str]:
    with (ROOT / "web/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


def test_there_are_diagrams_with_names() -> None:
    assert len(DIAGRAMS) >= 10
    assert sum(1 for d in DIAGRAMS for _ in display_names(d.read_bytes())) > 300


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: str(p.relative_to(ROOT)))
def test_names_are_chinese_only_with_english_in_the_catalogue(diagram: Path) -> None:
    english = _catalogue()
    problems = []
    for line, kind, element_id, name in display_names(diagram.read_bytes()):
        if LATIN.search(name) or not CJK.search(name):
            problems.append(f"line {line} {kind} {element_id}: {name!r} is not Chinese only")
        elif not english.get(name):
            problems.append(f"line {line} {kind} {element_id}: {name!r} has no English in messages.po")
        elif CJK.search(english[name]):
            problems.append(f"line {line} {kind} {element_id}: the English of {name!r} is not English")
    assert not problems, "\n".join(problems)


def test_a_lane_shows_its_chinese_name_without_the_role_code() -> None:
    assert lane_display("科技局 (bureau)") == "科技局"
    assert lane_display("区政府（approver）") == "区政府"
    assert lane_display("bureau") == "bureau"


def test_identifiers_are_not_display_names() -> None:
    xml = (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:message id="m" name="application"/>'
        b'<bpmn:process id="p" name="\xe6\xb5\x81\xe7\xa8\x8b Process"><bpmn:userTask id="t" name="\xe5\xae\xa1\xe6\xa0\xb8"/>'
        b"</bpmn:process></bpmn:definitions>"
    )
    found = [(kind, name) for _, kind, _, name in display_names(xml)]
    assert found == [
        ("process", "流程 Process"),
        ("userTask", "审核"),
    ]  # the bilingual one is what the test refuses


def test_notifications_take_the_english_name_from_the_catalogue() -> None:
    from engine.diagram_names import english_name

    assert english_name("专家评分") == "Score the candidates"
    assert english_name("没有这个名称") == "没有这个名称"


def test_a_viewer_draws_lanes_by_name_and_in_english_the_english_names() -> None:
    """The monitor's and the version history's diagrams (shown_diagram): lanes without their role codes, every
    display name in the reader's language; ids, identifiers and the layout as deployed."""
    diagram = ROOT / "bpmn/shared/acceptance.bpmn"
    raw = diagram.read_bytes()
    assert b'name="\xe5\x8f\x91\xe6\xa6\x9c\xe6\x96\xb9 (issuer)"' in raw  # 发榜方 (issuer)
    zh, en = shown_diagram(raw, "zh"), shown_diagram(raw, "en")
    english = _catalogue()
    shown_zh = {(kind, element_id): name for _, kind, element_id, name in display_names(zh)}
    shown_en = {(kind, element_id): name for _, kind, element_id, name in display_names(en)}
    for _, kind, element_id, name in display_names(raw):
        assert shown_zh[(kind, element_id)] == name  # a lane's name as display_names gives it
        assert shown_en[(kind, element_id)] == english[name]
    lanes = re.findall(rb'<bpmn:lane id="[^"]+" name="([^"]+)"', zh)
    assert lanes and not any(re.search(rb"\([a-z_]+\)", lane) for lane in lanes)
    assert "发榜方".encode() in lanes and b"Issuer" in re.findall(
        rb'<bpmn:lane id="[^"]+" name="([^"]+)"', en
    )
    # everything but the names is as deployed: the same elements, ids, references and shapes
    strip = re.compile(rb' name="[^"]*"')
    assert strip.sub(b"", zh).count(b"<") == strip.sub(b"", raw).count(b"<")
    assert re.findall(rb'id="([^"]+)"', zh) == re.findall(rb'id="([^"]+)"', raw)
    assert re.findall(rb"<dc:Bounds[^>]*>", en) == re.findall(rb"<dc:Bounds[^>]*>", raw)
