"""Form definitions: parsed and checked JSON (see FORMAT.md).

``FormDefinition.load`` refuses a bad definition with ``FormDefinitionError`` listing every problem with its
file and field path; the deployment uses it so a bad form file refuses the whole bundle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from forms.errors import DefinitionProblem, FormDefinitionError, is_zh

#: the values a ``shown_when`` on a checkbox names: ticked, not ticked
CHECKED, UNCHECKED = "true", "false"
FIELD_TYPES = (
    "text",
    "number",
    "money",
    "date",
    "datetime",
    "select",
    "checkbox",
    "group",
    "file",
    "readonly",
    "picker",
)
#: What a picker chooses from (``engine.pickers`` lists the records): organisations of the case's jurisdiction,
#: people of its organisations, the solvers that applied in the case, or the organisations the case may pick
#: as the solver (``applicant``) or as a consortium partner (``partner``): its eligibility table refuses none;
#: or the experts of its jurisdiction's expert pool (``expert``, by their accounts' user names); or the people of
#: the solvers the case chose (``team``: their applications' team members and the people of their own units); or
#: the staff of the case's jurisdiction's government units (``bureau_staff``: its bureau and its counties' offices).
PICKER_KINDS = ("organisation", "person", "solver", "applicant", "partner", "expert", "team", "bureau_staff")
#: Picker kinds whose choices are people (stored by their person codes, shown by their names).
PERSON_PICKERS = ("person", "team", "bureau_staff")
#: Picker kinds whose choices are units (a ``people_of`` picker names siblings of these kinds).
UNIT_PICKERS = ("organisation", "applicant", "partner", "solver")
#: The choices kind naming every record a picker of a kind may hold (a refused one is shown again by its name):
#: units by the directory's organisations, experts by the whole pool, people by those chosen (``engine.pickers``).
DIRECTORY_KINDS = {
    **{kind: "organisation" for kind in UNIT_PICKERS},
    "expert": "expert_pool",
    "person": "person_named",
    "team": "person",
    "bureau_staff": "person",
}

#: Largest absolute amount of money, in fen (10 trillion yuan); keeps values exact in JavaScript too.
MONEY_LIMIT_FEN = 10**15
#: Largest absolute value of a number field.
NUMBER_LIMIT = Decimal(10**15)
#: Defaults that keep unbounded input bounded.
DEFAULT_MAX_LENGTH = 500
DEFAULT_MAX_LENGTH_MULTILINE = 20000
DEFAULT_MAX_ITEMS = 100
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
READONLY_FORMATS = (
    "text",
    "multiline",
    "money",
    "date",
    "datetime",
    "organisations",
    "account",
    "citation",
    "notice",
)
#: Selects whose options the engine fills for the user at the moment the form is shown (``options_from``):
#: the open calls of the process's jurisdiction, the organisations the user's account is linked to (for staff
#: linked to none: the organisations of the jurisdiction), every organisation of the jurisdiction.
OPTION_SOURCES = ("open_calls", "my_organisations", "issuing_organisations", "jurisdiction_organisations")

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_FORM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,99}")
_EXTENSION = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9_\-.]{0,19}")
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+\-]*/(\*|[a-z0-9][a-z0-9!#$&^_.+\-]*)")
_SOURCE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

_COMMON_KEYS = {"name", "type", "label", "help", "required", "jurisdictions", "shown_when"}
_JURISDICTION = re.compile(r"[a-z][a-z0-9_]{0,31}")
_TYPE_KEYS: dict[str, set[str]] = {
    "text": {"min_length", "max_length", "multiline", "pattern", "pattern_message"},
    "number": {"integer", "min", "max", "decimals"},
    "money": {"min", "max"},
    "date": {"min", "max"},
    "datetime": set(),
    "select": {"options", "options_from", "multiple", "min_items", "max_items"},
    "checkbox": set(),
    "group": {"fields", "min_items", "max_items", "source"},
    "file": {"max_size", "accept", "multiple", "min_items", "max_items"},
    "readonly": {"source", "format", "options"},
    "picker": {"of", "multiple", "min_items", "max_items", "people_of"},
}


@dataclass(frozen=True)
class LocalText:
    """A user-visible text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.zh if is_zh(lang) else self.en


@dataclass(frozen=True)
class Option:
    value: str
    label: LocalText


