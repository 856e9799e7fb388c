"""A deadline as readers are told it (queue, task and case pages, notices): a deadline given as a day is stored as
00:00 of the next day and read as 24:00 of the day itself; any other time is shown as it is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.deadline_text import deadline_text


@pytest.mark.parametrize(
    ("instant", "lang", "shown"),
    [
        # 2026-10-10 00:00 in Beijing: the last moment of 9 October
        (datetime(2026, 10, 9, 16, 0, tzinfo=UTC), "zh", "2026年10月9日 24:00"),
        (datetime(2026, 10, 9, 16, 0, tzinfo=UTC), "en", "2026-10-09 24:00"),
        # 1 January 00:00 in Beijing closes the last day of the year before
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "zh", "2026年12月31日 24:00"),
        # a deadline at a time of day keeps it
        (datetime(2026, 10, 10, 9, 30, tzinfo=UTC), "zh", "2026年10月10日 17:30"),
        (datetime(2026, 10, 10, 9, 30, tzinfo=UTC), "en", "2026-10-10 17:30"),
    ],
)
def test_a_deadline_reads_as_the_last_day_it_includes(instant: datetime, lang: str, shown: str) -> None:
    assert deadline_text(instant, lang) == shown
