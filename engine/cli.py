"""The `jiebang` command line. Other tools and the tests drive the system through it.

Every command takes ``--json`` for machine output. A user error exits 2 with one line on stderr (Chinese,
then English); an unexpected error exits 1 with one line (set JIEBANG_DEBUG=1 for the traceback).

Imports at the top stay light (click and the engine's plain-Python errors): SQLAlchemy, SpiffWorkflow and Flask
are imported by the commands that use them, so ``jiebang --help`` and a mistyped option answer at once
(tests/integration/test_cli.py guards this).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.errors import JiebangError, ValidationFailed
from engine.private import restrict_umask

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class UserError(click.ClickException):
    exit_code = 2


def default_database_url() -> str:
    from engine.db import default_database_url as configured

    return configured()


def _session() -> Session:
    from engine.db import session_factory

    return session_factory(default_database_url())()


def _json_arg(value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{option} 不是有效的 JSON：{exc.msg}（第 {exc.pos + 1} 个字符）",
            f"{option} is not valid JSON: {exc.msg} (at character {exc.pos + 1})",
        ) from None


def emit(as_json: bool, payload: Any, text: str | Callable[[], str]) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=None, default=str))
    else:
        click.echo(text() if callable(text) else text)


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
as_option = click.option("--as", "actor", metavar="USER", help="The user who acts.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """揭榜挂帅 workflow system (Jiebang). Database: JIEBANG_DATABASE_URL (default: instance/jiebang.sqlite3)."""
    from engine import audit_client

    audit_client.set_client(
        audit_client.cli_client()
    )  # audit events of this command name the operating-system user


@cli.command("init-db")
@json_option
def init_db(as_json: bool) -> None:
    """Create or upgrade the database schema and load the holiday calendar."""
    from engine.calendar import seed_from_chinesecalendar
    from engine.indexes import fill_portal
    from engine.migrate import upgrade
    from engine.runtime import load_workflow

    url = default_database_url()
    upgrade(url)
    with _session() as session:
        years = seed_from_chinesecalendar(session, keep_imported=True)
        fill_portal(session, load_workflow)
        session.commit()
    emit(
        as_json,
        {"database": _safe_url(url), "calendar_years": years},
        f"数据库已就绪 database ready: {_safe_url(url)}; calendar {min(years)}–{max(years)}",
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@as_option
@click.option("--note", help="What changed in this version.")
@json_option
def deploy(paths: tuple[str, ...], actor: str | None, note: str | None, as_json: bool) -> None:
    """Deploy .bpmn, .dmn and .form.json files (or folders of them) as one bundle."""
    from engine.bundle import collect_paths
    from engine.deploy import deploy_bundle

    with _session() as session:
        result = deploy_bundle(session, collect_paths(list(paths)), deployed_by=actor, note=note)
    lines = [f"deployment {result.deployment_id}" + (" (unchanged 未变化)" if result.unchanged else "")]
    created = [f"{p.key} v{p.version}" for p in result.processes if p.created]
    kept = [f"{p.key} v{p.version}" for p in result.processes if not p.created]
    lines.append(f"new versions 新版本 ({len(created)}): " + (", ".join(created) or "-"))
    lines.append(f"unchanged 未变 ({len(kept)}): " + (", ".join(kept) or "-"))
    emit(as_json, result.as_json(), "\n".join(lines))


@cli.command()
@json_option
def processes(as_json: bool) -> None:
    """List deployed processes and their versions."""
    from sqlalchemy import select

    from engine.models.deployment import ProcessVersion

    with _session() as session:
        rows = session.scalars(
            select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version)
        )
        data = [
            {
                "key": r.process_key,
                "version": r.version,
                "name": r.name,
                "deployment": r.deployment_id,
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]
    emit(
        as_json,
        data,
        lambda: "\n".join(f"{d['key']} v{d['version']}  {d['name'] or ''}" for d in data) or "(none)",
    )


@cli.group()
def users() -> None:
    """Manage users and roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Role code; repeatable.")
