"""Server-side validation of a submission: a marshmallow schema built from a ``FormDefinition``.

``validate_submission`` is the one entry point for the browser, the REST API and the CLI. It returns cleaned,
JSON-serialisable data (money in integer fen, dates ``YYYY-MM-DD``, date-times ISO in UTC) or raises
``FormInvalid`` with messages per field path in Chinese and English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, post_load
from marshmallow.error_store import SCHEMA

from forms import messages as msg
from forms.convert import (
    ConversionError,
    decimal_places,
    format_datetime_utc,
    format_money_fen,
    parse_date,
    parse_datetime_utc,
    parse_decimal,
    parse_money_fen,
    plain_number,
)
from forms.definition import MONEY_LIMIT_FEN, NUMBER_LIMIT, FieldDef, FormDefinition
from forms.errors import FormInvalid, Message

__all__ = ["FormInvalid", "build_schema", "flatten_errors", "validate_submission"]

# Attribute names are prefixed so a field called "load", "fields" or "Meta" cannot shadow Schema members;
# data keys (what the user sends and what errors name) are the field names themselves.
_PREFIX = "f__"
_FILE_KEYS = ("name", "size", "content_type", "sha256", "storage_key")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+\-]*/[a-z0-9][a-z0-9!#$&^_.+\-]*")


def _fail(message: Message | list[Message] | dict[Any, Any]) -> ValidationError:
    return ValidationError(message)  # type: ignore[arg-type]


def _blank(value: Any) -> bool:
    return value is None or value is missing or (isinstance(value, str) and not value.strip())


def _has_control_chars(text: str, allowed: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


class _FormField(fields.Field):
    """Base of our fields: ``deserialize`` is replaced whole, so marshmallow's own English messages never
    appear; blank input (missing, None, "   ") counts as not given."""

    def __init__(self, spec: FieldDef) -> None:
        super().__init__(data_key=spec.name)
        self.spec = spec

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if _blank(value):
            if self.spec.required:
                raise _fail(msg.REQUIRED)
            return None
        return self.convert(value)

    def convert(self, value: Any) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class _Text(_FormField):
    def convert(self, value: Any) -> str:
        spec = self.spec
        if not isinstance(value, str):
            raise _fail(msg.NOT_TEXT)
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not spec.multiline and "\n" in text:
            raise _fail(msg.SINGLE_LINE)
        if _has_control_chars(text, "\n\t" if spec.multiline else "\t"):
            raise _fail(msg.CONTROL_CHARS)
        problems: list[Message] = []
        if spec.min_length is not None and len(text) < spec.min_length:
            problems.append(msg.min_length(spec.min_length))
        if spec.max_length is not None and len(text) > spec.max_length:
            problems.append(msg.max_length(spec.max_length))
        if spec.pattern is not None and re.fullmatch(spec.pattern, text) is None:
            pm = spec.pattern_message
            problems.append(Message(pm.zh, pm.en) if pm else msg.BAD_PATTERN)
        if problems:
            raise _fail(problems)
        return text


class _Number(_FormField):
    def convert(self, value: Any) -> int | float:
        spec = self.spec
        try:
            number = parse_decimal(value)
        except ConversionError:
            raise _fail(msg.NOT_NUMBER) from None
        if abs(number) > NUMBER_LIMIT:
            raise _fail(msg.NUMBER_OUT_OF_RANGE)
        if spec.integer and number != number.to_integral_value():
            raise _fail(msg.NOT_INTEGER)
        if spec.decimals is not None and decimal_places(number) > spec.decimals:
            raise _fail(msg.decimals(spec.decimals))
        if spec.min is not None and number < spec.min:  # type: ignore[operator]
            raise _fail(msg.too_small(plain_number(spec.min)))  # type: ignore[arg-type]
        if spec.max is not None and number > spec.max:  # type: ignore[operator]
            raise _fail(msg.too_large(plain_number(spec.max)))  # type: ignore[arg-type]
        return int(number) if spec.integer else float(number)


class _Money(_FormField):
    def convert(self, value: Any) -> int:
        spec = self.spec
        try:
            fen = parse_money_fen(value)
        except ConversionError:
            raise _fail(msg.NOT_MONEY) from None
        if abs(fen) > MONEY_LIMIT_FEN:
            raise _fail(msg.MONEY_TOO_LARGE)
        if spec.min is not None and fen < spec.min:  # type: ignore[operator]
            raise _fail(msg.money_too_small(format_money_fen(spec.min, grouping=True)))  # type: ignore[arg-type]
        if spec.max is not None and fen > spec.max:  # type: ignore[operator]
            raise _fail(msg.money_too_large(format_money_fen(spec.max, grouping=True)))  # type: ignore[arg-type]
        return fen


class _Date(_FormField):
    def convert(self, value: Any) -> str:
        spec = self.spec
        try:
            day = parse_date(value)
        except ConversionError:
            raise _fail(msg.NOT_DATE) from None
        if spec.min is not None and day < spec.min:  # type: ignore[operator]
            raise _fail(msg.date_too_early(spec.min.isoformat()))  # type: ignore[union-attr]
        if spec.max is not None and day > spec.max:  # type: ignore[operator]
            raise _fail(msg.date_too_late(spec.max.isoformat()))  # type: ignore[union-attr]
        return day.isoformat()


class _DateTime(_FormField):
    def convert(self, value: Any) -> str:
        try:
            return format_datetime_utc(parse_datetime_utc(value))
        except (ConversionError, OverflowError):
            raise _fail(msg.NOT_DATETIME) from None


def _check_count(spec: FieldDef, count: int) -> None:
    low = spec.min_items or 0
    if spec.required and count == 0:
        raise _fail(msg.REQUIRED)
    if count < low:
        raise _fail(msg.min_items(low))
    if spec.max_items is not None and count > spec.max_items:
        raise _fail(msg.max_items(spec.max_items))


class _Select(_FormField):
    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if not self.spec.multiple:
            return super().deserialize(value, attr, data, **kwargs)
        if value is None or value is missing:
            value = []
        if not isinstance(value, list | tuple):
            raise _fail(msg.NOT_LIST)
        chosen: list[str] = []
        for item in value:
            if not isinstance(item, str) or self.spec.option(item) is None:
                raise _fail(msg.NOT_CHOICE)
            if item in chosen:
                raise _fail(msg.duplicate_choice(item))
            chosen.append(item)
        _check_count(self.spec, len(chosen))
        return chosen

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or self.spec.option(value.strip()) is None:
            raise _fail(msg.NOT_CHOICE)
        return value.strip()


#: A code a picker accepts: an organisation's unified social credit code or a person's code.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")


class _Picker(_FormField):
    """Codes of directory records. Single: the code. Multiple: a list of codes (or one text of codes separated by
    commas) stored as one text of codes joined by ``,`` in the order given — the form the diagrams' scripts
    split. Whether the codes exist (in the case's jurisdiction) is ``forms.pickers.check_picks``' question."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if not self.spec.multiple:
            return super().deserialize(value, attr, data, **kwargs)
        if value is None or value is missing:
            value = []
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            raise _fail(msg.NOT_LIST)
        chosen: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise _fail(msg.NOT_CODE)
            code = item.strip()
            if not code:
                continue
            if not _CODE.fullmatch(code):
                raise _fail(msg.NOT_CODE)
            if code in chosen:
                raise _fail(msg.duplicate_choice(code))
            chosen.append(code)
        _check_count(self.spec, len(chosen))
        return ",".join(chosen) if chosen else None

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or not _CODE.fullmatch(value.strip()):
            raise _fail(msg.NOT_CODE)
        return value.strip()


class _Checkbox(_FormField):
    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> bool:
        if value is None or value is missing:
            value = False
        if not isinstance(value, bool):
            raise _fail(msg.NOT_BOOL)
        if self.spec.required and not value:
            raise _fail(msg.MUST_TICK)
        return value


class _File(_FormField):
    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        spec = self.spec
        if not spec.multiple:
            if value is None or value is missing:
                if spec.required:
                    raise _fail(msg.REQUIRED)
                return None
            return self.one(value)
        if value is None or value is missing:
            value = []
        if not isinstance(value, list | tuple):
            raise _fail(msg.NOT_LIST)
        _check_count(spec, len(value))
        out: list[dict[str, Any]] = []
        errors: dict[int, Any] = {}
        for i, item in enumerate(value):
            try:
                out.append(self.one(item))
            except ValidationError as exc:
                errors[i] = exc.messages
        if errors:
            raise _fail(errors)
        return out

    def one(self, meta: Any) -> dict[str, Any]:
        spec = self.spec
        if not isinstance(meta, Mapping) or set(meta) != set(_FILE_KEYS):
            raise _fail(msg.BAD_FILE)
        name, size, ctype, sha, key = (meta[k] for k in _FILE_KEYS)
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > 255
            or "/" in name
            or "\\" in name
            or _has_control_chars(name, "")
            or not isinstance(size, int)
            or isinstance(size, bool)
            or size < 0
            or not isinstance(ctype, str)
            or not _CONTENT_TYPE.fullmatch(ctype.split(";", 1)[0].strip().lower())
            or not isinstance(sha, str)
            or not _SHA256.fullmatch(sha)
            or not isinstance(key, str)
            or not key.strip()
            or len(key) > 500
            or _has_control_chars(key, "")
        ):
            raise _fail(msg.BAD_FILE)
        ctype = ctype.split(";", 1)[0].strip().lower()
        problems: list[Message] = []
        if spec.max_size is not None and size > spec.max_size:
            problems.append(msg.file_too_large(msg.human_size(spec.max_size)))
        if spec.accept and not _accepted(spec.accept, name, ctype):
            problems.append(msg.file_type(", ".join(spec.accept)))
        if problems:
            raise _fail(problems)
        return {"name": name, "size": size, "content_type": ctype, "sha256": sha.lower(), "storage_key": key}


