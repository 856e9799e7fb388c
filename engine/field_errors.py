"""Collect refusals per form field as (Chinese, English) pairs, then raise them all at once as one
``ValidationFailed`` whose ``details`` carry ``fields`` (Chinese) and ``fields_en`` like the task forms."""

from __future__ import annotations

from engine.errors import ValidationFailed


class FieldErrors:
    def __init__(self) -> None:
        self._zh: dict[str, list[str]] = {}
        self._en: dict[str, list[str]] = {}

    def add(self, field: str, zh: str, en: str) -> None:
        self._zh.setdefault(field, []).append(zh)
        self._en.setdefault(field, []).append(en)

    def __bool__(self) -> bool:
        return bool(self._zh)

    def raise_any(self) -> None:
        if not self._zh:
            return
        raise ValidationFailed(
            "表单有误，未保存：" + "；".join(m for v in self._zh.values() for m in v),
            "The form has errors and nothing was saved: " + " ".join(m for v in self._en.values() for m in v),
            details={"fields": self._zh, "fields_en": self._en},
        )