@click.option("--jurisdiction", help="Limit the roles to one jurisdiction (urumqi, dazu, karamay, zhangye).")
@click.option("--display-name")
@json_option
def users_add(
    name: str, roles: tuple[str, ...], jurisdiction: str | None, display_name: str | None, as_json: bool
) -> None:
    from engine.users import add_user

    with _session() as session:
        user = add_user(
            session, name, roles=list(roles), jurisdiction=jurisdiction, display_name=display_name
        )
        grants = [{"role": g.role, "jurisdiction": g.jurisdiction} for g in user.roles]
    emit(
        as_json,
        {"user": name, "roles": grants},
        f"user {name}: " + ", ".join(f"{g['role']}@{g['jurisdiction'] or '*'}" for g in grants),
    )


@users.command("list")
@json_option
def users_list(as_json: bool) -> None:
    from engine.users import list_users

    with _session() as session:
        data = [
            {
                "user": u.username,
                "active": u.active,
                "roles": [{"role": g.role, "jurisdiction": g.jurisdiction} for g in u.roles],
            }
            for u in list_users(session)
        ]
    emit(
        as_json,
        data,
        lambda: "\n".join(
            f"{d['user']}{'' if d['active'] else ' (已停用 disabled)'}: "
            + ", ".join(f"{g['role']}@{g['jurisdiction'] or '*'}" for g in d["roles"])
            for d in data
        ),
    )


