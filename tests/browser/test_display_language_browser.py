"""What a bureau clerk reads about a call that is published but not collecting yet, in Chinese and in English:
the monitor's list and the case page name its stage alike (``engine.call_stage``), and the English pages show
no Chinese stage, status or punctuation of their own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: Chinese characters and full-width punctuation
CHINESE = re.compile(r"[\u4e00-\u9fff\uff08\uff09\uff1a\uff1b\u3001\uff0c]")


@pytest.fixture
def dazu_bureau(demo_data: Any, db_session: Any, sim: Any) -> Any:
    from engine.users import add_user

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(db_session, "bureau_dazu", roles=[], password_hash=fast)
    db_session.commit()
    sim.set("2026-09-20T09:00:00+08:00")
    return demo_data


def test_a_call_not_open_yet_reads_alike_in_the_list_and_the_case_in_both_languages(
    roles: Any, dazu_bureau: Any
) -> None:
    clerk = roles("bureau_dazu")
    clerk.open("/start/dazu_call", "发布年度需求征集通知")
    clerk.page.fill("#f-notice_call_opens", "2026-09-28T10:00")
    clerk.page.fill("#f-notice_call_closes", "2026-11-30T17:30")
    clerk.page.click("button.primary")
    clerk.page.wait_for_load_state("networkidle")
    assert "/instances/" in clerk.page.url
    case_url = "/instances/" + clerk.page.url.split("/instances/", 1)[1].split("?", 1)[0]
    not_open = "征集未开始：北京时间 2026年9月28日 10:00 起征集"
    assert clerk.page.locator("dd[data-stage]").inner_text() == not_open

    clerk.open("/monitor/?process=dazu_call", "DAZU-2026-CALL-001", shot="display-monitor-call-not-open")
    row = clerk.page.locator("table.jb-instances tbody tr", has_text="DAZU-2026-CALL-001")
    assert row.locator("td[data-stage]").inner_text() == not_open  # not 征集截止
    assert "运行中" in row.inner_text()

    english = "Not collecting yet: opens 2026-09-28 10:00 (Beijing time)"
    clerk.open("/monitor/?process=dazu_call&lang=en", "DAZU-2026-CALL-001", shot="display-monitor-call-en")
    row = clerk.page.locator("table.jb-instances tbody tr", has_text="DAZU-2026-CALL-001")
    assert row.locator("td[data-stage]").inner_text() == english
    assert "Running" in row.inner_text() and "运行中" not in row.inner_text()
    headings = clerk.page.locator("table.jb-instances thead").inner_text()
    assert not CHINESE.search(headings), headings

    clerk.open(case_url + "?lang=en", "Stage", shot="display-case-call-en")
    assert clerk.page.locator("dd[data-stage]").inner_text() == english
    clerk.open(case_url.replace("/instances/", "/monitor/instances/") + "?lang=en", english)
    labels = " ".join(clerk.page.locator("main dl dt").all_inner_texts())
    assert "Status" in labels and not CHINESE.search(labels), labels
    assert clerk.page.locator("dd[data-stage]").inner_text() == english
    assert "Running" in clerk.page.locator("main dl").first.inner_text()
