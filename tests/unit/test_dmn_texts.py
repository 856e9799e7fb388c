"""What process owners read in the DMN editor (Chinese UI) is Chinese: column headers, the explanation of each
rule's source (依据), rule annotations and table descriptions. What users read of a source is its bare
reference (``001 八(八)``), the same in both languages, so the English UI shows no Chinese prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.domain.problems import Note, citation
from engine.xmlsafe import parse_xml

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
DMN_FILES = sorted(p for p in BPMN.rglob("*") if p.name.endswith((".dmn", ".dmn.edition")))
NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}

#: Two English words in a row: prose, not a variable name (``working_days``) or a value (``'issuer'``).
ENGLISH_PROSE = re.compile(r"\b[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}\b")
#: A FEEL string literal inside an entry; the refusal dicts of the eligibility tables carry an ``'en'`` text
#: for the English UI on purpose, so only the literal strings outside such a dict are read.
LITERAL = re.compile(r"""^\s*(['"])(?P<text>.*)\1\s*$""", re.S)
#: Chinese characters other than the numerals of article references (八(八), 十二(三)).
CHINESE_PROSE = re.compile(r"[\u4e00-\u9fff]")
NUMERALS = "一二三四五六七八九十"


def _shown_texts(path: Path) -> list[tuple[str, str]]:
    """Every text of ``path`` the DMN editor shows as prose: (where, text)."""
    tree = parse_xml(path.read_bytes())
    out: list[tuple[str, str]] = []
    for el in tree.iter("{*}input", "{*}output"):
        out.append((f"label of {el.get('id')}", el.get("label") or ""))
    for el in tree.iter("{*}decision", "{*}definitions"):
        out.append((f"name of {el.get('id')}", el.get("name") or ""))
    for el in tree.iter("{*}description"):
        out.append(("description", el.text or ""))
    for entry in tree.iter("{*}outputEntry"):
        found = LITERAL.match(entry.findtext("{*}text") or "")
        if found:
            out.append((f"entry {entry.get('id')}", found.group("text")))
    return out


def _sources(path: Path) -> list[str]:
    """The source texts of ``path``: the 依据 column and the values of the ``*_source`` parameters."""
    texts = []
    for where, text in _shown_texts(path):
        if where.startswith("entry ") and (where.endswith("__source") or "_source__value" in where):
            texts.append(text)
    return texts


def test_every_table_is_read() -> None:
    assert len(DMN_FILES) >= 20
    assert sum(len(_sources(p)) for p in DMN_FILES) > 400


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: str(p.relative_to(BPMN)))
def test_no_english_prose_in_what_the_dmn_editor_shows(path: Path) -> None:
    english = [(where, text) for where, text in _shown_texts(path) if ENGLISH_PROSE.search(text)]
    assert english == []


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: str(p.relative_to(BPMN)))
def test_a_source_cites_its_document_and_the_english_ui_shows_only_the_reference(path: Path) -> None:
    for source in _sources(path):
        if source in ("", "见取值"):
            continue
        cited = citation(source)
        note = Note("f", "中文", "English", source)
        assert not CHINESE_PROSE.search(cited.translate(str.maketrans("", "", NUMERALS))), source
        assert note.text("en") == (f"English (source: {cited})" if cited else "English")
        if cited:  # the reference is kept exactly as the explanation names it
            assert cited.split("、")[0] in source


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("001 八(八)：未作规定，属政策参数", "001 八(八)"),
        ("000 §12(6)、§7(1)：技术攻关类拨付给发榜方", "000 §12(6)、§7(1)"),
        ("000 §12(6)–(7)：验收评价后拨付余款", "000 §12(6)–(7)"),
        ("001 五(一)5, 五(二)4", "001 五(一)5, 五(二)4"),
        ("2025年管理办法（征求意见稿，000）", "000"),
        ("GB 32100-2015", "GB 32100-2015"),
        ("政策文件未作规定，属政策参数", ""),
        (None, ""),
    ],
)
def test_citation_is_the_bare_reference(source: str | None, shown: str) -> None:
    assert citation(source) == shown
    note = Note("f", "中文", "English", source)
    assert note.text("zh") == (f"中文（依据：{shown}）" if shown else "中文")


def test_the_jurisdiction_header_is_chinese_only() -> None:
    labels = {
        el.get("label")
        for p in DMN_FILES
        for el in parse_xml(p.read_bytes()).iter("{*}input")
        if (el.findtext("{*}inputExpression/{*}text") or "").strip() == "jurisdiction"
    }
    assert labels == {"辖区"}