@users.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@json_option
def users_set_password(name: str, password_stdin: bool, as_json: bool) -> None:
    """Set a user's password (asked twice, hidden); ends every signed-in session of the user."""
    from engine.users import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("新密码 New password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        set_password(session, name, password)
    emit(
        as_json,
        {"user": name, "password_changed": True},
        f"密码已更改，登录会话已结束 password changed: {name}",
    )


@users.command("disable")
@click.argument("name")
@json_option
def users_disable(name: str, as_json: bool) -> None:
    """Disable an account: it cannot sign in, its sessions end and its API tokens stop working."""
    from engine.users import set_active

    with _session() as session:
        set_active(session, name, False)
    emit(as_json, {"user": name, "active": False}, f"账号已停用 disabled: {name}")


@users.command("enable")
@click.argument("name")
@json_option
def users_enable(name: str, as_json: bool) -> None:
    """Enable a disabled account again."""
    from engine.users import set_active

    with _session() as session:
        set_active(session, name, True)
    emit(as_json, {"user": name, "active": True}, f"账号已启用 enabled: {name}")


@users.command("revoke")
@click.argument("name")
@click.option("--role", required=True, help="The role code to take away.")
@click.option(
    "--jurisdiction", help="The jurisdiction of the grant (omit for a grant in every jurisdiction)."
)
@json_option
def users_revoke(name: str, role: str, jurisdiction: str | None, as_json: bool) -> None:
    """Take one role grant away from a user."""
    from engine.users import revoke_role

    with _session() as session:
        revoke_role(session, name, role, jurisdiction=jurisdiction)
    emit(
        as_json,
        {"user": name, "revoked": {"role": role, "jurisdiction": jurisdiction}},
        f"已收回角色 revoked: {name} {role}@{jurisdiction or '*'}",
    )


@cli.command("audit")
@click.option("--user", help="Events where this user acted or was acted on.")
@click.option("--since", help="Only events at or after this time (ISO 8601 with a time zone).")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10000))
@json_option
def audit_events(user: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """The security audit trail, newest first: sign-ins, sign-outs, expired sessions, downloads, changes of
    users and roles."""
    from engine import audit
    from engine.clock import parse_aware

    with _session() as session:
        rows = audit.list_events(
            session, user=user, since=parse_aware(since, allow_date=True) if since else None, limit=limit
        )
        data = [audit.as_json(row) for row in rows]
    emit(
        as_json,
        data,
        lambda: (
            "\n".join(
                f"{d['at']}  {d['event']:<16} actor={d['actor'] or '-'} subject={d['subject'] or '-'} "
                f"client={d['client'] or '-'} {json.dumps(d['detail'], ensure_ascii=False)}"
                for d in data
            )
            or "(none)"
        ),
    )


@cli.command()
@click.argument("key")
@click.option("--version", type=int)
@click.option("--business-key")
@click.option("--data", help="Initial data as a JSON object.")
@as_option
@json_option
def start(
    key: str,
    version: int | None,
    business_key: str | None,
    data: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Start an instance of the newest (or the given) version of a process."""
    from engine.instances import start_instance

    with _session() as session:
        instance = start_instance(
            session,
            key,
            version=version,
            business_key=business_key,
            data=_json_arg(data, "--data"),
            actor=actor,
        )
        payload = {"instance": instance.id, "version": instance.version, "status": instance.status}
    emit(
        as_json,
        payload,
        f"instance {payload['instance']} started ({key} v{payload['version']}, {payload['status']})",
    )


@cli.command()
@click.option("--instance", "instance_id", type=int)
@click.option("--as", "actor", metavar="USER", help="Only the tasks this user may see and do.")
@json_option
def tasks(instance_id: int | None, actor: str | None, as_json: bool) -> None:
    """List ready human tasks (the work queue; with --as, that user's queue under the access policy)."""
    from engine.access import task_visibility_clause
    from engine.tasks import list_tasks, queue_query, task_json
    from engine.users import get_user
    from engine.workqueue import ready_lanes

    with _session() as session:
        if actor is None:
            rows = list_tasks(session, instance_id=instance_id)
        else:
            user, lanes = get_user(session, actor), ready_lanes(session)
            query = queue_query(
                instance_id=instance_id,
                roles=[(g.role, g.jurisdiction) for g in user.roles],
                assigned_to=user.username,
                lanes=lanes,
            ).where(task_visibility_clause(user, lanes))
            rows = list(session.scalars(query.limit(500)))
        data = [task_json(t) for t in rows]
    emit(
        as_json,
        data,
        lambda: (
            "\n".join(
                f"{d['id']}  #{d['instance']}  {d['name'] or d['task']}  [{d['lane']}]"
                + (f"  due {d['due_at']}" if d["due_at"] else "")
                + (f"  @{d['assignee']}" if d["assignee"] else "")
                for d in data
            )
            or "(no tasks)"
        ),
    )


@cli.command()
@click.argument("task_id")
@as_option
@json_option
def claim(task_id: str, actor: str | None, as_json: bool) -> None:
    """Claim a task so that nobody else works on it."""
    from engine.tasks import claim as do_claim
    from engine.tasks import task_json

    with _session() as session:
        data = task_json(do_claim(session, task_id, actor=actor))
    emit(as_json, data, f"task {task_id} claimed by {actor}")


@cli.command()
@click.argument("task_id")
@as_option
@json_option
def unclaim(task_id: str, actor: str | None, as_json: bool) -> None:
    """Give a claimed task back to the queue."""
    from engine.tasks import task_json
    from engine.tasks import unclaim as do_unclaim

    with _session() as session:
        data = task_json(do_unclaim(session, task_id, actor=actor))
    emit(as_json, data, f"task {task_id} unclaimed")


@cli.command()
@click.argument("task_id")
@as_option
@click.option("--data", help="Form data as a JSON object.")
@click.option("--lock-version", type=int, help="Refuse if the instance changed since this version.")
@json_option
def complete(
    task_id: str, actor: str | None, data: str | None, lock_version: int | None, as_json: bool
) -> None:
    """Complete a task with form data (validated against the task's form)."""
    from engine.tasks import complete as do_complete

    with _session() as session:
        result = do_complete(
            session, task_id, actor=actor, data=_json_arg(data, "--data"), expected_lock_version=lock_version
        )
    payload = {
        "task": result.task_id,
        "instance": result.instance_id,
        "status": result.instance_status,
        "next_tasks": result.next_tasks,
    }
    emit(
        as_json,
        payload,
        f"task {task_id} completed; instance {result.instance_id} is {result.instance_status}",
    )


def _viewer(session: Session, instance_id: int, actor: str | None) -> Any:
    """The access policy's viewer: the user named by --as, or the operator at the console (whole case file)."""
    from engine.access import policy
    from engine.users import get_user

    if actor is None:
        return policy.operator_viewer()
    user = get_user(session, actor)
    return policy.instance_viewer(session, user, policy.get_instance(session, instance_id))


viewer_option = click.option(
    "--as", "actor", metavar="USER", help="Show only what this user may see (the access policy)."
)


@cli.command()
@click.argument("instance_id", type=int)
@viewer_option
@json_option
def instance(instance_id: int, actor: str | None, as_json: bool) -> None:
    """Show an instance: status, ready tasks, timers and data."""
    from engine import review_sheets
    from engine.access import policy
    from engine.instances import describe

    with _session() as session:
        viewer = _viewer(session, instance_id, actor)
        described = review_sheets.described_with_sheets(session, describe(session, instance_id))
        data = policy.describe_view(described, viewer)
    emit(as_json, data, lambda: json.dumps(data, ensure_ascii=False, indent=2, default=str))


@cli.command()
@click.argument("instance_id", type=int)
@viewer_option
@json_option
def events(instance_id: int, actor: str | None, as_json: bool) -> None:
    """Show the event log of an instance."""
    from engine.access import policy
    from engine.instances import events as list_events

    with _session() as session:
        viewer = _viewer(session, instance_id, actor)
        data = policy.events_view(list_events(session, instance_id), viewer)
    emit(
        as_json,
        data,
        lambda: "\n".join(
            f"{e['at']}  {e['kind']:<17} {e['actor'] or '-':<12} {e['task_name'] or e['task'] or ''}"
            + (f"  {e['message']}" if e["message"] else "")
            for e in data
        ),
    )


@cli.command()
@click.argument("name")
@click.option("--correlation", required=True, help='JSON object, e.g. {"business_key": "C-1"}.')
@click.option("--payload", help="JSON object delivered with the message.")
@as_option
@json_option
def message(name: str, correlation: str, payload: str | None, actor: str | None, as_json: bool) -> None:
    """Deliver a message to the one waiting instance whose correlation matches."""
    from engine.messages import deliver

    with _session() as session:
        instance_id = deliver(
            session,
            name,
            correlation=_json_arg(correlation, "--correlation"),
            payload=_json_arg(payload, "--payload"),
            actor=actor,
        )
    emit(
        as_json,
        {"instance": instance_id, "message": name},
        f"message {name} delivered to instance {instance_id}",
    )


def _control_command(name: str, help_text: str) -> None:
    @cli.command(name, help=help_text)
    @click.argument("instance_id", type=int)
    @as_option
    @(
        click.option("--reason", help="Why (recorded in the event log).")
        if name == "terminate"
        else (lambda f: f)
    )
    @json_option
    def command(instance_id: int, actor: str | None, as_json: bool, reason: str | None = None) -> None:
        from engine import instances

        with _session() as session:
            if name == "terminate":
                inst = instances.terminate(session, instance_id, actor=actor, reason=reason)
            else:
                inst = getattr(instances, name)(session, instance_id, actor=actor)
            payload = {"instance": inst.id, "status": inst.status}
        emit(as_json, payload, f"instance {instance_id} is {payload['status']}")


_control_command("suspend", "Suspend an instance: no task completion, no timer fires until resumed.")
_control_command("resume", "Resume a suspended instance; timers due meanwhile fire now.")
_control_command("terminate", "Terminate an instance for good.")


@cli.command()
@click.argument("instance_id", type=int)
@as_option
@click.option("--data", help="Corrected data (JSON object) merged into the failed step.")
@json_option
def retry(instance_id: int, actor: str | None, data: str | None, as_json: bool) -> None:
    """Retry the failed step of an instance in the error state."""
    from engine.instances import retry as do_retry

    with _session() as session:
        inst = do_retry(session, instance_id, actor=actor, data=_json_arg(data, "--data"))
        payload = {"instance": inst.id, "status": inst.status}
    emit(as_json, payload, f"instance {instance_id} is {payload['status']}")


@cli.group()
def timers() -> None:
    """Timer sweeps."""


@timers.command("run")
@json_option
def timers_run(as_json: bool) -> None:
    """Fire every timer that is due now, then exit."""
    from engine.timers import sweep

    with _session() as session:
        result = sweep(session)
    failed = [{"instance": f.instance_id, "task": f.where, "message": f.message} for f in result.failed]
    emit(
        as_json,
        {"fired": result.fired, "failed": failed},
        lambda: "\n".join(
            [f"已触发 fired {result.fired} timer(s); 出错 failed {len(failed)} instance(s)"]
            + [f"  出错 failed: {f.describe()}" for f in result.failed]
        ),
    )


@cli.group()
def clock() -> None:
    """The system clock, or the simulated clock when JIEBANG_SIMULATED_CLOCK=1."""


def _clock_payload(session: Session) -> dict[str, Any]:
    from engine.clock import SHANGHAI, get_clock

    now = get_clock(session).now()
    return {
        "now": now.isoformat(),
        "local": now.astimezone(SHANGHAI).isoformat(),
        "simulated": os.environ.get("JIEBANG_SIMULATED_CLOCK") == "1",
    }


@clock.command("show")
@json_option
def clock_show(as_json: bool) -> None:
    with _session() as session:
        payload = _clock_payload(session)
    emit(as_json, payload, f"{payload['local']}" + (" (simulated 模拟)" if payload["simulated"] else ""))


def _simulated(session: Session) -> Any:
    from engine.clock import SimulatedClock, get_clock

    clk = get_clock(session)
    if not isinstance(clk, SimulatedClock):
        raise ValidationFailed(
            "只有模拟时钟可以调整：请设置 JIEBANG_SIMULATED_CLOCK=1。",
            "Only the simulated clock can be changed: set JIEBANG_SIMULATED_CLOCK=1.",
        )
    return clk


@clock.command("set")
@click.argument("instant")
@json_option
def clock_set(instant: str, as_json: bool) -> None:
    """Set the simulated clock to an ISO 8601 instant with an offset."""
    from engine.clock import parse_aware

    with _session() as session:
        _simulated(session).set(parse_aware(instant))
        session.commit()
        payload = _clock_payload(session)
    emit(as_json, payload, payload["local"])


@clock.command("advance")
@click.argument("duration")
@json_option
def clock_advance(duration: str, as_json: bool) -> None:
    """Advance the simulated clock by an ISO 8601 duration (e.g. P1D, PT2H)."""
    with _session() as session:
        _simulated(session).advance(duration)
        session.commit()
        payload = _clock_payload(session)
    emit(as_json, payload, payload["local"])


@cli.group()
def calendar() -> None:
    """The working-day calendar (Chinese public holidays and make-up working days)."""


@calendar.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--as",
    "actor",
    metavar="USER",
    help="Retry the instances that stopped for want of the imported years as this user, under that user's "
    "permissions. Default: you, the operator at this console, who may retry all of them; their event logs "
    "then name no user, as for the system's own steps.",
)
@json_option
def calendar_import(file: str, actor: str | None, as_json: bool) -> None:
    """Import holidays and make-up working days for years the package does not know, then retry the instances
    that stopped because those years were missing (as the Holiday schedule page does). A busy or unreachable
    database is tried again (3 attempts) before the import is given up; nothing is half imported."""
    from engine.calendar import import_calendar_file
    from engine.calendar_status import CONSOLE, import_retrying, retry_calendar_failures
    from engine.users import get_user

    with _session() as session:
        viewer = CONSOLE if actor is None else get_user(session, actor)
        years = import_retrying(session, lambda s: import_calendar_file(s, file))
        retried = retry_calendar_failures(session, viewer, actor=actor, years=years)
    payload = {
        "years": years,
        "resumed": [f.instance_id for f in retried.resumed],
        "not_resumed": [
            {"instance": f.instance_id, "message": zh, "message_en": en}
            for f, (zh, en) in retried.not_resumed
        ],
    }
    lines = [f"已导入 imported {', '.join(map(str, years))}"]
    if retried.resumed:
        lines.append(
            f"已恢复运行 resumed {len(retried.resumed)} instance(s): "
            + ", ".join(str(f.instance_id) for f in retried.resumed)
        )
    lines += [
        f"未恢复 not resumed: {f.instance_id} {f.title}: {zh} | {en}" for f, (zh, en) in retried.not_resumed
    ]
    emit(as_json, payload, "\n".join(lines))


@calendar.command("check")
@click.argument("year", type=int)
@json_option
def calendar_check(year: int, as_json: bool) -> None:
    """Show whether a year is loaded, and its holidays and make-up working days."""
    from engine.calendar import check_year

    with _session() as session:
        report = check_year(session, year)
    emit(as_json, report, lambda: json.dumps(report, ensure_ascii=False, indent=2, default=str))


@cli.group()
def report() -> None:
    """Reports computed from the database."""


@report.command("annual")
@click.option("--jurisdiction", required=True, help="Jurisdiction code, e.g. urumqi.")
@click.option("--year", required=True, type=int, help="Calendar year (Asia/Shanghai).")
@json_option
def report_annual(jurisdiction: str, year: int, as_json: bool) -> None:
    """The figures of the annual summary 总结评价 (000 §12(8)): needs, projects, money, credit records."""
    from engine.clock import get_clock
    from engine.domain.reports import annual_summary

    with _session() as session:
        data = annual_summary(session, jurisdiction, year, now=get_clock(session).now())
    emit(as_json, data, lambda: _annual_text(data))


def _annual_text(d: dict[str, Any]) -> str:
    from engine.domain.problems import yuan
    from engine.labels import credit_kind_name

    needs, projects, money, credit = d["needs"], d["projects"], d["money"], d["credit"]
    lines = [
        f"{d['jurisdiction']} {d['year']} 年度总结评价 annual summary ({d['source']}), "
        + ("全年 full year" if d["year_complete"] else f"截至 as of {d['as_of']}"),
        f"需求 needs: 征集 posted {needs['posted']}, 发布榜单 published {needs['published']}",
        f"立项 funded: {projects['funded']} ("
        + ", ".join(f"{k} {v}" for k, v in projects["by_status"].items())
        + ")",
        f"资金 money (元 CNY): 财政拨付 disbursed {yuan(money['disbursed_fen'])}, "
        f"收回 recovered {yuan(money['recovered_fen'])}, 净额 net {yuan(money['net_fen'])}, "
        f"发榜方拨付 issuer paid {yuan(money['issuer_paid_fen'])}",
    ]
    lines += [
        f"  {t['kind']} {t['tranche'] or '-'}: {yuan(t['amount_fen'])} ({t['entries']})"
        for t in money["by_tranche"]
    ]
    lines += [
        f"  {p['project']} [{p['status'] or '-'}]: disbursed {yuan(p['disbursed_fen'])}, "
        f"recovered {yuan(p['recovered_fen'])}, issuer paid {yuan(p['issuer_paid_fen'])}"
        for p in money["projects"]
    ]
    lines.append(f"信用记录 credit records ({credit['source']}): {credit['added']}")
    # the subject by its name and the kind by its name, as the web report shows them (reports/annual.html)
    lines += [
        f"  {r['recorded_on']} {r.get('subject_name') or r['subject']} "
        f"{credit_kind_name(r['kind'], 'zh')} {credit_kind_name(r['kind'], 'en')} ({r['source'] or '-'})"
        for r in credit["records"]
    ]
    return "\n".join(lines)


@cli.command()
@click.option("--interval", default=1.0, show_default=True, help="Seconds between sweeps.")
def scheduler(interval: float) -> None:
    """Run the timer sweep every second with APScheduler until interrupted."""
    from engine.scheduler import run_scheduler

    run_scheduler(interval)


@cli.group()
def uploads() -> None:
    """Stored uploads (folder: JIEBANG_UPLOAD_FOLDER, default <instance>/uploads)."""


@uploads.command("clean")
@click.option(
    "--older-than",
    "hours",
    default=24.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Hours an unreferenced upload is kept before it counts as abandoned.",
)
@json_option
def uploads_clean(hours: float, as_json: bool) -> None:
    """Remove abandoned uploads: files no instance, event or draft refers to, older than --older-than."""
    from datetime import timedelta

    from engine.upload_store import clean_abandoned, upload_folder

    with _session() as session:
        result = clean_abandoned(session, upload_folder(), timedelta(hours=hours))
    emit(
        as_json,
        result.as_json(),
        f"已清理 removed {len(result.removed)} abandoned upload(s), {result.freed_bytes} bytes; "
        f"kept {result.kept}",
    )


def _backup_places() -> tuple[str, Any, Any]:
    from engine.private import instance_folder
    from engine.upload_store import upload_folder

    return default_database_url(), upload_folder(), instance_folder() / "secret_key"


@cli.command()
@click.argument("dest", type=click.Path(path_type=Path))
@json_option
def backup(dest: Path, as_json: bool) -> None:
    """Back up the database, uploads and secret key into one archive (DEST: a new file or a folder)."""
    from engine.backup import backup as run_backup

    url, folder, secret = _backup_places()
    result = run_backup(dest, url, folder, secret)
    emit(
        as_json,
        result.as_json(),
        f"备份完成 backup written: {result.archive} ({result.database}, revision {result.revision}, "
        f"{result.uploads} upload(s), secret key {'included' if result.secret_key else 'not in the instance folder'})",
    )


@cli.command()
@click.argument("src", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
@json_option
def restore(src: Path, replace: bool, as_json: bool) -> None:
    """Restore a `jiebang backup` archive (checked in full first; stop the server and scheduler)."""
    from engine.backup import restore as run_restore

    url, folder, secret = _backup_places()
    result = run_restore(src, url, folder, secret, replace=replace)
    emit(
        as_json,
        result.as_json(),
        f"恢复完成 restored the backup of {result.created_at} ({result.database}, revision {result.revision}, "
        f"{result.uploads_added} upload(s) added, secret key {'restored' if result.secret_key else 'unchanged'}); "
        "then run: jiebang init-db",
    )


def _fail(message: str, code: int) -> None:
    click.echo(message.replace("\n", " "), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    restrict_umask()  # the database, uploads, key and backups are the service user's alone
    try:
        cli.main(args=argv, prog_name="jiebang", standalone_mode=False)
    except JiebangError as exc:
        if "--json" in (argv if argv is not None else sys.argv):
            click.echo(
                json.dumps(
                    {"error": exc.code, "message": exc.zh, "message_en": exc.en, "details": exc.details},
                    ensure_ascii=False,
                    default=str,
                )
            )
        _fail(f"错误：{exc.zh} | Error: {exc.en}", 2)
    except click.exceptions.Abort:
        _fail("已取消 aborted", 1)
    except click.ClickException as exc:
        _fail(f"错误 Error: {exc.format_message()} (jiebang --help)", 2)
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("JIEBANG_DEBUG") == "1":
            traceback.print_exc()
        _fail(f"内部错误 Internal error: {type(exc).__name__}: {exc}".splitlines()[0][:500], 1)


if __name__ == "__main__":
    main()
