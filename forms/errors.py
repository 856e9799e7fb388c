"""The exceptions of the forms package and the bilingual message type.

``forms`` imports nothing else of ours, so these do not derive from ``engine.errors``; the engine translates
them (``FormInvalid`` → ``ValidationFailed``, ``FormDefinitionError`` → a deployment problem).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class Message(str):
    """A user-visible message: the ``str`` value is Chinese, ``.en`` the English translation.

    Being a ``str`` lets it travel through marshmallow's error store unchanged.
    """

    en: str

    def __new__(cls, zh: str, en: str) -> Message:
        obj = super().__new__(cls, zh)
        obj.en = en
        return obj

    @property
    def zh(self) -> str:
        return str.__str__(self)

    def get(self, lang: str = "zh") -> str:
        return self.zh if is_zh(lang) else self.en

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Message, (self.zh, self.en))


def is_zh(lang: str | None) -> bool:
    """``zh``, ``zh-CN``, ``zh_Hans``… are Chinese; anything else is English."""
    return (lang or "zh").lower().startswith("zh")


def text_in(message: object, lang: str) -> str:
    if isinstance(message, Message):
        return message.get(lang)
    return str(message)


class FormError(Exception):
    """Base class of every exception raised by the forms package."""


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong in a form definition: ``path`` is like ``fields[2](budget).max``."""

    path: str
    en: str
    zh: str


class FormDefinitionError(FormError):
    """The form definition file is invalid. ``str()`` is English; ``.zh`` is the Chinese text.

    ``problems`` lists every problem found (not just the first), each naming the field path.
    """

    def __init__(self, filename: str, problems: list[DefinitionProblem]) -> None:
        self.filename = filename
        self.problems = list(problems)
        self.en = "; ".join(
            f"{filename}: {p.path}: {p.en}" if p.path else f"{filename}: {p.en}" for p in problems
        )
        self.zh = "；".join(
            f"{filename}：{p.path}：{p.zh}" if p.path else f"{filename}：{p.zh}" for p in problems
        )
        super().__init__(self.en)

    def message(self, lang: str = "zh") -> str:
        return self.zh if is_zh(lang) else self.en

    def __str__(self) -> str:
        return self.en


class FormInvalid(FormError):
    """A submission failed validation.

    ``errors`` maps a field path (``budget``, ``members.1.name``; ``_form`` for the submission as a whole)
    to messages in ``lang``; ``errors_by_lang`` holds ``{"zh": {...}, "en": {...}}``.
    """

    def __init__(self, errors: Mapping[str, list[Message]], *, lang: str = "zh") -> None:
        self.lang = "zh" if is_zh(lang) else "en"
        self.errors_by_lang: dict[str, dict[str, list[str]]] = {
            code: {path: [text_in(m, code) for m in msgs] for path, msgs in errors.items()}
            for code in ("zh", "en")
        }
        self.errors: dict[str, list[str]] = self.errors_by_lang[self.lang]
        super().__init__(self._summary("en"))

    def errors_in(self, lang: str) -> dict[str, list[str]]:
        return self.errors_by_lang["zh" if is_zh(lang) else "en"]

    def _summary(self, lang: str) -> str:
        sep = "；" if lang == "zh" else "; "
        return sep.join(f"{path}: {' '.join(msgs)}" for path, msgs in self.errors_in(lang).items())

    def message(self, lang: str = "zh") -> str:
        return self._summary("zh" if is_zh(lang) else "en")

    def __str__(self) -> str:
        return self._summary("en")
