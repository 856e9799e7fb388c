"""Languages: Chinese by default, English on request (the 中文 | English switch).

Source strings in templates and views are Chinese (``_("待办任务")``); ``web/translations/en`` holds the
English catalogue (``messages.po`` and its compiled ``messages.mo``, both committed — see
web/translations/README.md). Engine errors and form messages carry both languages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

babel = Babel()


def current_lang() -> str:
    """``zh`` or ``en``: the user's choice (session), else ``?lang=``, else Chinese."""
    try:
        chosen = session.get("lang") or request.args.get("lang")
    except RuntimeError:  # outside a request
        return DEFAULT
    return chosen if chosen in LANGUAGES else DEFAULT


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=current_lang, timezone_selector=lambda: "Asia/Shanghai")


def diagram_name(name: str | None) -> str:
    """A diagram's display name (task, process, event) in the user's language: the Chinese name is the key of
    its English in the i18n catalogue (``engine.diagram_names``)."""
    from flask_babel import gettext

    if not name:
        return ""
    return gettext(name) if current_lang() == "en" else name


@dataclass(frozen=True)
class Punctuation:
    """The punctuation a template puts between its texts: full-width in Chinese, half-width (with its space) in
    English, so no English page shows ``Drawn：`` and no Chinese one ``抽中:``."""

    colon: str
    semi: str
    open: str
    close: str
    enum: str
    comma: str


CHINESE_PUNCTUATION = Punctuation(colon="：", semi="；", open="（", close="）", enum="、", comma="，")
ENGLISH_PUNCTUATION = Punctuation(colon=": ", semi="; ", open=" (", close=")", enum=", ", comma=", ")


def punctuation() -> Punctuation:
    """The user's language's punctuation (``punct`` in templates)."""
    return ENGLISH_PUNCTUATION if current_lang() == "en" else CHINESE_PUNCTUATION


#: how ``engine.runtime.save`` joins the names of an instance's stage when several tasks are ready at once
STAGE_SEPARATOR = "、"


def stage_text(stage: str | None) -> str:
    """An instance's stage (``ProcessInstance.stage``: the diagram names of its ready tasks or waiting events,
    joined by 、) in the user's language: each name's English from the catalogue, joined by commas."""
    from flask_babel import gettext

    if not stage:
        return ""
    if current_lang() != "en":
        return stage
    whole = gettext(stage)
    if whole != stage or STAGE_SEPARATOR not in stage:
        return whole
    return ", ".join(gettext(part) for part in stage.split(STAGE_SEPARATOR))
