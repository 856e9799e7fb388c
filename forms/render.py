"""HTML for a form's fields (no ``<form>`` element, no CSRF token: the web layer adds those).

Every text is escaped. Names follow ``forms.webinput`` (``budget``, ``members-0-name``) so that
``from_multidict`` reads back exactly what was rendered. Repeating groups carry data attributes for a small
script (see FORMAT.md): existing rows, then an empty row in ``<template data-jb-row-template>`` whose names
contain ``__index__``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from forms.convert import LOCAL_TZ, format_money_fen, plain_number, to_local_input
from forms.definition import DIRECTORY_KINDS, FieldDef, FormDefinition, LocalText
from forms.errors import FormInvalid, is_zh
from forms.webinput import flat_name

__all__ = ["INDEX_PLACEHOLDER", "render_form"]

INDEX_PLACEHOLDER = "__index__"
_TRUE = {"on", "true", "1", "yes"}

_UI = {
    "choose": LocalText("请选择", "Choose…"),
    "add_row": LocalText("添加一项", "Add an entry"),
    "remove_row": LocalText("删除此项", "Remove this entry"),
    "row": LocalText("第 {n} 项", "Entry {n}"),
    "uploaded": LocalText("已上传：", "Uploaded: "),
    "summary": LocalText(
        "表单有 {n} 处错误，请修改后再提交。", "The form has {n} problem(s); please correct them."
    ),
    "yes": LocalText("是", "Yes"),
    "range": LocalText("填写 {low} 至 {high} 之间的数。", "A number from {low} to {high}."),
    "no": LocalText("否", "No"),
    "not_filled": LocalText("未填写", "Not filled in"),
    "required": LocalText("（必填）", " (required)"),
    "search": LocalText("输入名称查找", "Type part of the name"),
    "search_label": LocalText("查找{label}", "Find: {label}"),
    "picked_order": LocalText(
        "按住 Ctrl（Mac 为 ⌘）可选多项，按选择的先后顺序保存。",
        "Hold Ctrl (⌘ on a Mac) to choose several; they are kept in the order chosen.",
    ),
}

#: A picker's choices: (picker kind) → [(code, label shown)]; ``engine.pickers.PickerScope.choices``.
Choices = Callable[[str], Sequence[tuple[str, str]]]
#: The unit of each person a ``person`` picker offers: (picker kind) → {person code: unit code}.
Units = Callable[[str], Mapping[str, str]]
#: What to call the holder of an account (a user name → the person's name; ``engine.directory.account_names``).
AccountName = Callable[[str], str]


def _ui(key: str, lang: str, **kw: Any) -> str:
    return _UI[key].get(lang).format(**kw)


def _attrs(attrs: Mapping[str, Any]) -> Markup:
    parts: list[Markup] = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(Markup(" ") + escape(key))
        else:
            parts.append(Markup(' {}="{}"').format(key, value))
    return Markup("").join(parts)


def _tag(name: str, attrs: Mapping[str, Any] | None = None, *children: Any, void: bool = False) -> Markup:
    opening = Markup("<{}{}>").format(name, _attrs(attrs or {}))
    if void:
        return opening
    return opening + Markup("").join(escape(c) for c in children) + Markup("</{}>").format(name)


def _join(items: Iterable[Any]) -> Markup:
    return Markup("").join(escape(i) for i in items)


class _Renderer:
    def __init__(
        self,
        defn: FormDefinition,
        values: Mapping[str, Any],
        errors: Mapping[str, Sequence[str]],
        context: Mapping[str, Any],
        lang: str,
        id_prefix: str,
        hints: Mapping[str, Sequence[str]] | None = None,
        choices: Choices | None = None,
        account_name: AccountName | None = None,
        units: Units | None = None,
        people_always: Sequence[str] = (),
        people_url: str | None = None,
    ) -> None:
        self.choices = choices
        self.units = units
        self.people_always = tuple(people_always)
        self.people_url = people_url
        self.account_name = account_name
        self.defn = defn
        # requirements of the form's checks, by top-level field name → by the field's element id
        self.hints = {f"{id_prefix}{k}": [str(m) for m in v] for k, v in (hints or {}).items()}
        self.values = values
        self.errors = {str(k): [str(m) for m in v] for k, v in errors.items()}
        self.context = context
        self.lang = "zh" if is_zh(lang) else "en"
        self.id_prefix = id_prefix
        self.anchors: dict[str, str] = {}  # error path → element id

    # -- helpers -----------------------------------------------------------------------------------------

    def text(self, t: LocalText | None) -> str:
        return t.get(self.lang) if t else ""

    def errors_for(self, path: str, *, exact: bool = False) -> list[str]:
        out = list(self.errors.get(path, []))
        if not exact:
            prefix = path + "."
            out += [m for k, msgs in self.errors.items() if k.startswith(prefix) for m in msgs]
        return out

    def claim(self, path: str, element_id: str, *, exact: bool = False) -> None:
        for key in self.errors:
            if key == path or (not exact and key.startswith(path + ".")):
                self.anchors.setdefault(key, element_id)

    def help_and_error(self, spec: FieldDef, element_id: str, errs: list[str]) -> tuple[Markup, str | None]:
        parts: list[Markup] = []
        described: list[str] = []
        if spec.help:
            parts.append(_tag("p", {"class": "jb-help", "id": f"{element_id}-help"}, self.text(spec.help)))
            described.append(f"{element_id}-help")
        rules = self.hints.get(element_id, [])
        if spec.type == "number" and spec.min is not None and spec.max is not None and not rules:
            # the range a scorer must keep to, before typing (the browser alone refuses it only on submit); a
            # field with a policy rule says the rule instead (1–36 个月, not the form's outer bound 1–120)
            low, high = plain_number(spec.min), plain_number(spec.max)  # type: ignore[arg-type]
            text = _ui("range", self.lang, low=low, high=high)
            parts.append(_tag("p", {"class": "jb-help jb-range", "id": f"{element_id}-range"}, text))
            described.append(f"{element_id}-range")
        for i, hint in enumerate(rules):
            parts.append(_tag("p", {"class": "jb-help jb-rule", "id": f"{element_id}-rule{i}"}, hint))
            described.append(f"{element_id}-rule{i}")
        if errs:
            parts.append(self.error_block(f"{element_id}-error", errs))
            described.append(f"{element_id}-error")
        return Markup("").join(parts), " ".join(described) or None

    def error_block(self, element_id: str, errs: list[str]) -> Markup:
        return _tag(
            "p",
            {"class": "jb-error", "id": element_id},
            _join(_tag("span", {"class": "jb-error-item"}, e) for e in errs),
        )

    def label(self, spec: FieldDef, element_id: str) -> Markup:
        marker = Markup("")
        if spec.required:
            marker = _tag(
                "span",
                {"class": "jb-required"},
                _tag("span", {"aria-hidden": "true"}, "*"),
                _tag("span", {"class": "jb-visually-hidden"}, _ui("required", self.lang)),
            )
        return _tag("label", {"for": element_id}, self.text(spec.label), marker)

    # -- error summary -----------------------------------------------------------------------------------

    def summary(self) -> Markup:
        if not self.errors:
            return Markup("")
        items: list[Markup] = []
        for path, msgs in self.errors.items():
            for m in msgs:
                anchor = self.anchors.get(path)
                if anchor:
                    items.append(
                        _tag(
                            "li",
                            {},
                            _tag(
                                "a",
                                {"href": f"#{anchor}"},
                                f"{self.path_label(path)}：{m}"
                                if self.lang == "zh"
                                else f"{self.path_label(path)}: {m}",
                            ),
                        )
                    )
                else:
                    items.append(_tag("li", {}, f"{path}：{m}" if self.lang == "zh" else f"{path}: {m}"))
        count = sum(len(v) for v in self.errors.values())
        return _tag(
            "div",
            {"class": "jb-error-summary", "role": "alert", "tabindex": "-1"},
            _tag("p", {}, _ui("summary", self.lang, n=count)),
            _tag("ul", {}, _join(items)),
        )

    def path_label(self, path: str) -> str:
        parts = path.split(".")
        spec = self.defn.field(parts[0])
        if spec is None:
            return path
        label = self.text(spec.label)
        if spec.type == "group" and len(parts) > 1 and parts[1].isdigit():
            label += " " + _ui("row", self.lang, n=int(parts[1]) + 1)
            sub = spec.subfield(parts[2]) if len(parts) > 2 else None
            if sub is not None:
                label += " " + self.text(sub.label)
        return label

    # -- fields ------------------------------------------------------------------------------------------

    def field(self, spec: FieldDef) -> Markup:
        if spec.type == "group":
            return self.group(spec)
        if spec.type == "readonly":
            return self.readonly(spec)
        return self.input_field(spec, None, None, self.values.get(spec.name), spec.name)

    def input_field(
        self, spec: FieldDef, group: str | None, index: int | str | None, value: Any, path: str | None
    ) -> Markup:
        """One input; ``path`` is the error path (None in the template row)."""
        name = flat_name(group, index, spec.name)
        element_id = self.id_prefix + name
        errs: list[str] = []
        if path is not None:
            errs = self.errors_for(path)
            self.claim(path, element_id)
        extra, described = self.help_and_error(spec, element_id, errs)
        common: dict[str, Any] = {
            "id": element_id,
            "name": name,
            "aria-describedby": described,
            "aria-invalid": "true" if errs else None,
        }
        control = getattr(self, f"control_{spec.type}")(spec, value, common)
        if spec.type == "checkbox":
            inner = _join([control, self.label(spec, element_id)])
        else:
            inner = _join([self.label(spec, element_id), control])
        return _tag(
            "div",
            {
                "class": f"jb-field jb-field-{spec.type}",
                "data-jb-field": name,
                "data-jb-invalid": "true" if errs else None,
                # shown only while a select beside it has one of these values (forms.js hides it otherwise)
                "data-jb-shown-when": spec.shown_when[0] if spec.shown_when and group is None else None,
                "data-jb-shown-values": json.dumps(list(spec.shown_when[1]), ensure_ascii=False)
                if spec.shown_when and group is None
                else None,
            },
            inner,
            extra,
        )

    def control_text(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        attrs = {
            **common,
            "required": spec.required,
            "minlength": spec.min_length,
            "maxlength": spec.max_length,
        }
        shown = (
            value
            if isinstance(value, str)
            else ("" if value is None or isinstance(value, list | dict) else str(value))
        )
        if spec.multiline:
            return _tag("textarea", {**attrs, "rows": "5"}, shown)
        return _tag("input", {**attrs, "type": "text", "value": shown}, void=True)

    def control_number(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        if spec.integer:
            step = "1"
        elif spec.decimals is not None:
            step = plain_number(Decimal(1).scaleb(-spec.decimals))
        else:
            step = "any"
        shown = _scalar_text(value)
        return _tag(
            "input",
            {
                **common,
                "type": "number",
                "value": shown,
                "step": step,
                "inputmode": "numeric" if spec.integer else "decimal",
                "required": spec.required,
                "min": None if spec.min is None else plain_number(spec.min),  # type: ignore[arg-type]
                "max": None if spec.max is None else plain_number(spec.max),
            },  # type: ignore[arg-type]
            void=True,
        )

    def control_money(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        if isinstance(value, int) and not isinstance(value, bool):
            shown = format_money_fen(value)  # stored fen → yuan
        else:
            shown = _scalar_text(value)
        return _tag(
            "input",
            {
                **common,
                "type": "text",
                "inputmode": "decimal",
                "autocomplete": "off",
                "data-jb-money": "yuan",
                "value": shown,
                "required": spec.required,
            },
            void=True,
        )

    def control_date(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        shown = (
            value.isoformat()
            if isinstance(value, date) and not isinstance(value, datetime)
            else _scalar_text(value)
        )
        return _tag(
            "input",
            {
                **common,
                "type": "date",
                "value": shown,
                "required": spec.required,
                "min": spec.min.isoformat() if isinstance(spec.min, date) else None,
                "max": spec.max.isoformat() if isinstance(spec.max, date) else None,
            },
            void=True,
        )

    def control_datetime(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        shown = to_local_input(value)
        if shown is None:
            shown = _scalar_text(value)
        return _tag(
            "input",
            {**common, "type": "datetime-local", "value": shown, "required": spec.required},
            void=True,
        )

    def control_select(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        if spec.multiple:
            chosen = {v for v in value if isinstance(v, str)} if isinstance(value, list | tuple) else set()
        else:
            chosen = {value} if isinstance(value, str) else set()
        options: list[Markup] = []
        if not spec.multiple:
            options.append(_tag("option", {"value": ""}, _ui("choose", self.lang)))
        for opt in spec.options:
            options.append(
                _tag("option", {"value": opt.value, "selected": opt.value in chosen}, self.text(opt.label))
            )
        return _tag(
            "select",
            {
                **common,
                "multiple": spec.multiple,
                "required": spec.required,
                "size": str(min(len(spec.options), 8)) if spec.multiple else None,
            },
            _join(options),
        )

    def control_picker(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        """A native select of names that submits codes, with a search box the picker script shows and uses
        (``web/static/js/picker.js``); without the script it is a plain select."""
        if isinstance(value, list | tuple):
            chosen = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        elif isinstance(value, str):
            chosen = [c.strip() for c in value.split(",") if c.strip()] if spec.multiple else [value.strip()]
        else:
            chosen = []
        available = list(self.choices(spec.of or "")) if self.choices is not None else []
        labels = dict(available)
        if self.choices is not None and spec.of in DIRECTORY_KINDS and any(c not in labels for c in chosen):
            # a unit this case refuses (an expert who must 回避), shown again beside its reason: by name
            labels = {**dict(self.choices(DIRECTORY_KINDS[spec.of])), **labels}
        ordered = [(c, labels.get(c, c)) for c in chosen] + [(c, n) for c, n in available if c not in chosen]
        options: list[Markup] = []
        if not spec.multiple:
            options.append(_tag("option", {"value": ""}, _ui("choose", self.lang)))
        unit_of = self.units(spec.of or "") if self.units is not None and spec.people_of else {}
        for code, label in ordered:
            attrs = {"value": code, "selected": code in chosen, "data-jb-unit": unit_of.get(code)}
            options.append(_tag("option", attrs, label))
        select = _tag(
            "select",
            {
                **common,
                "multiple": spec.multiple,
                "required": spec.required,
                "size": str(min(max(len(ordered), 2), 8)) if spec.multiple else None,
                "data-jb-picker": spec.of,
                "data-jb-name": spec.name,
                # the picker script offers only people of the units chosen in these sibling pickers
                "data-jb-people-of": " ".join(spec.people_of) or None,
                "data-jb-people-always": " ".join(self.people_always) if spec.people_of else None,
                # where the picker script asks for the people of a unit chosen beside it (the page lists only
                # those of the units chosen when it was made)
                "data-jb-people-url": self.people_url if spec.people_of else None,
            },
            _join(options),
        )
        search = _tag(
            "input",
            {
                "type": "search",
                "class": "jb-picker-search",
                "placeholder": _ui("search", self.lang),
                "aria-label": _ui("search_label", self.lang, label=self.text(spec.label)),
                "data-jb-picker-search": common["id"],
                "autocomplete": "off",
                "hidden": True,
            },
            void=True,
        )
        note = (
            _tag("p", {"class": "jb-help"}, _ui("picked_order", self.lang)) if spec.multiple else Markup("")
        )
        return _tag("div", {"class": "jb-picker"}, search, select, note)

    def control_checkbox(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        checked = value is True or (isinstance(value, str) and value.strip().lower() in _TRUE)
        return _tag(
            "input",
            {**common, "type": "checkbox", "value": "on", "checked": checked, "required": spec.required},
            void=True,
        )

    def control_file(self, spec: FieldDef, value: Any, common: dict[str, Any]) -> Markup:
        existing = [
            v for v in (value if isinstance(value, list | tuple) else [value]) if isinstance(v, Mapping)
        ]
        names = [str(v.get("name", "")) for v in existing]
        control = _tag(
            "input",
            {
                **common,
                "type": "file",
                "multiple": spec.multiple,
                "accept": ",".join(spec.accept) or None,
                "data-jb-max-size": str(spec.max_size) if spec.max_size else None,
                "required": spec.required and not existing,
            },
            void=True,
        )
        if names:
            listing = _tag(
                "ul",
                {"class": "jb-files"},
                _join(_tag("li", {}, _ui("uploaded", self.lang) + n) for n in names),
            )
            control = _join([control, listing])
        return control

    # -- readonly ----------------------------------------------------------------------------------------

    def readonly(self, spec: FieldDef) -> Markup:
        element_id = self.id_prefix + spec.name
        value = _lookup(self.context, spec.source or "")
        option = spec.option(value) if spec.options and isinstance(value, str) else None
        shown = self.text(option.label) if option is not None else self.readonly_text(spec.format, value)
        empty = shown == ""
        if empty and spec.format == "notice":
            return Markup("")  # a notice with nothing to say (e.g. no problem found) is not shown at all
        extra, described = self.help_and_error(spec, element_id, [])
        output = _tag(
            "output",
            {
                "id": element_id,
                "class": f"jb-readonly jb-readonly-{spec.format}" + (" jb-empty muted" if empty else ""),
                "aria-describedby": described,
            },
            _ui("not_filled", self.lang) if empty else shown,
        )
        return _tag(
            "div",
            {"class": "jb-field jb-field-readonly", "data-jb-field": spec.name},
            self.label(spec, element_id),
            output,
            extra,
        )

    def readonly_text(self, fmt: str, value: Any) -> str:
        """The value as its reader says it; ``''`` when there is nothing to show (``readonly`` says 未填写)."""
        if value is None or value == "" or value == []:
            return ""
        if fmt == "citation" and isinstance(value, str):
            # a policy table's source: the Chinese UI reads it whole (``001 八(八)：收回结余资金…``), the
            # English one its bare reference (``001 八(八)``), never the Chinese explanation
            from engine.domain.problems import citation  # imported here: engine.domain.problems imports forms

            return value.strip() if is_zh(self.lang) else citation(value)
        if isinstance(value, bool):
            return _ui("yes" if value else "no", self.lang)
        if fmt == "organisations":  # codes of organisations, shown by name
            codes = value if isinstance(value, list | tuple) else str(value).split(",")
            names: dict[str, str] = {}
            if self.choices is not None:
                names = {**dict(self.choices("organisation")), **dict(self.choices("solver"))}
            return "、".join(
                names.get(c.strip(), c.strip()) for c in codes if isinstance(c, str) and c.strip()
            )
        if fmt == "account" and isinstance(value, str):  # a user name, shown as the person's name
            return self.account_name(value) if self.account_name is not None else value
        if fmt == "money" and isinstance(value, int):
            amount = format_money_fen(value, grouping=True)
            return f"{amount} 元" if self.lang == "zh" else f"CNY {amount}"
        if fmt == "datetime" or isinstance(value, datetime):
            # with its zone, as the pages say an instant (engine.deadline_text, web.timefmt.local_instant)
            from engine.deadline_text import instant_text  # imported here: engine imports forms

            local = to_local_input(value)
            if local is not None:
                return instant_text(datetime.fromisoformat(local).replace(tzinfo=LOCAL_TZ), self.lang)
            if isinstance(value, datetime):
                return value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return ", ".join(self.readonly_text("text", v) for v in value)
        return _scalar_text(value)

    # -- groups ------------------------------------------------------------------------------------------

    def group(self, spec: FieldDef) -> Markup:
        element_id = self.id_prefix + spec.name
        group_errs = self.errors_for(spec.name, exact=True)
        self.claim(spec.name, element_id, exact=True)
        raw_rows = self.values.get(spec.name)
        rows = list(raw_rows) if isinstance(raw_rows, list | tuple) else []
        minimum = max(spec.min_items or 0, 1 if spec.required else 0)
        while len(rows) < minimum:
            rows.append({})
        extra, described = self.help_and_error(spec, element_id, group_errs)
        marker = Markup("")
        if spec.required or minimum:
            marker = _tag(
                "span",
                {"class": "jb-required"},
                _tag("span", {"aria-hidden": "true"}, "*"),
                _tag("span", {"class": "jb-visually-hidden"}, _ui("required", self.lang)),
            )
        legend = _tag("legend", {}, self.text(spec.label), marker)
        body = _join(self.row(spec, i, row if isinstance(row, Mapping) else {}) for i, row in enumerate(rows))
        template = _tag(
            "template", {"data-jb-row-template": spec.name}, self.row(spec, INDEX_PLACEHOLDER, {})
        )
        add = _tag(
            "button",
            {"type": "button", "class": "jb-add-row", "data-jb-add-row": spec.name},
            _ui("add_row", self.lang),
        )
        return _tag(
            "fieldset",
            {
                "class": "jb-field jb-field-group",
                "id": element_id,
                "data-jb-group": spec.name,
                "data-jb-min-items": str(minimum),
                "data-jb-max-items": str(spec.max_items) if spec.max_items else None,
                "data-jb-next-index": str(len(rows)),
                "data-jb-invalid": "true" if group_errs else None,
                "aria-describedby": described,
            },
            legend,
            extra,
            _tag("div", {"class": "jb-group-rows", "data-jb-rows": spec.name}, body),
            template,
            add,
        )

    def row(self, spec: FieldDef, index: int | str, row: Mapping[str, Any]) -> Markup:
        is_template = index == INDEX_PLACEHOLDER
        row_id = f"{self.id_prefix}{spec.name}-{index}"
        row_path = None if is_template else f"{spec.name}.{index}"
        row_errs = self.errors_for(row_path, exact=True) if row_path else []
        if row_path:
            self.claim(row_path, row_id, exact=True)
        number = "" if is_template else str(int(index) + 1)
        legend_text = _UI["row"].get(self.lang).split("{n}")
        legend = _tag(
            "legend", {}, legend_text[0], _tag("span", {"data-jb-row-number": True}, number), legend_text[1]
        )
        inner = [legend]
        if row_errs:
            inner.append(self.error_block(f"{row_id}-error", row_errs))
        for sub in spec.fields:
            sub_path = None if row_path is None else f"{row_path}.{sub.name}"
            inner.append(self.input_field(sub, spec.name, index, row.get(sub.name), sub_path))
        inner.append(
            _tag(
                "button",
                {"type": "button", "class": "jb-remove-row", "data-jb-remove-row": spec.name},
                _ui("remove_row", self.lang),
            )
        )
        return _tag(
            "fieldset",
            {"class": "jb-group-row", "id": row_id, "data-jb-row": spec.name, "data-jb-index": str(index)},
            _join(inner),
        )


def _scalar_text(value: Any) -> str:
    if value is None or isinstance(value, bool | list | tuple | dict):
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    return str(value)


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def render_form(
    defn: FormDefinition,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, Sequence[str]] | FormInvalid | None = None,
    context: Mapping[str, Any] | None = None,
    lang: str = "zh",
    id_prefix: str = "f-",
    hints: Mapping[str, Sequence[str]] | None = None,
    choices: Choices | None = None,
    account_name: AccountName | None = None,
    units: Units | None = None,
    people_always: Sequence[str] = (),
    people_url: str | None = None,
) -> Markup:
    """The fields of ``defn`` as HTML.

    ``values``: the nested data to show (stored/cleaned data, or the user's parsed input on re-render).
    ``errors``: ``FormInvalid`` or its ``errors`` mapping (path → messages). ``context``: the task data that
    readonly fields display (falls back to ``values``). ``hints``: requirements by top-level field name
    (the form's checks, already in ``lang``), shown under the field's help before the user types.
    ``choices``: the records pickers offer (without it a picker offers only its current codes).
    ``account_name``: what to call the holder of an account (readonly ``account`` fields; without it the user
    name is shown). ``units``: the unit of each person offered, so that the picker script narrows a ``people_of``
    picker to the units chosen beside it (and ``people_always``, units whose people it always offers).
    ``people_url``: a JSON endpoint (``?unit=CODE``, answering ``{"people": [{"code", "label", "unit"}]}``)
    the picker script asks for the people of a unit chosen beside a ``people_of`` picker that the page did not
    list (the apply page sends only the people its solver may pick).
    """
    if isinstance(errors, FormInvalid):
        errors = errors.errors_in(lang)
    renderer = _Renderer(
        defn,
        values or {},
        errors or {},
        context if context is not None else (values or {}),
        lang,
        id_prefix,
        hints,
        choices,
        account_name,
        units,
        people_always,
        people_url,
    )
    # Fields first (they register which error paths they show), then the summary that links to them.
    body = _join(renderer.field(spec) for spec in defn.fields)
    return _tag(
        "div",
        {"class": "jb-form", "data-jb-form": defn.id, "lang": "zh-CN" if renderer.lang == "zh" else "en"},
        renderer.summary(),
        body,
    )
