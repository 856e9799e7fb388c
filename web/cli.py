"""The `jiebang` console script: the engine's commands plus `serve` and `demo load` (which need Flask)."""

from __future__ import annotations

import click

from engine.cli import _session, cli, emit, json_option
from engine.cli import main as engine_main


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes [default: one per core]."
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker."
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the web application with gunicorn: one worker process per core (see web/serving.py)."""
    from web.serving import default_workers
    from web.serving import serve as run

    count = workers or default_workers()
    click.echo(f"揭榜挂帅项目管理系统 Jiebang: http://{host}:{port}/ ({count} workers × {threads} threads)")
    run(host, port, workers=count, threads=threads)


@cli.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@json_option
def demo_load(as_json: bool) -> None:
    """Create missing demo users (password demo12345; existing accounts are left untouched), deploy the
    diagrams in bpmn/ and start a few instances."""
    from web.demo import load_demo

    with _session() as session:
        result = load_demo(session)
    created = result["users_created"]
    users = (
        f"{len(created)} demo user(s) created with password {result['password']} 已创建演示用户（密码 "
        f"{result['password']}）"
        if created
        else "no demo user created 未新建演示用户"
    )
    kept = (
        f"; {result['users_kept']} existing account(s) left unchanged 已有账号保持不变"
        if result["users_kept"]
        else ""
    )
    emit(as_json, result, f"demo loaded: {users}{kept}; {result['started']} new instance(s)")


def main(argv: list[str] | None = None) -> None:
    engine_main(argv)
