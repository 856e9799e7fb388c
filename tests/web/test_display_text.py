"""The stage and the punctuation a page shows, in the user's language: a stage of several ready tasks
(``engine.runtime.save`` joins their names with 、) reads in English name by name, and the punctuation the
templates put between texts is full-width in Chinese only."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, render_template_string

from web.i18n import stage_text

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
FULL_WIDTH = re.compile(r"[：；（）、，]")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def test_a_stage_of_two_tasks_reads_in_english_name_by_name(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert stage_text("填报需求、拟定公示") == "Post the need, Prepare the notice"
        assert stage_text("征集截止") == "The call closes"
    with app.test_request_context("/?lang=zh"):
        assert stage_text("填报需求、拟定公示") == "填报需求、拟定公示"


def test_a_label_and_its_value_are_parted_by_the_languages_colon(app: Flask) -> None:
    page = '{{ _("抽中") }}{{ punct.colon }}甲{{ punct.semi }}乙 {{ _("导入文件") }}{{ punct.open }}x{{ punct.close }}'
    with app.test_request_context("/?lang=en"):
        assert render_template_string(page).startswith("Drawn: 甲; 乙 ")
        assert render_template_string(page).endswith(" (x)")
    with app.test_request_context("/?lang=zh"):
        assert render_template_string(page) == "抽中：甲；乙 导入文件（x）"


def test_no_template_writes_full_width_punctuation_outside_its_chinese_texts() -> None:
    """Punctuation between texts comes from ``punct`` (or inside a translated text), so the English pages
    never show ``Drawn：``."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        # the template's own text, its tags blanked (line breaks kept, so a finding names its line)
        outside = JINJA.sub(lambda tag: "\n" * tag.group().count("\n"), text)
        for number, line in enumerate(outside.splitlines(), 1):
            if FULL_WIDTH.search(line):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
        for tag in JINJA.finditer(text):  # a bare full-width mark as a value: "、"
            if re.search(r'["\'][：；（）、，]["\']', tag.group()):
                found.append(f"{name}: {tag.group()[:120]}")
    assert not found, "\n".join(found)
