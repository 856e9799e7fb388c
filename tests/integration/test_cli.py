"""The `jiebang` CLI contract: JSON output, exit code 2 with one line on stderr for user errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES


class Cli:
    def __init__(self, url: str, tmp: Path) -> None:
        self.env = dict(os.environ)
        self.env.update({"JIEBANG_DATABASE_URL": url, "JIEBANG_SIMULATED_CLOCK": "1"})
        self.tmp = tmp

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "engine.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if ok:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def refused(self, *args: str) -> str:
        proc = self.run(*args, ok=False)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        return lines[0]


@pytest.fixture
def cli(empty_db_url: str, tmp_path: Path) -> Cli:
    c = Cli(empty_db_url, tmp_path)
    out = c.json("init-db")
    assert 2026 in out["calendar_years"]
    return c


@pytest.mark.slow
def test_cli_drives_a_process_from_deploy_to_publicity(cli: Cli) -> None:
    out = cli.json("deploy", str(FIXTURES / "basic"))
    assert out["processes"] == [{"key": "publicity_demo", "version": 1, "created": True}]
    assert cli.json("deploy", str(FIXTURES / "basic"))["unchanged"] is True
    assert cli.json("processes")[0]["key"] == "publicity_demo"
    cli.run("users", "add", "issuer1", "--role", "issuer", "--jurisdiction", "urumqi")
    cli.run("users", "add", "bureau1", "--role", "bureau", "--jurisdiction", "urumqi")
    cli.run("clock", "set", "2026-09-28T10:00:00+08:00")
    data = json.dumps({"jurisdiction": "urumqi", "publicity_days": 5, "publicity_unit": "working_days"})
    started = cli.json("start", "publicity_demo", "--business-key", "C-9", "--data", data, "--as", "bureau1")
    iid = started["instance"]
    (task,) = cli.json("tasks", "--instance", str(iid))
    assert set(task) >= {"id", "instance", "task", "name", "lane", "form", "due_at", "assignee"}
    assert (task["task"], task["form"]) == ("submit", "demo_need")

    line = cli.refused("complete", task["id"], "--as", "issuer1", "--data", '{"title": ""}')
    assert "title" in line and "Error" in line
    cli.refused("complete", task["id"], "--as", "issuer1", "--data", "{not json")
    cli.run("claim", task["id"], "--as", "issuer1")
    done = cli.json(
        "complete",
        task["id"],
        "--as",
        "issuer1",
        "--data",
        json.dumps({"title": "高温合金", "budget": "12.5", "pledge_unit": True}),
    )
    assert done["next_tasks"][0]["task"] == "review"
    cli.refused("complete", task["id"], "--as", "issuer1", "--data", "{}")
    review = done["next_tasks"][0]["id"]
    cli.json(
        "complete", review, "--as", "bureau1", "--data", json.dumps({"decision": "approve", "reason": "好"})
    )

    info = cli.json("instance", str(iid))
    assert set(info) >= {"id", "status", "process", "version", "ready_tasks", "timers", "data"}
    assert info["timers"][0]["due_at"] == "2026-10-09T16:00:00+00:00"
    assert info["data"]["budget"] == 1250

    cli.run("clock", "advance", "P11D")
    assert cli.json("clock", "show")["local"].startswith("2026-10-09T10:00:00")
    assert cli.json("timers", "run") == {"fired": 0, "failed": []}
    cli.run("clock", "set", "2026-10-10T00:00:00+08:00")
    assert cli.json("timers", "run") == {"fired": 1, "failed": []}
    assert cli.json("instance", str(iid))["status"] == "completed"
    kinds = [e["kind"] for e in cli.json("events", str(iid))]
    assert kinds == [
        "started",
        "task_claimed",
        "task_completed",
        "task_completed",
        "timer_fired",
        "completed",
    ]


@pytest.mark.slow
def test_cli_user_errors_exit_2_with_one_line(cli: Cli) -> None:
    assert "nope" in cli.refused("start", "nope")
    cli.refused("instance", "42")
    cli.refused("no-such-command")
    cli.refused("message", "objection", "--correlation", "{}")
    line = cli.refused("calendar", "check", "2031")
    assert "2031" in line and "jiebang calendar import" in line
    assert cli.json("calendar", "check", "2026")["known"] is True
    line = cli.refused("deploy", str(FIXTURES / "bad" / "xxe.bpmn"))
    assert "xxe.bpmn" in line and "DOCTYPE" in line
    err = json.loads(cli.run("deploy", str(FIXTURES / "bad" / "no_form.bpmn"), "--json", ok=False).stdout)
    assert err["error"] == "deployment_refused" and err["details"]["problems"][0]["element"] == "orphan"


@pytest.mark.slow
def test_cli_control_commands(cli: Cli) -> None:
    cli.json("deploy", str(FIXTURES / "timer"))
    cli.run("users", "add", "boss", "--role", "admin")
    iid = cli.json("start", "timer_wait", "--data", '{"wait_for": "PT1H"}')["instance"]
    assert cli.json("suspend", str(iid), "--as", "boss")["status"] == "suspended"
    cli.refused("suspend", str(iid), "--as", "boss")
    assert cli.json("resume", str(iid), "--as", "boss")["status"] == "running"
    cli.refused("terminate", str(iid), "--as", "nobody")
    assert cli.json("terminate", str(iid), "--as", "boss", "--reason", "test")["status"] == "terminated"
    assert cli.json("instance", str(iid))["timers"] == []


@pytest.mark.slow
def test_cli_timers_run_tells_fired_from_failed(cli: Cli) -> None:
    cli.json("deploy", str(FIXTURES / "timer_fails"))
    cli.run("clock", "set", "2026-05-01T09:00:00+08:00")
    data = {"wait_for": "PT1H", "amount": 10}
    bad = cli.json("start", "divide_after_timer", "--data", json.dumps({**data, "divisor": 0}))["instance"]
    good = cli.json("start", "divide_after_timer", "--data", json.dumps({**data, "divisor": 5}))["instance"]
    cli.run("clock", "advance", "PT2H")
    out = cli.run("timers", "run").stdout.splitlines()
    assert out[0] == "已触发 fired 1 timer(s); 出错 failed 1 instance(s)"
    assert out[1].startswith(f"  出错 failed: instance {bad} at 计算比例 Compute ratio (ratio): ")
    assert cli.json("instance", str(bad))["status"] == "error"
    assert cli.json("instance", str(good))["data"]["ratio"] == 2
    assert cli.json("timers", "run") == {"fired": 0, "failed": []}


@pytest.mark.slow
def test_cli_message_reaches_the_waiting_instance(cli: Cli) -> None:
    cli.json("deploy", str(FIXTURES / "basic"))
    cli.run("users", "add", "issuer1", "--role", "issuer", "--jurisdiction", "urumqi")
    cli.run("users", "add", "bureau1", "--role", "bureau", "--jurisdiction", "urumqi")
    cli.run("clock", "set", "2026-09-28T10:00:00+08:00")
    data = json.dumps({"jurisdiction": "urumqi", "publicity_days": 7, "publicity_unit": "days"})
    iid = cli.json("start", "publicity_demo", "--business-key", "C-5", "--data", data)["instance"]
    (submit,) = cli.json("tasks", "--instance", str(iid))
    need = json.dumps({"title": "t", "budget": "1", "pledge_unit": True})
    (review,) = cli.json("complete", submit["id"], "--as", "issuer1", "--data", need)["next_tasks"]
    cli.json("complete", review["id"], "--as", "bureau1", "--data", '{"decision": "approve", "reason": "ok"}')
    out = cli.json(
        "message", "objection", "--correlation", '{"business_key": "C-5"}', "--payload", '{"text": "异议"}'
    )
    assert out == {"instance": iid, "message": "objection"}
    assert [t["task"] for t in cli.json("tasks", "--instance", str(iid))] == ["handle_objection"]
    line = cli.refused("message", "objection", "--correlation", '{"business_key": "C-5"}')
    assert "C-5" in line


HEAVY = ("sqlalchemy", "SpiffWorkflow", "flask", "alembic", "apscheduler")


@pytest.mark.parametrize(
    ("args", "code"), [(["--help"], 0), (["start", "--help"], 0), (["start"], 2), (["no-such-command"], 2)]
)
def test_help_and_argument_errors_answer_without_loading_the_engine(args: list[str], code: int) -> None:
    """``jiebang --help`` and a mistyped command answer at once: none of the heavy libraries is imported."""
    probe = (
        "import sys\n"
        "from web.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code or 0\n"
        "else:\n"
        "    code = 0\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stderr
    assert "LOADED []" in proc.stderr, proc.stderr


def test_init_db_upgrades_a_database_that_still_has_the_organisation_local_flag(
    empty_db_url: str, tmp_path: Path
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from engine.migrate import alembic_config

    command.upgrade(alembic_config(empty_db_url), "0020_units_uscc")
    eng = create_engine(empty_db_url)
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (code, name, jurisdiction, kind, local) "
                "VALUES ('DAZU-S9', '重庆某材料公司', 'dazu', 'enterprise', :local)"
            ),
            {"local": False},
        )
    Cli(empty_db_url, tmp_path).json("init-db")
    assert "local" not in {c["name"] for c in inspect(eng).get_columns("organisation")}
    with eng.connect() as conn:
        assert (
            conn.execute(text("SELECT name FROM organisation WHERE code = 'DAZU-S9'")).scalar()
            == "重庆某材料公司"
        )
    command.downgrade(alembic_config(empty_db_url), "0020_units_uscc")
    assert "local" in {c["name"] for c in inspect(eng).get_columns("organisation")}
    eng.dispose()