@dataclass(frozen=True)
class FieldDef:
    """One field. Attributes that do not apply to ``type`` keep their defaults.

    ``min``/``max`` are ``Decimal`` for number, ``int`` fen for money, ``date`` for date.
    ``min_items``/``max_items`` apply to groups and to multiple selects and files.
    """

    name: str
    type: str
    label: LocalText
    help: LocalText | None = None
    required: bool = False
    # text
    min_length: int | None = None
    max_length: int | None = None
    multiline: bool = False
    pattern: str | None = None
    pattern_message: LocalText | None = None
    # number, money, date
    integer: bool = False
    decimals: int | None = None
    min: Decimal | int | date | None = None
    max: Decimal | int | date | None = None
    # select
    options: tuple[Option, ...] = ()
    #: one of OPTION_SOURCES: the options are filled at run time (``with_options``)
    options_from: str | None = None
    multiple: bool = False
    # group (and multiple select/file)
    fields: tuple[FieldDef, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    # file
    max_size: int | None = None
    accept: tuple[str, ...] = ()
    # readonly
    source: str | None = None
    format: str = "text"
    # picker
    of: str | None = None
    #: a ``person`` picker: the sibling unit pickers whose chosen units' people it offers and accepts
    people_of: tuple[str, ...] = ()
    #: the jurisdictions whose cases show the field (empty: every jurisdiction)
    jurisdictions: tuple[str, ...] = ()
    #: (a sibling select, its values): the field is shown, accepted and stored only while that select has one of
    #: these values (``FormDefinition.as_chosen``); None: always
    shown_when: tuple[str, tuple[str, ...]] | None = None

    @property
    def is_input(self) -> bool:
        """False for readonly fields: they are displayed, never accepted."""
        return self.type != "readonly"

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def subfield(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: LocalText
    fields: tuple[FieldDef, ...]
    description: LocalText | None = None
    filename: str = "<form>"
    #: the description a case of a jurisdiction reads instead of ``description`` (``for_jurisdiction``): a form
    #: shared by several jurisdictions tells each clerk only what applies there
    description_for: tuple[tuple[str, LocalText], ...] = ()
    #: names of registered checks (engine.domain.checks) run on the task data and the submission before the
    #: task is completed; their requirements are shown beside the fields
    checks: tuple[str, ...] = ()
    #: the top-level fields ``for_jurisdiction`` left out: not accepted, stored as not given (``None``) so that
    #: the diagram's scripts may name them in every jurisdiction
    left_out: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def for_jurisdiction(self, jurisdiction: str | None) -> FormDefinition:
        """The form as a case of ``jurisdiction`` sees it: without the fields whose ``jurisdictions`` leave it
        out (shown, accepted and stored only where they apply), with the jurisdiction's own description
        (``description_for``) if it has one. Cached per jurisdiction."""
        key = f"jurisdiction:{jurisdiction}"
        if key not in self._cache:

            def applies(f: FieldDef) -> bool:
                return not f.jurisdictions or jurisdiction in f.jurisdictions

            own = dict(self.description_for).get(jurisdiction or "")
            if own is not None:
                self._cache[key] = replace(
                    self, description=own, description_for=(), _cache={}
                ).for_jurisdiction(jurisdiction)
            elif not any(not applies(f) for _, f in self.iter_fields()):
                self._cache[key] = self
            else:
                kept = tuple(
                    replace(f, fields=tuple(s for s in f.fields if applies(s)))
                    for f in self.fields
                    if applies(f)
                )
                gone = tuple(f.name for f in self.fields if not applies(f))
                self._cache[key] = replace(self, fields=kept, left_out=gone, _cache={})  # its checks kept
        return self._cache[key]  # type: ignore[no-any-return]

    def as_chosen(self, data: Mapping[str, Any]) -> tuple[FormDefinition, tuple[str, ...]]:
        """The form as the submitted ``data`` leaves it: without the top-level fields whose ``shown_when`` the
        chosen values do not meet (a race-only field when the mode is single), and their names. A hidden field
        is not validated and not stored (a draft saved under the other choice keeps nothing of it)."""
        hidden = tuple(
            f.name
            for f in self.fields
            if f.shown_when is not None and self._chosen(f.shown_when[0], data) not in f.shown_when[1]
        )
        if not hidden:
            return self, ()
        key = f"chosen:{hidden}"  # cached per choice, so its schema is built once (forms.schema.build_schema)
        if key not in self._cache:
            kept = tuple(f for f in self.fields if f.name not in hidden)
            self._cache[key] = replace(self, fields=kept, left_out=self.left_out + hidden, _cache={})
        return self._cache[key], hidden

    def _chosen(self, name: str, data: Mapping[str, Any]) -> str:
        """The value a ``shown_when`` compares: a select's chosen option, a checkbox's ``true`` or ``false``."""
        value = data.get(name)
        target = self.field(name)
        if target is not None and target.type == "checkbox":
            return CHECKED if value is True else UNCHECKED
        return str(value or "")

    def with_required(self, names: Iterable[str]) -> FormDefinition:
        """The form with the top-level fields ``names`` marked required (what the policy requires here)."""
        wanted = set(names)
        if not wanted & {f.name for f in self.fields if not f.required}:
            return self
        fields = tuple(replace(f, required=True) if f.name in wanted else f for f in self.fields)
        return replace(self, fields=fields, _cache={})

    def iter_fields(self) -> Iterator[tuple[str, FieldDef]]:
        """Every field with its path: ``budget``, ``members``, ``members.*.name``."""
        for f in self.fields:
            yield f.name, f
            for sub in f.fields:
                yield f"{f.name}.*.{sub.name}", sub

    @classmethod
    def load(cls, source: str | bytes | Mapping[str, Any], *, filename: str = "<form>") -> FormDefinition:
        """Parse and check a definition (JSON text or an already parsed dict)."""
        if isinstance(source, Mapping):
            raw: Any = source
        else:
            if isinstance(source, bytes):
                try:
                    source = source.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise FormDefinitionError(
                        filename, [DefinitionProblem("", "the file is not UTF-8 text", "文件不是 UTF-8 文本")]
                    ) from None
            source = source.removeprefix("\ufeff")
            try:
                raw = json.loads(source, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
            except _DuplicateKey as exc:
                raise FormDefinitionError(
                    filename,
                    [
                        DefinitionProblem(
                            "",
                            f"key '{exc.key}' appears twice in one object",
                            f"同一对象中键 '{exc.key}' 出现了两次",
                        )
                    ],
                ) from None
            except ValueError as exc:
                raise FormDefinitionError(
                    filename, [DefinitionProblem("", f"not valid JSON: {exc}", f"不是有效的 JSON：{exc}")]
                ) from None
        checker = _Checker()
        defn = checker.form(raw, filename)
        if checker.problems or defn is None:
            raise FormDefinitionError(filename, checker.problems)
        return defn

    @classmethod
    def load_path(cls, path: str | Path) -> FormDefinition:
        p = Path(path)
        return cls.load(p.read_bytes(), filename=p.name)


def with_options(defn: FormDefinition, options: Mapping[str, tuple[Option, ...]]) -> FormDefinition:
    """The definition with the options of its ``options_from`` selects filled (by field name)."""
    fields = tuple(
        replace(f, options=tuple(options.get(f.name, ()))) if f.options_from else f for f in defn.fields
    )
    return replace(defn, fields=fields, _cache={})


def load_builtin(form_id: str) -> FormDefinition:
    """One of the example definitions shipped in ``forms/definitions``."""
    if not _FORM_ID.fullmatch(form_id):
        raise ValueError(f"bad form id {form_id!r}")
    return FormDefinition.load_path(DEFINITIONS_DIR / f"{form_id}.form.json")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _disjoint(a: Any, b: Any) -> bool:
    """Two fields of one name for disjoint sets of jurisdictions (e.g. a picker in Dazu, a text elsewhere): a
    case sees at most one of them (``FormDefinition.for_jurisdiction``)."""
    first, second = (
        set(x.get("jurisdictions") or [])
        if isinstance(x, Mapping) and isinstance(x.get("jurisdictions"), list)
        else set()
        for x in (a, b)
    )
    return bool(first) and bool(second) and not first & second


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects every problem of one definition."""

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []

    def add(self, path: str, en: str, zh: str) -> None:
        self.problems.append(DefinitionProblem(path, en, zh))

    # -- top level ---------------------------------------------------------------------------------------

    def form(self, raw: Any, filename: str) -> FormDefinition | None:
        if not isinstance(raw, Mapping):
            self.add("", "the definition must be a JSON object", "表单定义必须是 JSON 对象")
            return None
        self.unknown_keys("", raw, {"id", "title", "description", "description_for", "fields", "checks"})
        form_id = raw.get("id")
        if not isinstance(form_id, str) or not _FORM_ID.fullmatch(form_id):
            self.add(
                "id",
                "must be a name of letters, digits, '_' or '-' starting with a letter",
                "必须是以字母开头、由字母、数字、'_' 或 '-' 组成的名称",
            )
            form_id = ""
        title = self.local_text("title", raw.get("title"), required=True)
        description = self.local_text("description", raw.get("description"), required=False)
        description_for = self.descriptions_for(raw.get("description_for", {}))
        fields = self.field_list("fields", raw.get("fields"), nested=False)
        checks = self.check_names(raw.get("checks", []))
        if title is None:
            return None
        return FormDefinition(
            form_id, title, fields, description, filename, description_for=description_for, checks=checks
        )

    def descriptions_for(self, raw: Any) -> tuple[tuple[str, LocalText], ...]:
        """``description_for``: ``{"dazu": {"zh": …, "en": …}}``, the description of a jurisdiction's cases."""
        if not isinstance(raw, Mapping):
            self.add(
                "description_for",
                'must be an object {"<jurisdiction>": {"zh": ..., "en": ...}}',
                '必须是对象 {"<辖区代码>": {"zh": ..., "en": ...}}',
            )
            return ()
        found = []
        for code, text in raw.items():
            if not isinstance(code, str) or not _JURISDICTION.fullmatch(code):
                self.add(f"description_for.{code}", "must be a jurisdiction code", "必须是辖区代码")
                continue
            local = self.local_text(f"description_for.{code}", text, required=True)
            if local is not None:
                found.append((code, local))
        return tuple(found)

    def check_names(self, raw: Any) -> tuple[str, ...]:
        """``checks``: a list of distinct names (letters, digits, ``_``); whether they are registered is the
        engine's to say when the bundle is deployed."""
        if not isinstance(raw, list) or not all(isinstance(n, str) and _NAME.fullmatch(n) for n in raw):
            self.add("checks", "must be a list of check names", "必须是检查名称的列表")
            return ()
        if len(set(raw)) != len(raw):
            self.add("checks", "a check is named twice", "检查名称重复")
        return tuple(dict.fromkeys(raw))

    def unknown_keys(self, path: str, raw: Mapping[str, Any], allowed: set[str]) -> None:
        for key in raw:
            if isinstance(key, str) and key.startswith("_"):
                continue  # comments: "_comment": "..."
            if key not in allowed:
                where = f"{path}." if path else ""
                self.add(
                    f"{where}{key}",
                    f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})",
                    f"未知的键 '{key}'（允许：{', '.join(sorted(allowed))}）",
                )

    def local_text(self, path: str, raw: Any, *, required: bool) -> LocalText | None:
        if raw is None:
            if required:
                self.add(
                    path,
                    'is required: an object {"zh": ..., "en": ...}',
                    '必填：应为对象 {"zh": ..., "en": ...}',
                )
            return None
        if not isinstance(raw, Mapping):
            self.add(path, 'must be an object {"zh": ..., "en": ...}', '必须是对象 {"zh": ..., "en": ...}')
            return None
        ok = True
        for lang in ("zh", "en"):
            value = raw.get(lang)
            if not isinstance(value, str) or not value.strip():
                self.add(f"{path}.{lang}", "must be a non-empty string", "必须是非空字符串")
                ok = False
        for key in raw:
            if key not in ("zh", "en"):
                self.add(
                    f"{path}.{key}", "unknown language: use 'zh' and 'en'", "未知语言：只能是 'zh' 和 'en'"
                )
        return LocalText(raw["zh"].strip(), raw["en"].strip()) if ok else None

    # -- fields ------------------------------------------------------------------------------------------

    def field_list(self, path: str, raw: Any, *, nested: bool) -> tuple[FieldDef, ...]:
        if not isinstance(raw, list) or not raw:
            self.add(path, "must be a non-empty list of fields", "必须是非空的字段列表")
            return ()
        out: list[FieldDef] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            name = item.get("name") if isinstance(item, Mapping) else None
            here = f"{path}[{i}]({name})" if isinstance(name, str) and name else f"{path}[{i}]"
            parsed = self.field(here, item, nested=nested)
            if isinstance(name, str) and name:
                if name in seen and not _disjoint(raw[seen[name]], item):
                    self.add(
                        here + ".name",
                        f"duplicate field name '{name}' (also {path}[{seen[name]}])",
                        f"字段名 '{name}' 重复（与 {path}[{seen[name]}] 相同）",
                    )
                else:
                    seen[name] = i
            if parsed is not None:
                out.append(parsed)
        for i, f in enumerate(out):
            if f.shown_when is not None:
                self.shown_when_target(f"{path}[{i}]({f.name}).shown_when", f.shown_when, out, nested=nested)
            for sibling in f.people_of:
                other = next((g for g in out if g.name == sibling), None)
                if other is None or other.type != "picker" or other.of not in UNIT_PICKERS:
                    self.add(
                        f"{path}[{i}]({f.name}).people_of",
                        f"'{sibling}' is not a picker of units beside this field",
                        f"“{sibling}”不是本字段旁边的单位选择字段",
                    )
        return tuple(out)

    def field(self, path: str, raw: Any, *, nested: bool) -> FieldDef | None:
        if not isinstance(raw, Mapping):
            self.add(path, "a field must be a JSON object", "字段必须是 JSON 对象")
            return None
        before = len(self.problems)
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            self.add(
                f"{path}.name",
                "must be an identifier: a letter, then letters, digits or '_' (at most 64)",
                "必须是标识符：字母开头，后接字母、数字或 '_'（最多 64 个）",
            )
        ftype = raw.get("type")
        if ftype not in FIELD_TYPES:
            self.add(
                f"{path}.type",
                f"unknown type {ftype!r}; use one of {', '.join(FIELD_TYPES)}",
                f"未知类型 {ftype!r}；可用：{', '.join(FIELD_TYPES)}",
            )
            return None
        if nested and ftype in ("group", "readonly"):
            self.add(
                f"{path}.type", f"a {ftype} field cannot be inside a group", f"{ftype} 字段不能放在分组中"
            )
        self.unknown_keys(path, raw, _COMMON_KEYS | _TYPE_KEYS[ftype])
        label = self.local_text(f"{path}.label", raw.get("label"), required=True)
        help_text = self.local_text(f"{path}.help", raw.get("help"), required=False)
        required = self.boolean(f"{path}.required", raw.get("required"))
        if ftype == "readonly" and "required" in raw:
            self.add(
                f"{path}.required",
                "a readonly field is never entered, so it cannot be required",
                "只读字段不需要填写，不能设为必填",
            )
        kw: dict[str, Any] = {}
        if "jurisdictions" in raw:
            kw["jurisdictions"] = self.jurisdiction_list(f"{path}.jurisdictions", raw["jurisdictions"])
        if "shown_when" in raw:
            kw["shown_when"] = self.shown_when(f"{path}.shown_when", raw["shown_when"])
        getattr(self, f"type_{ftype}")(path, raw, kw)
        if len(self.problems) > before or label is None:
            return None
        return FieldDef(name=name, type=ftype, label=label, help=help_text, required=required, **kw)

    def shown_when(self, path: str, value: Any) -> tuple[str, tuple[str, ...]] | None:
        if (
            not isinstance(value, Mapping)
            or set(value) != {"field", "values"}
            or not isinstance(value["field"], str)
            or not isinstance(value["values"], list)
            or not value["values"]
            or not all(isinstance(v, str) for v in value["values"])
        ):
            self.add(
                path,
                'must be {"field": a select beside this field, "values": [its option values]}',
                '必须是 {"field": 本字段旁边的单选字段, "values": [该字段的选项值]}',
            )
            return None
        return value["field"], tuple(dict.fromkeys(value["values"]))

    def shown_when_target(
        self, path: str, rule: tuple[str, tuple[str, ...]], siblings: list[FieldDef], *, nested: bool
    ) -> None:
        name, values = rule
        target = next((g for g in siblings if g.name == name), None)
        if not nested and target is not None and target.type == "checkbox":
            wrong = [v for v in values if v not in (CHECKED, UNCHECKED)]
            if wrong:
                self.add(
                    path,
                    f'{", ".join(wrong)}: a checkbox \'{name}\' is "{CHECKED}" (ticked) or "{UNCHECKED}"',
                    f'{"、".join(wrong)}：复选框“{name}”的取值只能是 "{CHECKED}"（勾选）或 "{UNCHECKED}"',
                )
            return
        if nested or target is None or target.type != "select" or target.multiple or target.options_from:
            self.add(
                path,
                f"'{name}' is not a single select or a checkbox beside this field (top level only)",
                f"“{name}”不是本字段旁边的单选字段或复选框（仅限顶层字段）",
            )
            return
        unknown = [v for v in values if target.option(v) is None]
        if unknown:
            self.add(
                path,
                f"{', '.join(unknown)} is not an option of '{name}'",
                f"{'、'.join(unknown)} 不是“{name}”的选项",
            )

    def jurisdiction_list(self, path: str, value: Any) -> tuple[str, ...]:
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(j, str) and _JURISDICTION.fullmatch(j) for j in value)
        ):
            self.add(
                path,
                'must be a non-empty list of jurisdiction codes, e.g. ["dazu"]',
                '必须是非空的辖区代码列表，例如 ["dazu"]',
            )
            return ()
        return tuple(dict.fromkeys(value))

    def boolean(self, path: str, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(path, "must be true or false", "必须是 true 或 false")
            return False
        return value

    def count(self, path: str, value: Any, *, minimum: int = 0) -> int | None:
        if value is None:
            return None
        if not _is_int(value) or value < minimum:
            self.add(path, f"must be a whole number ≥ {minimum}", f"必须是不小于 {minimum} 的整数")
            return None
        return int(value)

    def ordered(self, path: str, low: Any, high: Any, low_key: str = "min", high_key: str = "max") -> None:
        if low is not None and high is not None and low > high:
            self.add(
                f"{path}.{low_key}",
                f"{low_key} ({low}) is greater than {high_key} ({high})",
                f"{low_key}（{low}）大于 {high_key}（{high}）",
            )

    def items(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any], default_max: int | None) -> None:
        kw["min_items"] = self.count(f"{path}.min_items", raw.get("min_items"))
        kw["max_items"] = self.count(f"{path}.max_items", raw.get("max_items"), minimum=1)
        if kw["max_items"] is None:
            kw["max_items"] = default_max
        self.ordered(path, kw["min_items"], kw["max_items"], "min_items", "max_items")

    # -- per type ----------------------------------------------------------------------------------------

    def type_text(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        kw["multiline"] = self.boolean(f"{path}.multiline", raw.get("multiline"))
        kw["min_length"] = self.count(f"{path}.min_length", raw.get("min_length"))
        max_length = self.count(f"{path}.max_length", raw.get("max_length"), minimum=1)
        if max_length is None:
            max_length = DEFAULT_MAX_LENGTH_MULTILINE if kw["multiline"] else DEFAULT_MAX_LENGTH
        kw["max_length"] = max_length
        self.ordered(path, kw["min_length"], max_length, "min_length", "max_length")
        pattern = raw.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str) or not pattern:
                self.add(
                    f"{path}.pattern", "must be a non-empty regular expression", "必须是非空的正则表达式"
                )
            else:
                try:
                    re.compile(pattern)
                    kw["pattern"] = pattern
                except re.error as exc:
                    self.add(
                        f"{path}.pattern", f"invalid regular expression: {exc}", f"正则表达式无效：{exc}"
                    )
        kw["pattern_message"] = self.local_text(
            f"{path}.pattern_message", raw.get("pattern_message"), required=False
        )
        if kw["pattern_message"] is not None and pattern is None:
            self.add(f"{path}.pattern_message", "needs a pattern", "需要同时给出 pattern")

    def type_number(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        integer = kw["integer"] = self.boolean(f"{path}.integer", raw.get("integer"))
        decimals = self.count(f"{path}.decimals", raw.get("decimals"))
        if decimals is not None:
            if integer:
                self.add(f"{path}.decimals", "an integer field has no decimals", "整数字段不能设置小数位数")
            elif decimals > 10:
                self.add(f"{path}.decimals", "at most 10 decimal places", "小数位数最多为 10")
        kw["decimals"] = decimals
        for key in ("min", "max"):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.add(f"{path}.{key}", "must be a number", "必须是数字")
                continue
            try:
                dec = Decimal(str(value))
            except InvalidOperation:  # pragma: no cover - JSON numbers always convert
                self.add(f"{path}.{key}", "must be a number", "必须是数字")
                continue
            if integer and dec != dec.to_integral_value():
                self.add(
                    f"{path}.{key}", "must be a whole number for an integer field", "整数字段的界限必须是整数"
                )
            elif abs(dec) > NUMBER_LIMIT:
                self.add(f"{path}.{key}", f"must be within ±{NUMBER_LIMIT}", f"必须在 ±{NUMBER_LIMIT} 之内")
            else:
                kw[key] = dec
        self.ordered(path, kw.get("min"), kw.get("max"))

    def type_money(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        for key in ("min", "max"):
            value = raw.get(key)
            if value is None:
                continue
            if not _is_int(value):
                self.add(
                    f"{path}.{key}",
                    "must be a whole number of fen (1 yuan = 100 fen)",
                    "必须是以分为单位的整数（1 元 = 100 分）",
                )
            elif abs(value) > MONEY_LIMIT_FEN:
                self.add(
                    f"{path}.{key}",
                    f"must be within ±{MONEY_LIMIT_FEN} fen",
                    f"必须在 ±{MONEY_LIMIT_FEN} 分之内",
                )
            else:
                kw[key] = value
        kw.setdefault("min", 0)
        self.ordered(path, kw.get("min"), kw.get("max"))

    def type_date(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        for key in ("min", "max"):
            value = raw.get(key)
            if value is None:
                continue
            try:
                if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                    raise ValueError
                kw[key] = date.fromisoformat(value)
            except ValueError:
                self.add(f"{path}.{key}", "must be a date YYYY-MM-DD", "必须是日期 YYYY-MM-DD")
        self.ordered(path, kw.get("min"), kw.get("max"))

    def type_datetime(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        pass

    def type_checkbox(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        pass

    def type_select(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        kw["multiple"] = multiple = self.boolean(f"{path}.multiple", raw.get("multiple"))
        if multiple:
            self.items(path, raw, kw, None)
        else:
            for key in ("min_items", "max_items"):
                if key in raw:
                    self.add(f"{path}.{key}", "only for a multiple select", "仅适用于多选")
        source = raw.get("options_from")
        if source is not None:
            if source not in OPTION_SOURCES:
                self.add(
                    f"{path}.options_from",
                    f"must be one of {', '.join(OPTION_SOURCES)}",
                    f"必须是以下之一：{'、'.join(OPTION_SOURCES)}",
                )
            elif "options" in raw:
                self.add(f"{path}.options", "not with options_from", "不能与 options_from 同时使用")
            kw["options_from"] = source
            kw["options"] = ()
            return
        options = raw.get("options")
        parsed = self.option_list(path, options)
        if parsed is None:
            return
        kw["options"] = parsed
        if kw.get("max_items") is not None and kw["max_items"] > len(options):
            kw["max_items"] = len(options)

    def option_list(self, path: str, options: Any) -> tuple[Option, ...] | None:
        """The ``{value, label}`` options at ``path`` (a select's, or a readonly's labels); None when unusable."""
        if not isinstance(options, list) or not options:
            self.add(
                f"{path}.options",
                "must be a non-empty list of {value, label}",
                "必须是非空的 {value, label} 列表",
            )
            return None
        out: list[Option] = []
        seen: set[str] = set()
        for i, opt in enumerate(options):
            here = f"{path}.options[{i}]"
            if not isinstance(opt, Mapping):
                self.add(here, "an option must be an object {value, label}", "选项必须是对象 {value, label}")
                continue
            self.unknown_keys(here, opt, {"value", "label"})
            value = opt.get("value")
            label = self.local_text(f"{here}.label", opt.get("label"), required=True)
            if not isinstance(value, str) or not value.strip() or len(value) > 100 or value != value.strip():
                self.add(
                    f"{here}.value",
                    "must be a non-empty string without surrounding spaces (at most 100)",
                    "必须是非空字符串，首尾无空格（最多 100 个字符）",
                )
                continue
            if value in seen:
                self.add(f"{here}.value", f"duplicate option value '{value}'", f"选项值 '{value}' 重复")
                continue
            seen.add(value)
            if label is not None:
                out.append(Option(value, label))
        return tuple(out)

    def type_group(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        self.items(path, raw, kw, DEFAULT_MAX_ITEMS)
        kw["fields"] = self.field_list(f"{path}.fields", raw.get("fields"), nested=True)
        if "source" in raw:  # the rows a new task starts with: one per item of this data list (prefill_rows)
            source = raw.get("source")
            if not isinstance(source, str) or not _SOURCE.fullmatch(source):
                self.add(
                    f"{path}.source",
                    "must name a data key holding a list, e.g. 'candidates'",
                    "必须是列表数据的键名，例如 'candidates'",
                )
            else:
                kw["source"] = source

    def type_file(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        kw["multiple"] = multiple = self.boolean(f"{path}.multiple", raw.get("multiple"))
        if multiple:
            self.items(path, raw, kw, DEFAULT_MAX_ITEMS)
        else:
            for key in ("min_items", "max_items"):
                if key in raw:
                    self.add(f"{path}.{key}", "only for multiple files", "仅适用于多文件")
        max_size = self.count(f"{path}.max_size", raw.get("max_size"), minimum=1)
        kw["max_size"] = DEFAULT_MAX_SIZE if max_size is None else max_size
        accept = raw.get("accept")
        if accept is None:
            return
        if not isinstance(accept, list) or not accept:
            self.add(
                f"{path}.accept",
                'must be a non-empty list like [".pdf", "image/*"]',
                '必须是非空列表，例如 [".pdf", "image/*"]',
            )
            return
        out: list[str] = []
        for i, item in enumerate(accept):
            if isinstance(item, str) and (_EXTENSION.fullmatch(item) or _MIME.fullmatch(item.lower())):
                out.append(item.lower())
            else:
                self.add(
                    f"{path}.accept[{i}]",
                    "must be an extension like '.pdf' or a content type like 'application/pdf' or 'image/*'",
                    "必须是扩展名（如 '.pdf'）或内容类型（如 'application/pdf'、'image/*'）",
                )
        kw["accept"] = tuple(dict.fromkeys(out))

    def type_picker(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        of = raw.get("of")
        if of not in PICKER_KINDS:
            self.add(
                f"{path}.of",
                f"must be one of {', '.join(PICKER_KINDS)}",
                f"必须是以下之一：{', '.join(PICKER_KINDS)}",
            )
        else:
            kw["of"] = of
        if "people_of" in raw:
            names = raw["people_of"]
            if (
                of != "person"
                or not isinstance(names, list)
                or not names
                or not all(isinstance(n, str) and _NAME.fullmatch(n) for n in names)
            ):
                self.add(
                    f"{path}.people_of",
                    "only for a person picker: a non-empty list of the names of unit pickers beside it",
                    "仅适用于人员选择：同级单位选择字段名的非空列表",
                )
            else:
                kw["people_of"] = tuple(names)
        kw["multiple"] = multiple = self.boolean(f"{path}.multiple", raw.get("multiple"))
        if multiple:
            self.items(path, raw, kw, DEFAULT_MAX_ITEMS)
        else:
            for key in ("min_items", "max_items"):
                if key in raw:
                    self.add(f"{path}.{key}", "only for a multiple picker", "仅适用于多选")

    def type_readonly(self, path: str, raw: Mapping[str, Any], kw: dict[str, Any]) -> None:
        source = raw.get("source")
        if not isinstance(source, str) or not _SOURCE.fullmatch(source):
            self.add(
                f"{path}.source",
                "must name a data key, e.g. 'budget' or 'need.title'",
                "必须是数据键名，例如 'budget' 或 'need.title'",
            )
        else:
            kw["source"] = source
        fmt = raw.get("format", "text")
        if fmt not in READONLY_FORMATS:
            self.add(
                f"{path}.format",
                f"must be one of {', '.join(READONLY_FORMATS)}",
                f"必须是以下之一：{', '.join(READONLY_FORMATS)}",
            )
        else:
            kw["format"] = fmt
        if "options" in raw:  # a stored option value shown by its label (e.g. a cause chosen on another form)
            parsed = self.option_list(path, raw.get("options"))
            if parsed is not None:
                kw["options"] = parsed
