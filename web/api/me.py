"""Who the token belongs to."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from web.access import api_rule
from web.api.common import BEARER, current_user
from web.api.schemas import MeSchema

blp = Blueprint("api_v1_me", __name__, url_prefix="/api/v1", description="The token's user / 令牌所属用户")


@blp.get("/me")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, MeSchema)
def me() -> dict[str, Any]:
    """The user the token belongs to, with their roles."""
    user = current_user()
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": [{"role": g.role, "jurisdiction": g.jurisdiction} for g in user.roles],
    }
