"""User-visible validation messages (Chinese first, English translation)."""

from __future__ import annotations

from forms.errors import Message

M = Message

REQUIRED = M("此项为必填项", "This field is required")
MUST_TICK = M("必须勾选此项", "This box must be ticked")
UNKNOWN_FIELD = M("未知字段：表单中没有此项", "Unknown field: the form has no such field")
NOT_OBJECT = M("必须是 JSON 对象", "Must be a JSON object")
ROW_NOT_OBJECT = M("每一项必须是 JSON 对象", "Each entry must be a JSON object")
NOT_LIST = M("必须是列表", "Must be a list")

NOT_TEXT = M("必须是文本", "Must be text")
SINGLE_LINE = M("不能包含换行", "Must be a single line")
CONTROL_CHARS = M("包含不允许的控制字符", "Contains control characters that are not allowed")
BAD_PATTERN = M("格式不正确", "Has the wrong format")

NOT_NUMBER = M("必须是数字", "Must be a number")
NOT_INTEGER = M("必须是整数", "Must be a whole number")
NUMBER_OUT_OF_RANGE = M("数值超出范围", "The number is out of range")

NOT_MONEY = M("必须是不超过两位小数的金额", "Must be an amount in yuan with at most two decimal places")
MONEY_TOO_LARGE = M("金额过大", "The amount is too large")

NOT_DATE = M("必须是日期，格式为 YYYY-MM-DD", "Must be a date in the form YYYY-MM-DD")
NOT_DATETIME = M("必须是日期时间，格式如 2026-06-10T19:30", "Must be a date and time like 2026-06-10T19:30")

NOT_CHOICE = M("不是有效的选项", "Not a valid choice")
NOT_BOOL = M("必须是 true 或 false", "Must be true or false")

BAD_FILE = M("文件信息无效", "Invalid file information")


def min_length(n: int) -> Message:
    return M(f"至少需要 {n} 个字符", f"Must be at least {n} characters")


def max_length(n: int) -> Message:
    return M(f"不能超过 {n} 个字符", f"Must be at most {n} characters")


def too_small(limit: str) -> Message:
    return M(f"不能小于 {limit}", f"Must be at least {limit}")


def too_large(limit: str) -> Message:
    return M(f"不能大于 {limit}", f"Must be at most {limit}")


def decimals(n: int) -> Message:
    return M(f"最多 {n} 位小数", f"At most {n} decimal places")


def money_too_small(yuan: str) -> Message:
    return M(f"不能少于 {yuan} 元", f"Must be at least {yuan} yuan")


def money_too_large(yuan: str) -> Message:
    return M(f"不能超过 {yuan} 元", f"Must be at most {yuan} yuan")


def date_too_early(d: str) -> Message:
    return M(f"不能早于 {d}", f"Must not be before {d}")


def date_too_late(d: str) -> Message:
    return M(f"不能晚于 {d}", f"Must not be after {d}")


def min_items(n: int) -> Message:
    return M(f"至少需要 {n} 项", f"Needs at least {n} entries")


def max_items(n: int) -> Message:
    return M(f"最多只能有 {n} 项", f"At most {n} entries")


def duplicate_choice(value: str) -> Message:
    return M(f"选项 {value} 重复", f"Choice {value} is given twice")


def file_too_large(limit: str) -> Message:
    return M(f"文件过大，不能超过 {limit}", f"The file is too large; the limit is {limit}")


def file_type(allowed: str) -> Message:
    return M(f"不接受此文件类型，允许：{allowed}", f"This file type is not accepted; allowed: {allowed}")


def file_empty(name: str) -> Message:
    return M(
        f"文件“{name}”是空的，请上传有内容的文件", f"The file “{name}” is empty; upload a file with content"
    )


def file_content_mismatch(name: str, extension: str, found: str) -> Message:
    return M(
        f"文件“{name}”的实际内容是 {found}，与扩展名 {extension} 不符。请上传真正的 {extension} 文件",
        f"The content of “{name}” is {found}, which does not match its extension {extension}. "
        f"Upload a real {extension} file",
    )


def file_type_unknown(name: str, allowed: str) -> Message:
    return M(
        f"无法从内容识别文件“{name}”的类型。允许的类型：{allowed}",
        f"The type of “{name}” cannot be recognised from its content. Allowed types: {allowed}",
    )


def human_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


NOT_CODE = M("不是有效的代码：请从列表中选择", "Not a valid code: choose from the list")

#: What a picker of each kind chooses, for its messages.
PICKED = {
    "organisation": ("单位", "organisation"),
    "person": ("人员", "person"),
    "solver": ("本项目的揭榜单位", "solver of this challenge"),
    "applicant": ("单位", "organisation"),
    "partner": ("单位", "organisation"),
    "expert": ("专家库专家", "expert of the pool"),
    "team": ("人员", "person"),
    "bureau_staff": ("本辖区党政机关工作人员", "official of this jurisdiction"),
}


def unknown_code(of: str, code: str) -> Message:
    zh, en = PICKED.get(of, ("记录", "record"))
    return M(
        f"没有代码为“{code}”的{zh}：请输入名称的一部分，从列表中选择",
        f"There is no {en} with the code “{code}”: type part of its name and choose it from the list",
    )


def outside_units(people: list[tuple[str, str, str]]) -> Message:
    """People (name, unit code, unit name) of a unit chosen neither as the solver nor as a partner."""
    zh = "、".join(f"{name}（{unit or '未登记单位'}）" for name, _, unit in people)
    en = ", ".join(f"{name} ({unit or 'unregistered unit'})" for name, _, unit in people)
    return M(
        f"团队成员只能是揭榜单位或所选合作单位的人员：{zh}不是。请从列表中选择，或先选其所在单位",
        f"Team members are people of the solver or of a chosen partner: {en} is not. Choose from the list, "
        "or first choose their unit",
    )
