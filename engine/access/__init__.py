"""One access policy for every face (web pages, API, CLI, reminders, downloads).

- ``rows``: which instances and tasks a principal may see or act on (index-backed SQL for lists);
- ``fields``: which fields of case data and events each audience sees (one declarative table);
- ``starting``: who may start a process (declared by the deployed diagram);
- ``policy``: the questions the faces ask (viewer of an instance or task, filtered data, events, files);
- ``routes``: the named rules every web and API route declares.
"""

from __future__ import annotations

from typing import Any

from engine.access.principal import Audience, Principal, principal
from engine.access.routes import DEPLOY_ROLES, ROUTE_RULES, STAFF_ROLES
from engine.access.rows import (
    INSTANCE_READ_ROLES,
    can_read_instance,
    may_act_on_task,
    may_see_task,
    oversight_scope,
    participates,
    readable_clause,
    require_read,
    require_task_access,
    task_visibility_clause,
    who_may_act_on_task,
)
from engine.access.starting import may_start, require_start, start_roles
from engine.errors import Forbidden
from engine.users import INSTANCE_CONTROL_ROLES, require_role

#: Roles that may deliver a message to an instance of their jurisdiction (integrations of the bureau).
MESSAGE_ROLES = INSTANCE_CONTROL_ROLES

__all__ = [
    "DEPLOY_ROLES",
    "INSTANCE_READ_ROLES",
    "MESSAGE_ROLES",
    "ROUTE_RULES",
    "STAFF_ROLES",
    "Audience",
    "Principal",
    "can_read_instance",
    "may_act_on_task",
    "may_see_task",
    "may_start",
    "oversight_scope",
    "participates",
    "principal",
    "readable_clause",
    "require_deployer",
    "require_deployment_reader",
    "require_read",
    "require_start",
    "require_task_access",
    "start_roles",
    "task_visibility_clause",
    "who_may_act_on_task",
]


def require_deployer(user: Any) -> None:
    require_role(user, DEPLOY_ROLES, None, "部署流程", "deploy processes")


def require_deployment_reader(user: Any) -> None:
    if not principal(user).holds_anywhere(DEPLOY_ROLES | INSTANCE_READ_ROLES):
        raise Forbidden(
            "您不能查看流程的部署记录：这由流程负责人和系统管理员查看。",
            "You cannot read the deployments of the processes: the process owner and the administrator do.",
        )
