"""Notifications end to end: a publicity with an objection, e-mails read from a real local SMTP server
(aiosmtpd on 127.0.0.1), the inbox page and the preferences page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.models.notification import Notification, OutboxMessage
from engine.models.user import User
from engine.notify import outbox
from tests.web.conftest import login, post
from tests.web.test_portal import OBJECTION, publicise  # noqa: F401  (fixture)

ADDRESSES = {
    "bureau_urumqi": "bureau@urumqi.example.cn",
    "bureau2_urumqi": "bureau2@urumqi.example.cn",
    "bureau_dazu": "bureau@dazu.example.cn",
    "issuer_urumqi": "issuer@urumqi.example.cn",
    "solver_urumqi": "solver@urumqi.example.cn",
}


class Inbox:
    """aiosmtpd handler keeping every delivered message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.original_content, policy=policy.default))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("JIEBANG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JIEBANG_SMTP_PORT", str(port))
    monkeypatch.setenv("JIEBANG_SMTP_FROM", "jiebang@kjj.example.cn")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def addresses(db_session: Session, web_users) -> None:  # type: ignore[no-untyped-def]
    for user in db_session.scalars(select(User)):
        user.email = ADDRESSES.get(user.username)
    db_session.commit()


def _subject(mail: Message) -> str:
    return str(mail["Subject"])


@pytest.mark.slow
def test_one_publicity_with_an_objection_mails_each_person_once(
    client: FlaskClient,
    db_session: Session,
    db_url: str,
    smtp: Inbox,
    addresses,
    publicise,  # noqa: F811
) -> None:
    iid = publicise("P-1")
    filed = post(client, "/portal/notices/P-1", OBJECTION)
    assert filed.status_code == 200
    # two schedulers run side by side (`jiebang scheduler`): each row is claimed by one and sent once
    env = dict(os.environ, JIEBANG_DATABASE_URL=db_url)
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "scheduler"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 6 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(12)  # another round of both schedulers: nothing is sent again
    finally:
        for proc in schedulers:
            proc.terminate()
        logs = [proc.communicate(timeout=10)[0] for proc in schedulers]
    assert sum(log.count("sent,") for log in logs) >= 1, logs
    db_session.rollback()
    assert outbox.deliver_due(db_session, "third-worker").sent == 0

    got = Counter((tuple(rcpt), _subject(mail)) for rcpt, mail in smtp.messages)
    bureau = [ADDRESSES["bureau_urumqi"], ADDRESSES["bureau2_urumqi"]]
    expected: Counter[tuple[tuple[str, ...], str]] = Counter()
    for address in bureau:
        # the bureau's first task (prepare the notice), the objection, the task to handle it
        expected[
            (
                (address,),
                "待办任务：拟定公示（拟支持项目） / Task ready: Prepare the notice (拟支持项目)",
            )
        ] += 1
        expected[
            (
                (address,),
                "收到异议：2026 年度拟支持项目公示（回执号 {r}） / Objection received: 2026 年度拟支持项目公示 (receipt {r})",
            )
        ] += 1
        expected[
            (
                (address,),
                "待办任务：处理异议（拟支持项目） / Task ready: Handle the objection (拟支持项目)",
            )
        ] += 1
    receipt = db_session.scalar(select(Notification.cause).where(Notification.kind == "objection")).split(
        ":"
    )[1]
    expected = Counter({(k[0], k[1].format(r=receipt)): n for k, n in expected.items()})
    assert got == expected
    # nothing to the other jurisdiction's bureau, the issuer or the solver
    everyone = {a for rcpt, _ in smtp.messages for a in rcpt}
    assert everyone == set(bureau)
    mail = smtp.messages[0][1]
    assert mail["From"] == "jiebang@kjj.example.cn"
    assert mail["Message-ID"].startswith("<jiebang-outbox-") and mail["Message-ID"].endswith(
        "@kjj.example.cn>"
    )
    assert len({m["Message-ID"] for _, m in smtp.messages}) == len(smtp.messages)
    assert db_session.scalar(select(Notification.instance_id).where(Notification.kind == "objection")) == iid


def test_inbox_shows_own_notifications_and_marks_them_read(
    client: FlaskClient,
    db_session: Session,
    web_users,
    publicise,  # noqa: F811
) -> None:
    publicise("P-1")
    post(client, "/portal/notices/P-1", OBJECTION)
    assert db_session.scalar(select(OutboxMessage.id)) is None  # e-mail off: inbox only
    login(client, web_users["bureau"])
    page = client.get("/inbox").get_data(as_text=True)
    assert "收到异议：2026 年度拟支持项目公示" in page and "待办任务：处理异议" in page
    assert 'data-inbox>消息 <span class="badge"' in page
    mine = db_session.scalars(select(Notification).where(Notification.recipient == web_users["bureau"])).all()
    assert len(mine) == 3
    theirs = db_session.scalar(select(Notification.id).where(Notification.recipient == web_users["bureau2"]))
    post(client, "/inbox/read", {"id": str(theirs)}, token_from="/inbox")  # not mine: nothing changes
    post(client, "/inbox/read", {"id": str(mine[0].id)}, token_from="/inbox")
    db_session.rollback()  # a fresh snapshot
    read = {n.id for n in db_session.scalars(select(Notification).where(Notification.read_at.is_not(None)))}
    assert read == {mine[0].id}
    assert "未读 2 条。" in client.get("/inbox").get_data(as_text=True)
    post(client, "/inbox/read", {}, token_from="/inbox")
    page = client.get("/inbox").get_data(as_text=True)
    assert "未读 0 条。" in page and 'class="badge"' not in page
    english = client.get("/inbox?lang=en").get_data(as_text=True)  # the English UI shows the English texts
    assert "Objection received: 2026 年度拟支持项目公示" in english


def test_inbox_needs_a_sign_in(client: FlaskClient) -> None:
    assert client.get("/inbox").status_code in (302, 401)


def test_preferences_keep_addresses_and_choices_and_refuse_bad_input(
    client: FlaskClient,
    db_session: Session,
    web_users,
    smtp: Inbox,
    publicise,  # noqa: F811
) -> None:
    login(client, web_users["bureau"])
    bad = post(client, "/inbox/preferences", {"email": "not-an-address", "phone": "abc"})
    assert bad.status_code == 422
    assert "电子邮件地址格式不正确" in bad.get_data(as_text=True)
    db_session.rollback()  # a fresh snapshot
    assert db_session.scalar(select(User.email).where(User.username == web_users["bureau"])) is None
    # e-mail only for objections, not for tasks
    good = post(client, "/inbox/preferences", {"email": "me@urumqi.example.cn", "objection:email": "on"})
    assert good.status_code == 302
    db_session.rollback()
    (event,) = audit.list_events(db_session, user=web_users["bureau"])[:1]
    assert (event.event, event.subject, event.detail_json) == (
        "contact_changed",
        web_users["bureau"],
        '{"fields": ["email"]}',
    )
    publicise("P-1")
    post(client, "/portal/notices/P-1", OBJECTION)
    rows = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.address == "me@urumqi.example.cn")
    ).all()
    assert [r.subject.split("：")[0] for r in rows] == ["收到异议"]
    inbox_kinds = sorted(
        db_session.scalars(select(Notification.kind).where(Notification.recipient == web_users["bureau"]))
    )
    assert inbox_kinds == ["objection", "task_ready", "task_ready"]  # the inbox always gets everything