def _accepted(accept: tuple[str, ...], name: str, content_type: str) -> bool:
    """Like the HTML ``accept`` attribute: any matching extension or content type is enough."""
    lower = name.lower()
    for entry in accept:
        if entry.startswith("."):
            if lower.endswith(entry):
                return True
        elif entry.endswith("/*"):
            if content_type.startswith(entry[:-1]):
                return True
        elif content_type == entry:
            return True
    return False


class _Ignored(_FormField):
    """Readonly: shown from the task context, never taken from input; a submitted value is dropped."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        return missing


class _Group(_FormField):
    def __init__(self, spec: FieldDef) -> None:
        super().__init__(spec)
        self.row_schema = _schema_for(spec.fields, name=f"Group_{spec.name}")

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if value is None or value is missing:
            value = []
        if not isinstance(value, list | tuple):
            raise _fail(msg.NOT_LIST)
        errors: dict[Any, Any] = {}
        try:
            _check_count(self.spec, len(value))
        except ValidationError as exc:
            errors[SCHEMA] = exc.messages
        rows: list[dict[str, Any]] = []
        for i, row in enumerate(value[: (self.spec.max_items or len(value))]):
            if not isinstance(row, Mapping):
                errors[i] = [msg.ROW_NOT_OBJECT]
                continue
            try:
                rows.append(self.row_schema.load(row))
            except ValidationError as exc:
                errors[i] = exc.messages
        if errors:
            raise _fail(errors)
        return rows


_FIELD_CLASSES: dict[str, type[_FormField]] = {
    "text": _Text,
    "number": _Number,
    "money": _Money,
    "date": _Date,
    "datetime": _DateTime,
    "select": _Select,
    "checkbox": _Checkbox,
    "group": _Group,
    "file": _File,
    "readonly": _Ignored,
    "picker": _Picker,
}


class FormSchema(Schema):
    """Base of generated schemas: unknown keys are refused, messages are bilingual."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": msg.UNKNOWN_FIELD, "type": msg.NOT_OBJECT}  # noqa: RUF012

    @post_load
    def _unprefix(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key[len(_PREFIX) :]: value for key, value in data.items()}


