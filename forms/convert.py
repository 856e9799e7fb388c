"""Conversions shared by the validator and the renderer: money in fen, local and UTC date-times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# "1234", "1234.5", "1,234.56", "-5"; thousands separators must group by three.
_MONEY = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)
MAX_NUMBER_TEXT = 40


class ConversionError(ValueError):
    """The value has the wrong form (the caller picks the user message)."""


def parse_money_fen(value: object) -> int:
    """Yuan → integer fen, exactly. Accepts ``"1,234.56"``, ``"1234.5"``, ints, floats and Decimals.

    A float is read through its shortest repr (``0.1`` → ``"0.1"``), so ``0.1 + 0.2`` has too many
    decimals and is refused rather than rounded.
    """
    if isinstance(value, bool):
        raise ConversionError("boolean")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConversionError("not finite")
        value = repr(value)
        if "e" in value or "E" in value:
            try:
                value = format(Decimal(value), "f")
            except InvalidOperation as exc:  # pragma: no cover - repr of a finite float always parses
                raise ConversionError("number") from exc
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConversionError("not finite")
        value = format(value, "f")
    if not isinstance(value, str):
        raise ConversionError("type")
    text = value.strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise ConversionError("too long")
    m = _MONEY.fullmatch(text)
    if m is None:
        raise ConversionError("format")
    sign, whole, frac = m.groups()
    fen = int(whole.replace(",", "")) * 100 + int((frac or "0").ljust(2, "0"))
    return -fen if sign == "-" else fen


def format_money_fen(fen: int, *, grouping: bool = False) -> str:
    """Integer fen → yuan with two decimals: ``123456`` → ``"1234.56"`` (``"1,234.56"`` with grouping)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{whole_text}.{cents:02d}"


def parse_decimal(value: object) -> Decimal:
    """A number from JSON (int, float) or text; no exponents, no thousands separators in text."""
    if isinstance(value, bool):
        raise ConversionError("boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConversionError("not finite")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConversionError("not finite")
        return value
    if not isinstance(value, str):
        raise ConversionError("type")
    text = value.strip()
    if len(text) > MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
        raise ConversionError("format")
    return Decimal(text)


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def plain_number(value: Decimal | int) -> str:
    """``Decimal("100.50")`` → ``"100.5"``, ``Decimal("1E+2")`` → ``"100"``."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        raise ConversionError("datetime")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ConversionError("format")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConversionError("invalid date") from exc


def parse_datetime_utc(value: object) -> datetime:
    """Local Asia/Shanghai time (naive) or time with an offset → aware UTC datetime, whole seconds."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ConversionError("invalid datetime") from exc
    else:
        raise ConversionError("format")
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=LOCAL_TZ)
    return dt.astimezone(UTC).replace(microsecond=0)


def format_datetime_utc(dt: datetime) -> str:
    """The stored form: ``2026-06-10T11:30:00+00:00``."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def to_local_input(value: object) -> str | None:
    """A stored aware value → ``YYYY-MM-DDTHH:MM[:SS]`` in Asia/Shanghai for ``datetime-local``.

    Returns None when ``value`` is not an aware date-time (e.g. the user's raw, unparseable input).
    """
    dt: datetime | None = None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    if dt is None or dt.tzinfo is None:
        return None
    local = dt.astimezone(LOCAL_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")
