"""The supervisor's dashboard (issue 14 §1): every figure is the size of the list its link opens, within the
viewer's jurisdictions; money per jurisdiction and year comes from the ledger."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import update

from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.users import add_user
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import FIRST_FEN, implementing
from tests.web.conftest import _FAST_HASH, login

_LINKED = re.compile(r'<a href="(/monitor/\?[^"]+)">(\d+)</a>')
_TOTAL = re.compile(r"共 (\d+) 个实例")


def _setup(start, world) -> dict[str, int]:  # type: ignore[no-untyped-def]  # noqa: F811
    made = {"dazu": implementing(start, "dazu").id, "urumqi": start("urumqi").id}
    start("karamay")
    failed = start("zhangye").id
    world.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == failed)
        .values(status="error", error_message="除数为零", error_task="计算首笔资金 (first_tranche)")
    )
    add_user(world, "supervisor_all", roles=["supervisor"], jurisdiction=None)
    world.execute(
        update(User)
        .where(User.username.in_(("supervisor_all", "bureau_dazu")))
        .values(password_hash=_FAST_HASH)
    )
    world.commit()
    return made


def _section(page: str, table_id: str) -> str:
    begin = page.index(f'id="{table_id}"')
    return page[begin : page.index("</table>", begin)]


def test_every_figure_is_the_size_of_its_list(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _setup(start, world)
    login(client, "supervisor_all")
    page = client.get("/dashboard").get_data(as_text=True)
    checked = 0
    for table in ("table-stages", "table-statuses"):
        for url, shown in _LINKED.findall(_section(page, table)):
            listed = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
            assert _TOTAL.search(listed).group(1) == shown, url  # type: ignore[union-attr]
            checked += 1
    assert checked >= 6
    assert "大足" in _section(page, "table-statuses") and "张掖" in _section(page, "table-statuses")
    failed = _section(page, "table-failed")
    assert "除数为零" in failed and "计算首笔资金" in failed
    money = _section(page, "table-money")
    first = FIRST_FEN["dazu"] // 100
    assert "2026" in money and f"{first:,}.00" in money  # the first Dazu tranche, in 元
    assert "dashboard.js" in page and 'id="dashboard-data"' in page


def test_bureau_sees_its_own_jurisdiction_only(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _setup(start, world)
    login(client, "bureau_dazu")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "大足" in _section(page, "table-statuses")
    for other in ("乌鲁木齐", "克拉玛依", "张掖"):
        assert other not in page.split('id="table-statuses"')[1].split("</section>")[0]
    assert "除数为零" not in page  # Zhangye's failure is not Dazu's business
    english = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Running instances by stage" in english and "各阶段在办实例" not in english
    # the process by its name
    assert "Dazu challenge lifecycle" in english and "大足区揭榜挂帅项目" not in english
    listed = client.get("/monitor/?lang=en").get_data(as_text=True)
    assert "Dazu challenge lifecycle" in listed and "大足区揭榜挂帅项目" not in listed


def test_dashboard_is_for_oversight_roles(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _setup(start, world)
    world.execute(update(User).where(User.username == "issuer_dazu").values(password_hash=_FAST_HASH))
    world.commit()
    login(client, "issuer_dazu")
    assert client.get("/dashboard").status_code == 403


def test_heat_counts_match_the_lists_and_the_database(client: FlaskClient, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import json

    from sqlalchemy import func, select

    from engine.models.task import HumanTask

    _setup(start, world)
    start("dazu")
    login(client, "supervisor_all")
    version = world.scalar(
        select(ProcessInstance.version).where(ProcessInstance.process_key == "dazu_challenge")
    )
    page = client.get(f"/monitor/processes/dazu_challenge/{version}/heat").get_data(as_text=True)
    heat = json.loads(re.search(r'id="heat-data">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    # one instance posts its need; the implementing one waits in 实施中 for its checkpoint and, on the boundary
    # of 实施中, for the reminder before it (two timers of one instance)
    assert heat["counts"] == {"post_need": 1, "checkpoint": 1, "reminder": 1}
    in_db = world.scalar(
        select(func.count(func.distinct(HumanTask.instance_id))).where(
            HumanTask.task_spec == "post_need",
            HumanTask.status == "ready",
            HumanTask.process_key == "dazu_challenge",
        )
    )
    assert heat["counts"]["post_need"] == in_db
    for element, count in heat["counts"].items():
        listed = client.get(heat["links"][element]).get_data(as_text=True)
        assert _TOTAL.search(listed).group(1) == str(count), element  # type: ignore[union-attr]
    # a stage (call activity) counts the instances waiting anywhere inside it, and its list agrees
    for stage, count in heat["stages"].items():
        listed = client.get(heat["links"][stage]).get_data(as_text=True)
        assert _TOTAL.search(listed).group(1) == str(count), stage  # type: ignore[union-attr]
    assert (
        client.get(f"/monitor/processes/dazu_challenge/{version}/diagram.bpmn").mimetype == "application/xml"
    )
    assert client.get("/monitor/processes/nothing/1/heat").status_code == 404