def _schema_for(specs: tuple[FieldDef, ...], *, name: str) -> Schema:
    declared = {_PREFIX + spec.name: _FIELD_CLASSES[spec.type](spec) for spec in specs}
    return FormSchema.from_dict(declared, name=name)()  # type: ignore[arg-type]


def build_schema(defn: FormDefinition) -> Schema:
    """The marshmallow schema of a definition; built once per definition object and cached on it."""
    schema = defn._cache.get("schema")
    if schema is None:
        schema = _schema_for(defn.fields, name=f"Form_{defn.id}")
        defn._cache["schema"] = schema
    return schema


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[Message]]:
    """marshmallow's nested errors → ``{"members.1.name": [...]}``; ``_form`` for the whole submission."""
    out: dict[str, list[Message]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key == SCHEMA:
                    walk(value, path)
                else:
                    walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, path)
        else:
            message = node if isinstance(node, Message) else Message(str(node), str(node))
            out.setdefault(path or "_form", []).append(message)

    walk(messages, prefix)
    return out


def validate_submission(defn: FormDefinition, data: Mapping[str, Any], *, lang: str = "zh") -> dict[str, Any]:
    """Validate and clean one submission; raise ``FormInvalid`` (messages in ``lang``, both kept)."""
    if not isinstance(data, Mapping):
        raise FormInvalid({"_form": [msg.NOT_OBJECT]}, lang=lang)
    try:
        cleaned = build_schema(defn).load(data)
    except ValidationError as exc:
        raise FormInvalid(_ordered(defn, flatten_errors(exc.messages)), lang=lang) from None
    return {f.name: cleaned[f.name] for f in defn.fields if f.name in cleaned}


def _ordered(defn: FormDefinition, errors: dict[str, list[Message]]) -> dict[str, list[Message]]:
    """Errors in the order of the form's fields (rows by index, then the row's fields), then the rest."""
    rank = {f.name: i for i, f in enumerate(defn.fields)}
    sub_rank = {(f.name, s.name): i for f in defn.fields for i, s in enumerate(f.fields)}

    def key(path: str) -> tuple[int, int, int, str]:
        parts = path.split(".")
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
        sub = sub_rank.get((parts[0], parts[2]), len(sub_rank)) if len(parts) > 2 else -1
        return (rank.get(parts[0], len(rank)), index, sub, path)

    return {path: errors[path] for path in sorted(errors, key=key)}
