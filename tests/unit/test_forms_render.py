"""HTML rendering and the flat web input: what is rendered parses back into what was stored."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from forms.definition import FormDefinition, load_builtin
from forms.errors import FormDefinitionError, FormInvalid
from forms.render import render_form
from forms.schema import validate_submission
from forms.webinput import from_multidict
from tests.unit.form_of import L, form_of

SHA = "0f" * 32
XSS = '<script>alert("x")</script>'


class Controls(HTMLParser):
    """The form controls a browser would submit (outside <template>), plus every element by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.labels_for: list[str] = []
        self.in_template = 0
        self.current: dict[str, Any] | None = None  # select or textarea being read
        self.option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {"tag": tag, **{k: (v if v is not None else True) for k, v in attrs}}
        if "id" in a:
            self.by_id[a["id"]] = a
        if tag == "template":
            self.in_template += 1
        if tag == "label":
            self.labels_for.append(a["for"])
        if self.in_template:
            return
        if tag in ("input", "select", "textarea") and "name" in a:
            a["options"] = []
            a["text"] = ""
            self.controls.append(a)
            if tag != "input":
                self.current = a
        if tag == "option" and self.current is not None:
            self.option = {**a, "text": ""}
            self.current["options"].append(self.option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template -= 1
        if tag in ("select", "textarea"):
            self.current = None
        if tag == "option":
            self.option = None

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option["text"] += data
        elif self.current is not None and self.current["tag"] == "textarea":
            self.current["text"] += data


def parse(html: str) -> Controls:
    p = Controls()
    p.feed(html)
    return p


def submitted(html: str) -> MultiDict[str, str]:
    """What a browser would send for the rendered controls, untouched by the user."""
    out: MultiDict[str, str] = MultiDict()
    for c in parse(html).controls:
        if c["tag"] == "textarea":
            out.add(c["name"], c["text"])
        elif c["tag"] == "select":
            chosen = [o["value"] for o in c["options"] if o.get("selected")]
            if not chosen and not c.get("multiple"):
                chosen = [c["options"][0]["value"]]
            for v in chosen:
                out.add(c["name"], v)
        elif c.get("type") == "checkbox":
            if c.get("checked"):
                out.add(c["name"], c.get("value", "on"))
        elif c.get("type") != "file":
            out.add(c["name"], c.get("value", ""))
    return out


APP_DATA = {
    "plan": "第一阶段完成材料试验，第二阶段完成样机。\n第三阶段工程验证。",
    "technical_route": "定向凝固 + 数值模拟",
    "members": [
        {"name": "张三", "role": "leader", "title": "研究员"},
        {"name": "李四", "role": "core", "title": None},
    ],
    "milestones": [{"title": "样机", "due_date": "2027-01-01", "indicators": "合格率≥90%"}],
    "budget": "1,234,567.80",
    "attachments": [],
    "pledge": True,
}
FILE_META = {
    "name": "申报书.pdf",
    "size": 1000,
    "content_type": "application/pdf",
    "sha256": SHA,
    "storage_key": "uploads/42",
}


# -- round trips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", ["need_submit", "application_submit", "review_decision"])
def test_stored_data_renders_and_parses_back_unchanged(form_id: str) -> None:
    defn = load_builtin(form_id)
    data = {
        "need_submit": {
            "title": "高温合金叶片",
            "category": "achievement_transfer",
            "problem": "单晶叶片铸造合格率低，需要突破定向凝固工艺。",
            "indicators": "合格率≥90%",
            "deadline": "2026-09-30",
            "budget": "1.1",
            "ip_arrangement": "issuer",
            "pledge_unit": True,
            "pledge_leader": True,
        },
        "application_submit": APP_DATA,
        "review_decision": {"score": "87.5", "decision": "approve", "reason": "技术路线清晰，团队基础扎实。"},
    }[form_id]
    stored = validate_submission(defn, data)
    html = render_form(defn, values=stored, context={"title": "需求", "budget": 100})
    assert isinstance(html, Markup)
    again = validate_submission(defn, from_multidict(defn, submitted(html)))
    assert again == stored


def test_round_trip_keeps_files_from_the_web_layer() -> None:
    defn = load_builtin("application_submit")
    stored = validate_submission(defn, {**APP_DATA, "attachments": [FILE_META]})
    html = render_form(defn, values=stored)
    assert "申报书.pdf" in html  # already uploaded files are listed
    files = {"attachments": [FILE_META]}
    assert validate_submission(defn, from_multidict(defn, submitted(html), files)) == stored


def test_invalid_input_is_kept_and_errors_shown_beside_fields() -> None:
    defn = load_builtin("need_submit")
    form = MultiDict(
        [
            ("title", "高温合金叶片"),
            ("budget", "1.234"),
            ("deadline", "2026-09-30"),
            ("category", "tech_breakthrough"),
            ("csrf_token", "t0k3n"),
        ]
    )
    values = from_multidict(defn, form)
    with pytest.raises(FormInvalid) as caught:
        validate_submission(defn, values)
    html = render_form(defn, values=values, errors=caught.value)
    controls = parse(html)
    budget = controls.by_id["f-budget"]
    assert budget["value"] == "1.234"  # the user's input, not a reformatted value
    assert budget["aria-invalid"] == "true"
    assert budget["aria-describedby"] == "f-budget-help f-budget-error"
    assert controls.by_id["f-budget-error"]["class"] == "jb-error"
    assert "必须是不超过两位小数的金额" in html
    assert controls.by_id["f-title"]["value"] == "高温合金叶片"
    assert "aria-invalid" not in controls.by_id["f-title"]
    assert 'class="jb-error-summary" role="alert"' in html
    assert '<a href="#f-budget">拟投入资金（元）：必须是不超过两位小数的金额</a>' in html
    assert '<a href="#f-pledge_unit">' in html
    # re-submitting the re-rendered form gives the same values again
    assert from_multidict(defn, submitted(html))["budget"] == "1.234"


# -- from_multidict ----------------------------------------------------------------------------------------


def test_from_multidict_checkboxes_selects_and_rows() -> None:
    defn = form_of(
        {"name": "ok", "type": "checkbox", "label": L},
        {"name": "no", "type": "checkbox", "label": L},
        {
            "name": "tags",
            "type": "select",
            "multiple": True,
            "label": L,
            "options": [{"value": "a", "label": L}, {"value": "b", "label": L}],
        },
        {"name": "shown", "type": "readonly", "source": "shown", "label": L},
        {
            "name": "rows",
            "type": "group",
            "label": L,
            "fields": [
                {"name": "x", "type": "text", "label": L},
                {"name": "y", "type": "checkbox", "label": L},
            ],
        },
    )
    form = MultiDict(
        [
            ("ok", "on"),
            ("tags", "a"),
            ("tags", "b"),
            ("shown", "forged"),
            ("rows-5-x", "five"),
            ("rows-2-x", "two"),
            ("rows-2-y", "on"),
            ("rows-9-x", ""),
            ("rows-7-y", "off"),
            ("csrf_token", "t"),
        ]
    )
    values = from_multidict(defn, form)
    assert values == {
        "ok": True,
        "no": False,
        "tags": ["a", "b"],
        "rows": [{"x": "two", "y": True}, {"x": "five", "y": False}],
    }
    assert validate_submission(defn, values)["rows"][1] == {"x": "five", "y": False}


def test_from_multidict_passes_forged_keys_to_the_validator() -> None:
    defn = load_builtin("review_decision")
    form = MultiDict(
        [
            ("score", "90"),
            ("decision", "approve"),
            ("reason", "理由充分，同意立项。"),
            ("approved_by", "admin"),
            ("score", "100"),
        ]
    )
    values = from_multidict(defn, form)
    assert values["approved_by"] == "admin" and values["score"] == ["90", "100"]
    with pytest.raises(FormInvalid) as caught:
        validate_submission(defn, values)
    assert set(caught.value.errors) == {"approved_by", "score"}


def test_from_multidict_unknown_row_field_is_refused_with_its_path() -> None:
    defn = load_builtin("application_submit")
    values = from_multidict(
        defn, {"members-0-name": "张三", "members-0-role": "leader", "members-0-salary": "9"}
    )
    assert values["members"] == [{"name": "张三", "role": "leader", "title": None, "salary": "9"}]
    with pytest.raises(FormInvalid) as caught:
        validate_submission(defn, values)
    assert caught.value.errors["members.0.salary"] == ["未知字段：表单中没有此项"]


def test_file_values_only_come_from_files() -> None:
    defn = form_of(
        {"name": "doc", "type": "file", "label": L},
        {
            "name": "rows",
            "type": "group",
            "label": L,
            "fields": [{"name": "cv", "type": "file", "label": L}],
        },
    )
    values = from_multidict(defn, MultiDict([("doc", "C:\\fake.pdf")]), {"rows-0-cv": FILE_META})
    assert values["doc"] is None
    assert values["rows"] == [{"cv": FILE_META}]


# -- HTML details ------------------------------------------------------------------------------------------


def test_every_input_has_a_label_and_right_type() -> None:
    html = render_form(load_builtin("need_submit"))
    controls = parse(html)
    for c in controls.controls:
        assert c["id"] in controls.labels_for
    types = {c["name"]: c.get("type", c["tag"]) for c in controls.controls}
    assert types["deadline"] == "date" and types["budget"] == "text" and types["pledge_unit"] == "checkbox"
    assert types["problem"] == "textarea" and types["category"] == "select"
    budget = controls.by_id["f-budget"]
    assert budget["inputmode"] == "decimal" and budget["required"] is True
    assert controls.by_id["f-pledge_unit"]["required"] is True
    assert "required" not in controls.by_id["f-ip_note"]
    assert controls.by_id["f-title"]["maxlength"] == "100"
    assert "<form" not in html and "csrf" not in html


def test_number_datetime_and_money_display() -> None:
    defn = form_of(
        {"name": "n", "type": "number", "label": L, "min": 0, "max": 100, "decimals": 1},
        {"name": "i", "type": "number", "label": L, "integer": True},
        {"name": "at", "type": "datetime", "label": L},
        {"name": "m", "type": "money", "label": L},
    )
    stored = validate_submission(defn, {"n": "85.5", "i": 3, "at": "2026-06-10T19:30", "m": "1,000,000.00"})
    assert stored["at"] == "2026-06-10T11:30:00+00:00" and stored["m"] == 100000000
    c = parse(render_form(defn, values=stored)).by_id
    assert (c["f-n"]["type"], c["f-n"]["step"], c["f-n"]["min"], c["f-n"]["max"]) == (
        "number",
        "0.1",
        "0",
        "100",
    )
    assert c["f-n"]["value"] == "85.5" and c["f-i"]["step"] == "1"
    assert (
        c["f-at"]["type"] == "datetime-local" and c["f-at"]["value"] == "2026-06-10T19:30"
    )  # back in Shanghai time
    assert c["f-m"]["value"] == "1000000.00"  # fen shown as yuan with two decimals
    assert parse(render_form(defn, values={"m": 5})).by_id["f-m"]["value"] == "0.05"


def test_selects_checkboxes_and_readonly() -> None:
    defn = form_of(
        {
            "name": "s",
            "type": "select",
            "label": L,
            "options": [
                {"value": "a", "label": {"zh": "甲", "en": "A"}},
                {"value": "b", "label": {"zh": "乙", "en": "B"}},
            ],
        },
        {
            "name": "ms",
            "type": "select",
            "multiple": True,
            "label": L,
            "options": [{"value": "a", "label": L}, {"value": "b", "label": L}],
        },
        {"name": "c", "type": "checkbox", "label": L},
        {"name": "r", "type": "readonly", "source": "need.budget", "format": "money", "label": L},
    )
    html = render_form(
        defn,
        values={"s": "b", "ms": ["a", "b"], "c": True},
        context={"need": {"budget": 123456789}},
        lang="en",
    )
    assert (
        '<option value="">Choose…</option><option value="a">A</option><option value="b" selected>B</option>'
        in html
    )
    assert parse(html).by_id["f-ms"]["multiple"] is True
    assert html.count("selected") == 3
    assert parse(html).by_id["f-c"]["checked"] is True
    assert '<output id="f-r" class="jb-readonly jb-readonly-money">CNY 1,234,567.89</output>' in html
    assert 'name="r"' not in html  # readonly is never an input
    assert "1,234,567.89 元" in render_form(defn, context={"need": {"budget": 123456789}})
    # an empty line says it was not filled in, in the reader's language, greyed
    empty = '<output id="f-r" class="jb-readonly jb-readonly-money jb-empty muted">'
    assert f"{empty}未填写</output>" in render_form(defn)
    assert f"{empty}Not filled in</output>" in render_form(defn, lang="en")
    assert "—" not in render_form(defn)


def test_a_readonly_option_value_is_shown_by_its_label() -> None:
    """A cause chosen on another form (``objective``) reads as its label, in the user's language; a value that is
    not one of the options is shown as it is."""
    options = [{"value": "objective", "label": {"zh": "客观原因无法继续实施", "en": "Objective causes"}}]

    def form(opts: Any) -> dict[str, Any]:
        field = {"name": "c", "type": "readonly", "source": "t.cause", "label": L, "options": opts}
        return {"id": "t", "title": L, "fields": [field]}

    defn = FormDefinition.load(form(options))
    zh = render_form(defn, context={"t": {"cause": "objective"}})
    assert ">客观原因无法继续实施</output>" in zh and "objective<" not in zh
    assert ">Objective causes</output>" in render_form(defn, context={"t": {"cause": "objective"}}, lang="en")
    assert ">other</output>" in render_form(defn, context={"t": {"cause": "other"}})
    with pytest.raises(FormDefinitionError):
        FormDefinition.load(form([]))


def test_a_bounded_number_says_its_range_before_typing() -> None:
    """An expert reads that scores run from 0 to 100 before typing 9 meaning nine out of ten; an unbounded number
    says nothing."""
    bounded = {"name": "s", "type": "number", "integer": True, "min": 0, "max": 100, "label": L}
    free = {"name": "n", "type": "number", "label": L}
    defn = form_of(bounded, free)
    html = render_form(defn)
    c = parse(html)
    assert '<p class="jb-help jb-range" id="f-s-range">填写 0 至 100 之间的数。</p>' in html
    assert "f-s-range" in c.by_id["f-s"]["aria-describedby"] and "f-n-range" not in c.by_id
    assert "A number from 0 to 100." in render_form(defn, lang="en")
    # a field the policy bounds says the policy's rule only, not the form's outer bound beside it
    ruled = render_form(defn, hints={"s": ["24–36 个月。（依据：003 §12(7)）"]})
    assert "24–36 个月" in ruled and "填写 0 至 100" not in ruled


def test_a_readonly_account_is_shown_by_its_holders_name() -> None:
    """The expert a scoring task is assigned to (a user name) reads as the person's name, never the account."""
    field = {"name": "e", "type": "readonly", "source": "expert", "label": L, "format": "account"}
    defn = form_of(field)
    names = {"expert_karamay_07": "韩雪梅"}
    html = render_form(defn, context={"expert": "expert_karamay_07"}, account_name=lambda u: names.get(u, u))
    assert ">韩雪梅</output>" in html and "expert_karamay_07" not in html
    assert ">未填写</output>" in render_form(defn, context={}, account_name=lambda u: names.get(u, u))


def test_a_readonly_datetime_is_said_in_beijing_time_with_its_zone() -> None:
    """A stored instant (UTC) on a read-only form reads as the pages say an instant: Beijing time, named."""
    field = {"name": "o", "type": "readonly", "source": "opens", "label": L, "format": "datetime"}
    defn = form_of(field)
    stored = {"opens": "2026-04-25T02:00:00+00:00"}
    assert ">2026年4月25日 10:00（北京时间）</output>" in render_form(defn, context=stored)
    en = render_form(defn, context=stored, lang="en")
    assert ">2026-04-25 10:00 (Beijing time)</output>" in en and "北京" not in en


def test_a_readonly_citation_is_whole_in_chinese_and_its_bare_reference_in_english() -> None:
    """The rule a termination applies (the termination table's ``termination_source``): a Chinese clerk reads
    the table's explanation, an English one the reference only, no Chinese words."""
    field = {"name": "rule", "type": "readonly", "source": "src", "label": L, "format": "citation"}
    defn = form_of(field)
    source = {"src": "001 八(八)：收回结余资金及非科研用途资金"}
    zh = render_form(defn, context=source)
    assert ">001 八(八)：收回结余资金及非科研用途资金</output>" in zh
    en = render_form(defn, context=source, lang="en")
    assert '<output id="f-rule" class="jb-readonly jb-readonly-citation">001 八(八)</output>' in en
    assert "收回" not in en
    # a source naming its document inside prose yields the document; one naming none says nothing was given
    assert ">000</output>" in render_form(
        defn, context={"src": "2025年管理办法（征求意见稿，000）"}, lang="en"
    )
    assert ">Not filled in</output>" in render_form(defn, context={"src": "按规定办理"}, lang="en")


def test_group_rows_template_and_data_attributes() -> None:
    defn = load_builtin("application_submit")
    errors = {"members.1.name": ["此项为必填项"], "members": ["最多只能有 30 项"]}
    html = render_form(
        defn, values={"members": [{"name": "张三", "role": "leader"}, {"name": ""}]}, errors=errors
    )
    c = parse(html)
    group = c.by_id["f-members"]
    assert (group["data-jb-group"], group["data-jb-min-items"], group["data-jb-max-items"]) == (
        "members",
        "1",
        "30",
    )
    assert group["data-jb-next-index"] == "2"
    assert c.by_id["f-members-0-name"]["value"] == "张三"
    assert c.by_id["f-members-1-name"]["aria-invalid"] == "true"
    assert c.by_id["f-members-error"]["class"] == "jb-error"
    assert 'data-jb-add-row="members"' in html and 'data-jb-remove-row="members"' in html
    assert '<template data-jb-row-template="members">' in html
    assert 'name="members-__index__-name"' in html
    # the template row is not submitted; existing rows are
    names = [x["name"] for x in c.controls]
    assert "members-1-role" in names and not any("__index__" in n for n in names)
    # an empty group still shows min_items empty rows
    empty = parse(render_form(defn)).by_id
    assert "f-milestones-0-title" in empty and "f-milestones-1-title" not in empty


def test_file_input() -> None:
    c = parse(render_form(load_builtin("application_submit"))).by_id["f-attachments"]
    assert c["type"] == "file" and c["multiple"] is True
    assert c["accept"] == ".pdf,.doc,.docx,.zip,application/pdf"
    assert c["data-jb-max-size"] == "20971520"
    required = form_of({"name": "f", "type": "file", "label": L, "required": True})
    assert parse(render_form(required)).by_id["f-f"]["required"] is True
    assert "required" not in parse(render_form(required, values={"f": FILE_META})).by_id["f-f"]


def test_everything_is_escaped() -> None:
    defn = form_of(
        {
            "name": "t",
            "type": "text",
            "label": {"zh": XSS, "en": XSS},
            "help": {"zh": XSS, "en": XSS},
        },
        {"name": "m", "type": "text", "multiline": True, "label": L},
        {
            "name": "s",
            "type": "select",
            "label": L,
            "options": [{"value": '"><b>', "label": {"zh": XSS, "en": XSS}}],
        },
        {"name": "r", "type": "readonly", "source": "r", "label": L},
        {"name": "f", "type": "file", "label": L},
    )
    html = render_form(
        defn,
        values={"t": XSS, "m": "</textarea>" + XSS, "f": {**FILE_META, "name": XSS}},
        context={"r": XSS},
        errors={"t": [XSS], XSS: [XSS]},
    )
    assert "<script>" not in html
    assert html.count("</textarea>") == 1 and "&lt;/textarea&gt;" in html
    assert "&lt;script&gt;" in html
    assert 'value="&#34;&gt;&lt;b&gt;"' in html
    assert '"><b>' not in html


def test_english_and_chinese_labels() -> None:
    defn = load_builtin("review_decision")
    assert "评分（0–100）" in render_form(defn) and 'lang="zh-CN"' in render_form(defn)
    en = render_form(defn, lang="en")
    assert "Score (0–100)" in en and 'lang="en"' in en and "评分" not in en


def test_an_empty_notice_is_not_shown_a_problem_is() -> None:
    """A clerk opening the selection for the first time reads no "提示：未填写"; once the diagram sends the task
    back with a problem, the problem is shown under the same label."""
    field = {"name": "p", "type": "readonly", "source": "selection_problem", "label": L, "format": "notice"}
    defn = form_of(field)
    assert 'id="f-p"' not in render_form(defn) and "未填写" not in render_form(defn)
    assert 'id="f-p"' not in render_form(defn, context={"selection_problem": ""})
    shown = render_form(defn, context={"selection_problem": "合同金额超过核定的经费总额。"})
    assert (
        '<output id="f-p" class="jb-readonly jb-readonly-notice">合同金额超过核定的经费总额。</output>'
        in shown
    )
