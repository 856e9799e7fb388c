"""Server-side validation: every field type, in Chinese and English, and the cleaned JSON it produces."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import Schema

from forms.definition import FormDefinition, load_builtin
from forms.errors import FormInvalid
from forms.schema import build_schema, validate_submission

L = {"zh": "标签", "en": "Label"}
SHA = "ab" * 32


def one(field: dict[str, Any]) -> FormDefinition:
    return FormDefinition.load({"id": "t", "title": L, "fields": [{"name": "v", "label": L, **field}]})


def ok(field: dict[str, Any], value: Any) -> Any:
    return validate_submission(one(field), {"v": value})["v"]


def bad(field: dict[str, Any], value: Any, *, lang: str = "zh", path: str = "v") -> list[str]:
    with pytest.raises(FormInvalid) as caught:
        validate_submission(one(field), {"v": value}, lang=lang)
    assert path in caught.value.errors, caught.value.errors
    return caught.value.errors[path]


def refused(defn: FormDefinition, data: Any, lang: str = "zh") -> FormInvalid:
    with pytest.raises(FormInvalid) as caught:
        validate_submission(defn, data, lang=lang)
    return caught.value


# -- money -------------------------------------------------------------------------------------------------

MONEY = {"type": "money"}


@pytest.mark.parametrize(
    ("given", "fen"),
    [
        ("0.1", 10),
        ("0.01", 1),
        ("1234.56", 123456),
        ("1,234.56", 123456),
        ("1234.5", 123450),
        ("1,000,000.00", 100000000),
        (" 12 ", 1200),
        ("0", 0),
        ("+3", 300),
        (12, 1200),
        (12.5, 1250),
        (0.1, 10),
        (19.99, 1999),
        (Decimal("7.10"), 710),
        ("9999999999999.99", 999999999999999),
    ],
)
def test_money_is_exact_integer_fen(given: Any, fen: int) -> None:
    value = ok(MONEY, given)
    assert value == fen and type(value) is int


@pytest.mark.parametrize(
    "given",
    [
        "1.234",
        "1,23.00",
        "1,2345",
        "12,34",
        "1.",
        ".5",
        "1e3",
        "abc",
        "",
        "¥12",
        "１２",
        "12 34",
        "--1",
        "0x10",
        0.1 + 0.2,
        float("nan"),
        float("inf"),
        True,
        [1],
        {"yuan": 1},
    ],
)
def test_money_refuses_anything_but_yuan_with_two_decimals(given: Any) -> None:
    if given == "":
        assert bad({**MONEY, "required": True}, given) == ["此项为必填项"]
        return
    assert bad(MONEY, given) == ["必须是不超过两位小数的金额"]
    assert bad(MONEY, given, lang="en") == ["Must be an amount in yuan with at most two decimal places"]


def test_money_bounds_are_in_fen() -> None:
    assert bad({**MONEY, "min": 0}, "-5") == ["不能少于 0.00 元"]
    assert bad(MONEY, "-0.01") == ["不能少于 0.00 元"]  # money min defaults to 0
    assert ok({**MONEY, "min": -500}, "-5") == -500
    assert bad({**MONEY, "max": 100000}, "1000.01", lang="en") == ["Must be at most 1,000.00 yuan"]
    assert ok({**MONEY, "max": 100000}, "1,000.00") == 100000
    assert bad({**MONEY, "min": 100}, "0.99") == ["不能少于 1.00 元"]


def test_huge_amounts_are_refused_not_overflowed() -> None:
    assert bad(MONEY, "10000000000000.01") == ["金额过大"]
    assert bad(MONEY, 10**30, lang="en") == ["The amount is too large"]
    assert bad(MONEY, 1e300) == ["必须是不超过两位小数的金额"]
    assert bad(MONEY, "9" * 100) == ["必须是不超过两位小数的金额"]


def test_no_float_ever_reaches_the_cleaned_money() -> None:
    data = validate_submission(one(MONEY), {"v": 0.1})
    assert json.dumps(data) == '{"v": 10}'


# -- text --------------------------------------------------------------------------------------------------


def test_text() -> None:
    assert ok({"type": "text"}, "  高温合金  ") == "高温合金"
    assert ok({"type": "text", "multiline": True}, "第一行\r\n第二行\n") == "第一行\n第二行"
    assert ok({"type": "text"}, None) is None
    assert bad({"type": "text"}, 12) == ["必须是文本"]
    assert bad({"type": "text"}, "a\nb", lang="en") == ["Must be a single line"]
    assert bad({"type": "text"}, "a\x00b") == ["包含不允许的控制字符"]
    assert bad({"type": "text", "required": True}, "   ", lang="en") == ["This field is required"]
    assert bad({"type": "text", "min_length": 4}, "abc") == ["至少需要 4 个字符"]
    assert bad({"type": "text", "max_length": 3}, "abcd", lang="en") == ["Must be at most 3 characters"]
    assert ok({"type": "text", "max_length": 3}, "高温合") == "高温合"  # characters, not bytes


def test_text_pattern_with_and_without_message() -> None:
    code = {"type": "text", "pattern": r"[0-9A-Z]{18}"}
    assert ok(code, "91110000MA01ABCD2X") == "91110000MA01ABCD2X"
    assert bad(code, "9111") == ["格式不正确"]
    custom = {
        **code,
        "pattern_message": {"zh": "必须是 18 位统一社会信用代码", "en": "Must be an 18-character code"},
    }
    assert bad(custom, "9111") == ["必须是 18 位统一社会信用代码"]
    assert bad(custom, "9111", lang="en") == ["Must be an 18-character code"]


# -- number ------------------------------------------------------------------------------------------------


def test_number() -> None:
    score = {"type": "number", "min": 0, "max": 100}
    assert ok(score, "85.5") == 85.5
    assert ok(score, 100) == 100.0
    assert ok({"type": "number", "integer": True}, "42") == 42
    assert type(ok({"type": "number", "integer": True}, 42.0)) is int
    assert bad(score, "abc") == ["必须是数字"]
    assert bad(score, "1e2", lang="en") == ["Must be a number"]
    assert bad(score, True) == ["必须是数字"]
    assert bad(score, "-1") == ["不能小于 0"]
    assert bad(score, 100.5, lang="en") == ["Must be at most 100"]
    assert bad({"type": "number", "integer": True}, "1.5") == ["必须是整数"]
    assert bad({"type": "number", "decimals": 1}, "85.25", lang="en") == ["At most 1 decimal places"]
    assert bad({"type": "number"}, 10**16) == ["数值超出范围"]
    assert bad({"type": "number"}, float("nan")) == ["必须是数字"]


# -- date and datetime -------------------------------------------------------------------------------------


def test_date() -> None:
    assert ok({"type": "date"}, "2026-06-10") == "2026-06-10"
    assert bad({"type": "date"}, "2026-02-30") == ["必须是日期，格式为 YYYY-MM-DD"]
    assert bad({"type": "date"}, "20260610", lang="en") == ["Must be a date in the form YYYY-MM-DD"]
    assert bad({"type": "date"}, "2026-06-10T10:00") == ["必须是日期，格式为 YYYY-MM-DD"]
    assert bad({"type": "date", "min": "2026-01-01"}, "2025-12-31") == ["不能早于 2026-01-01"]
    assert bad({"type": "date", "max": "2026-01-01"}, "2026-01-02", lang="en") == [
        "Must not be after 2026-01-01"
    ]


@pytest.mark.parametrize(
    ("given", "utc"),
    [
        ("2026-06-10T19:30", "2026-06-10T11:30:00+00:00"),  # naive = Asia/Shanghai
        ("2026-06-10 19:30:15", "2026-06-10T11:30:15+00:00"),
        ("2026-06-10T19:30+08:00", "2026-06-10T11:30:00+00:00"),
        ("2026-06-10T11:30:00Z", "2026-06-10T11:30:00+00:00"),
        ("2026-06-10T03:30-08:00", "2026-06-10T11:30:00+00:00"),
        ("2026-01-01T05:00", "2025-12-31T21:00:00+00:00"),
    ],
)
def test_datetime_is_stored_in_utc(given: str, utc: str) -> None:
    assert ok({"type": "datetime"}, given) == utc


@pytest.mark.parametrize(
    "given", ["2026-06-10", "19:30", "2026-06-10T25:00", "2026-13-01T10:00", "tomorrow", 5]
)
def test_datetime_refused(given: Any) -> None:
    assert bad({"type": "datetime"}, given) == ["必须是日期时间，格式如 2026-06-10T19:30"]
    assert bad({"type": "datetime"}, given, lang="en") == ["Must be a date and time like 2026-06-10T19:30"]


# -- select and checkbox -----------------------------------------------------------------------------------

SELECT = {
    "type": "select",
    "options": [{"value": "tech_breakthrough", "label": L}, {"value": "achievement_transfer", "label": L}],
}


def test_select() -> None:
    assert ok(SELECT, "tech_breakthrough") == "tech_breakthrough"
    assert ok(SELECT, "") is None
    assert bad(SELECT, "other") == ["不是有效的选项"]
    assert bad(SELECT, ["tech_breakthrough"], lang="en") == ["Not a valid choice"]
    assert bad({**SELECT, "required": True}, None) == ["此项为必填项"]


def test_multiple_select() -> None:
    multi = {**SELECT, "multiple": True}
    assert ok(multi, ["achievement_transfer", "tech_breakthrough"]) == [
        "achievement_transfer",
        "tech_breakthrough",
    ]
    assert ok(multi, None) == []
    assert bad(multi, "tech_breakthrough") == ["必须是列表"]
    assert bad(multi, ["x"], lang="en") == ["Not a valid choice"]
    assert bad(multi, ["tech_breakthrough", "tech_breakthrough"]) == ["选项 tech_breakthrough 重复"]
    assert bad({**multi, "required": True}, []) == ["此项为必填项"]
    assert bad({**multi, "max_items": 1}, ["tech_breakthrough", "achievement_transfer"]) == [
        "最多只能有 1 项"
    ]


def test_checkbox_and_required_pledge() -> None:
    assert ok({"type": "checkbox"}, True) is True
    assert ok({"type": "checkbox"}, None) is False
    pledge = {"type": "checkbox", "required": True}
    assert ok(pledge, True) is True
    assert bad(pledge, False) == ["必须勾选此项"]
    assert bad(pledge, None, lang="en") == ["This box must be ticked"]
    assert bad(pledge, "on") == ["必须是 true 或 false"]
    assert bad(pledge, 1, lang="en") == ["Must be true or false"]


def test_need_form_pledges_are_both_required() -> None:
    exc = refused(load_builtin("need_submit"), {})
    assert exc.errors["pledge_unit"] == ["必须勾选此项"]
    assert exc.errors["pledge_leader"] == ["必须勾选此项"]


# -- file --------------------------------------------------------------------------------------------------

FILE = {"type": "file", "max_size": 1000, "accept": [".pdf", "image/*"]}


def meta(**kw: Any) -> dict[str, Any]:
    return {
        "name": "方案.pdf",
        "size": 500,
        "content_type": "application/pdf",
        "sha256": SHA,
        "storage_key": "uploads/1",
        **kw,
    }


def test_file_metadata() -> None:
    assert ok(FILE, meta(sha256=SHA.upper())) == meta()
    assert ok(FILE, meta(name="photo.jpeg", content_type="image/jpeg"))["name"] == "photo.jpeg"
    assert ok(FILE, meta(name="SCAN.PDF", content_type="Application/PDF; charset=binary"))[
        "content_type"
    ] == ("application/pdf")
    assert ok(FILE, None) is None
    assert bad({**FILE, "required": True}, None) == ["此项为必填项"]
    assert bad(FILE, meta(size=1001)) == ["文件过大，不能超过 1000 B"]
    assert bad({**FILE, "max_size": 20 * 1024 * 1024}, meta(size=30 * 1024 * 1024), lang="en") == [
        "The file is too large; the limit is 20 MB"
    ]
    assert bad(FILE, meta(name="run.exe", content_type="application/x-msdownload")) == [
        "不接受此文件类型，允许：.pdf, image/*"
    ]


@pytest.mark.parametrize(
    "value",
    [
        meta(size=-1),
        meta(size="5"),
        meta(size=True),
        meta(sha256="xyz"),
        meta(name=""),
        meta(name="../etc/passwd"),
        meta(storage_key=""),
        meta(content_type="pdf"),
        meta(extra="x"),
        {"name": "a.pdf"},
        "a.pdf",
        [meta()],
    ],
)
def test_file_metadata_refused(value: Any) -> None:
    assert bad(FILE, value) == ["文件信息无效"]
    assert bad(FILE, value, lang="en") == ["Invalid file information"]


def test_multiple_files_report_per_file() -> None:
    many = {**FILE, "multiple": True, "max_items": 2}
    assert ok(many, [meta(), meta(storage_key="uploads/2")])[1]["storage_key"] == "uploads/2"
    assert ok(many, None) == []
    with pytest.raises(FormInvalid) as caught:
        validate_submission(one(many), {"v": [meta(), meta(size=5000)]})
    assert caught.value.errors == {"v.1": ["文件过大，不能超过 1000 B"]}
    assert bad(many, [meta(), meta(), meta()]) == ["最多只能有 2 项"]


# -- groups ------------------------------------------------------------------------------------------------


def test_group_rows_errors_have_nested_paths() -> None:
    app = load_builtin("application_submit")
    exc = refused(
        app, {"members": [{"name": "张三", "role": "leader"}, {"name": "", "role": "boss", "x": 1}, "李四"]}
    )
    assert exc.errors["members.1.name"] == ["此项为必填项"]
    assert exc.errors["members.1.role"] == ["不是有效的选项"]
    assert exc.errors["members.1.x"] == ["未知字段：表单中没有此项"]
    assert exc.errors["members.2"] == ["每一项必须是 JSON 对象"]
    assert "members.0.name" not in exc.errors
    assert exc.errors_by_lang["en"]["members.1.name"] == ["This field is required"]
    # errors follow the order of the form's fields, rows by index
    keys = list(exc.errors)
    assert (
        keys.index("plan")
        < keys.index("members.1.name")
        < keys.index("members.1.role")
        < keys.index("members.2")
        < keys.index("milestones")
        < keys.index("budget")
    )


def test_group_min_and_max_items() -> None:
    app = load_builtin("application_submit")
    assert refused(app, {"members": []}).errors["members"] == ["至少需要 1 项"]
    assert refused(app, {}, lang="en").errors["members"] == ["Needs at least 1 entries"]
    too_many = [{"name": f"成员{i}", "role": "member"} for i in range(31)]
    assert refused(app, {"members": too_many}).errors["members"] == ["最多只能有 30 项"]
    assert refused(app, {"members": "张三"}).errors["members"] == ["必须是列表"]


def test_group_count_and_row_errors_together() -> None:
    defn = one(
        {
            "type": "group",
            "min_items": 3,
            "fields": [{"name": "x", "type": "text", "label": L, "required": True}],
        }
    )
    exc = refused(defn, {"v": [{"x": "a"}, {"x": ""}]})
    assert exc.errors == {"v": ["至少需要 3 项"], "v.1.x": ["此项为必填项"]}


# -- the form as a whole -----------------------------------------------------------------------------------

NEED_OK = {
    "title": "高温合金叶片精密铸造",
    "category": "tech_breakthrough",
    "problem": "单晶叶片铸造合格率低，需要突破定向凝固工艺控制技术。" * 2,
    "indicators": "合格率≥90%\n寿命≥1000小时",
    "deadline": "2026-09-30",
    "budget": "5,000,000.00",
    "ip_arrangement": "shared",
    "pledge_unit": True,
    "pledge_leader": True,
}


def test_whole_form_cleaned_and_json_serialisable() -> None:
    cleaned = validate_submission(load_builtin("need_submit"), NEED_OK)
    assert cleaned["budget"] == 500000000
    assert cleaned["deadline"] == "2026-09-30"
    assert cleaned["ip_note"] is None and cleaned["solver_conditions"] is None  # every field present
    assert list(cleaned) == [f.name for f in load_builtin("need_submit").fields]
    assert json.loads(json.dumps(cleaned)) == cleaned


def test_unknown_fields_are_refused() -> None:
    exc = refused(load_builtin("need_submit"), {**NEED_OK, "approved": True, "budget_fen": 1})
    assert exc.errors == {
        "approved": ["未知字段：表单中没有此项"],
        "budget_fen": ["未知字段：表单中没有此项"],
    }
    assert exc.errors_by_lang["en"]["approved"] == ["Unknown field: the form has no such field"]


def test_readonly_values_are_ignored() -> None:
    app = load_builtin("application_submit")
    data = {
        "need_title": "伪造的标题",
        "need_budget": 1,
        "plan": "按三个阶段实施，先完成材料试验再做工程样机验证。",
        "technical_route": "定向凝固",
        "members": [{"name": "张三", "role": "leader"}],
        "milestones": [{"title": "样机", "due_date": "2027-01-01", "indicators": "完成样机"}],
        "budget": 100000,
        "pledge": True,
    }
    cleaned = validate_submission(app, data)
    assert "need_title" not in cleaned and "need_budget" not in cleaned
    assert cleaned["members"] == [{"name": "张三", "role": "leader", "title": None}]
    assert cleaned["budget"] == 10000000 and cleaned["attachments"] == []


def test_errors_in_both_languages_and_the_exception_text() -> None:
    exc = refused(load_builtin("review_decision"), {"score": "101", "decision": "maybe"}, lang="en")
    assert exc.lang == "en"
    assert (
        exc.errors
        == exc.errors_by_lang["en"]
        == {
            "score": ["Must be at most 100"],
            "decision": ["Not a valid choice"],
            "reason": ["This field is required"],
        }
    )
    assert exc.errors_by_lang["zh"] == {
        "score": ["不能大于 100"],
        "decision": ["不是有效的选项"],
        "reason": ["此项为必填项"],
    }
    assert exc.errors_in("zh-CN") == exc.errors_by_lang["zh"]
    assert "score: Must be at most 100" in str(exc)
    assert "不能大于 100" in exc.message("zh")


@pytest.mark.parametrize("data", [[], "x", None, 5])
def test_submission_must_be_an_object(data: Any) -> None:
    exc = refused(load_builtin("review_decision"), data)
    assert exc.errors == {"_form": ["必须是 JSON 对象"]}


def test_schema_is_a_cached_marshmallow_schema() -> None:
    defn = load_builtin("review_decision")
    schema = build_schema(defn)
    assert isinstance(schema, Schema)
    assert build_schema(defn) is schema
    assert (
        schema.load({"score": 90, "decision": "approve", "reason": "技术路线清晰可行，团队基础扎实。"})[
            "score"
        ]
        == 90.0
    )


def test_field_names_that_clash_with_schema_attributes_work() -> None:
    defn = FormDefinition.load(
        {
            "id": "t",
            "title": L,
            "fields": [
                {"name": n, "type": "text", "label": L}
                for n in ("load", "fields", "Meta", "validate", "opts")
            ],
        }
    )
    assert validate_submission(defn, {"load": "a", "Meta": "b"}) == {
        "load": "a",
        "fields": None,
        "Meta": "b",
        "validate": None,
        "opts": None,
    }
