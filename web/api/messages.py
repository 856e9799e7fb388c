"""Inbound messages from other systems (finance, application platforms), correlated to one waiting instance."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine.access import MESSAGE_ROLES
from engine.errors import Forbidden
from engine.messages import deliver, find_waiting
from engine.models.instance import ProcessInstance
from engine.users import require_role
from web.access import api_rule
from web.api.common import BEARER, current_user, session
from web.api.schemas import DeliveredSchema, MessageSchema

blp = Blueprint("api_v1_messages", __name__, url_prefix="/api/v1/messages", description="Messages / 消息")


@blp.post("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(MessageSchema)
@blp.response(200, DeliveredSchema)
def deliver_message(args: dict[str, Any]) -> dict[str, Any]:
    """Deliver message ``name`` to the single running instance waiting for it whose correlation matches
    (bureau or admin of that instance's jurisdiction). 404 when none waits, 409 when several match."""
    user = current_user()
    if not any(g.role in MESSAGE_ROLES for g in user.roles):
        raise Forbidden(
            "您的账号不能向流程发送消息：这由科技局和系统管理员办理。",
            "Your account cannot deliver messages to processes: the bureau and the administrator do.",
        )
    s = session()
    waiting = {row.instance_id for row in find_waiting(s, args["name"], args["correlation"])}
    if len(waiting) == 1:
        instance = s.get(ProcessInstance, next(iter(waiting)))
        if instance is not None:
            require_role(
                user, MESSAGE_ROLES, instance.jurisdiction, "向该流程实例发送消息", "message this instance"
            )
    instance_id = deliver(
        s, args["name"], correlation=args["correlation"], payload=args["payload"], actor=user.username
    )
    return {"instance": instance_id}
