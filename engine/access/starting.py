"""Who may start a process: declared in the deployment, enforced on every face.

The diagram declares it. The start event's ``startRoles`` property (``spiffworkflow:property``, role codes
separated by commas; empty: nobody) names the roles, and without it the role of the start event's lane does (``科技局
(bureau)``): the lane of the start is the party that starts the procedure. A process whose start declares no
role is started by the system only (diagrams calling it, the operator's CLI without ``--as``).

The starter must hold one of the roles in the jurisdiction the start data names (``jurisdiction``), or for
every jurisdiction; without a jurisdiction, anywhere. ``engine.instances.start_instance`` checks it for every
start that names its actor, so the API, the web pages and ``jiebang start --as`` all follow it: a solver cannot
start a termination (its start lies in the bureau's lane), and a bureau cannot start in another jurisdiction.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from engine.access.principal import principal
from engine.errors import Forbidden
from engine.lint import ROLE_CODE, properties_of, role_of_lane
from engine.models.deployment import ProcessVersion

START_ROLES_PROPERTY = "startRoles"


def declared_start_roles(spec: Any) -> frozenset[str]:
    """The roles the start events of a process spec declare (property, else lane)."""
    roles: set[str] = set()
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, StartEvent):
            continue
        declared = properties_of(task_spec).get(START_ROLES_PROPERTY)
        if declared is not None:  # present, even empty: exactly these roles (empty: the system only)
            roles.update(r.strip() for r in declared.split(",") if ROLE_CODE.match(r.strip()))
        else:
            lane_role = role_of_lane(getattr(task_spec, "lane", None))
            if lane_role:
                roles.add(lane_role)
    return frozenset(roles)


def start_roles(pv: ProcessVersion) -> frozenset[str]:
    """The roles the process's own start declares, and those an annual call declares for the needs posted
    into it (``needRoles`` on the call's start event, ``engine.start_forms.need_start_of``)."""
    from engine.runtime import version_specs
    from engine.start_forms import need_start_of

    declared = need_start_of(pv).get(START_ROLES_PROPERTY, "")
    by_call = {r.strip() for r in declared.split(",") if ROLE_CODE.match(r.strip())}
    return declared_start_roles(version_specs(pv)[0]) | by_call


def may_start(user: Any, pv: ProcessVersion, jurisdiction: str | None) -> bool:
    who, roles = principal(user), start_roles(pv)
    if jurisdiction is None:
        return who.holds_anywhere(roles)
    return who.holds(roles, jurisdiction)


def require_start(user: Any, pv: ProcessVersion, jurisdiction: str | None) -> None:
    if may_start(user, pv, jurisdiction):
        return
    roles = sorted(start_roles(pv))
    if not roles:
        raise Forbidden(
            f"流程 {pv.process_key} 没有声明可由用户发起（开始事件没有角色泳道或 {START_ROLES_PROPERTY} 属性），"
            "只能由系统发起。",
            f"Process {pv.process_key} declares no role that may start it (its start event has neither a role "
            f"lane nor a {START_ROLES_PROPERTY} property); only the system starts it.",
        )
    raise Forbidden(
        "您不能发起这个流程：它由其他岗位发起。您要办理的事项在“待办任务”中；如确需发起，请联系科技局。",
        "You cannot start this process: other posts start it. What you have to do is in your work queue; if "
        "you need to start it, ask the bureau.",
    )


#: A starter who holds only this role acts for its own organisation: the start data's ``issuer_code``.
ISSUER_ROLE = "issuer"


def require_own_organisation(session: Any, user: Any, pv: ProcessVersion, data: dict[str, Any]) -> None:
    """An issuer starts a procedure for its own unit only (000 §8, 001 五(一): the issuer is the unit that
    posts the need): when the starter may start ``pv`` only as an issuer, ``issuer_code`` must be one of the
    organisations its account is linked to. Staff of the other start roles (the bureau) may start for any unit."""
    from engine.access.policy import organisations_of

    who, roles = principal(user), start_roles(pv)
    jurisdiction = data.get("jurisdiction")
    place = str(jurisdiction) if jurisdiction not in (None, "") else None
    others = roles - {ISSUER_ROLE}
    if ISSUER_ROLE not in roles or (
        others and (who.holds(others, place) if place else who.holds_anywhere(others))
    ):
        return
    code = data.get("issuer_code")
    if isinstance(code, str) and code in organisations_of(session, who.username):
        return
    raise Forbidden(
        f"发榜方只能为本单位提交需求：账号 {who.username or '-'} 未关联单位 {code or '（未填写）'}。",
        f"An issuer posts needs for its own organisation only: account {who.username or '-'} is not linked to "
        f"{code or '(none given)'}.",
    )
