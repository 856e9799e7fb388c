"""Start forms: selects filled at run time (``options_from``) and the annual call's window rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.domain.calls import call_window_problems
from forms.definition import FormDefinition, LocalText, Option, with_options
from forms.errors import FormDefinitionError, FormInvalid
from forms.schema import validate_submission

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 5, 6, 9, 0, tzinfo=CST)


def form(field: dict) -> FormDefinition:  # type: ignore[type-arg]
    return FormDefinition.load({"id": "f", "title": {"zh": "表", "en": "Form"}, "fields": [field]})


SELECT = {"name": "call", "type": "select", "label": {"zh": "征集通知", "en": "Call"}, "required": True}


def test_options_from_is_filled_for_the_user_and_validated() -> None:
    defn = form({**SELECT, "options_from": "open_calls"})
    assert defn.field("call").options == ()
    filled = with_options(defn, {"call": (Option("7", LocalText("2026年征集", "2026 call")),)})
    assert validate_submission(filled, {"call": "7"}) == {"call": "7"}
    with pytest.raises(FormInvalid):
        validate_submission(filled, {"call": "8"})  # not an open call of this user
    with pytest.raises(FormInvalid):
        validate_submission(defn, {"call": "7"})  # nothing filled: nothing can be chosen


@pytest.mark.parametrize(
    "field",
    [
        {**SELECT, "options_from": "everything"},
        {
            **SELECT,
            "options_from": "open_calls",
            "options": [{"value": "1", "label": {"zh": "一", "en": "1"}}],
        },
    ],
)
def test_options_from_unknown_or_with_options_is_refused(field: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(FormDefinitionError):
        form(field)


def test_call_window_in_order_and_not_in_the_past() -> None:  # 001 八(一): the window of the annual notice
    day = timedelta(days=1)
    assert call_window_problems(NOW, NOW + 30 * day, NOW) == {}
    assert call_window_problems(NOW - timedelta(seconds=30), NOW + day, NOW) == {}  # the current minute
    assert set(call_window_problems(NOW - day, NOW + day, NOW)) == {"notice_call_opens"}
    assert set(call_window_problems(NOW + 2 * day, NOW + day, NOW)) == {"notice_call_closes"}
    assert set(call_window_problems(NOW + day, NOW + day, NOW)) == {"notice_call_closes"}
    zh, en = call_window_problems(NOW - 3 * day, NOW - day, NOW)["notice_call_closes"]
    assert "已经过去" in zh and "past" in en
