"""Public, read-only: published challenges and publicity notices (engine.portal's read model)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine import portal
from web.access import api_rule
from web.api.common import page_json, session
from web.api.schemas import ChallengePageSchema, NoticePageSchema, PublicQuerySchema

blp = Blueprint(
    "api_v1_public",
    __name__,
    url_prefix="/api/v1",
    description="Public challenges and notices, no token needed / 公开的榜单与公示（无需令牌）",
)


@blp.get("/challenges")
@blp.doc(security=[])
@api_rule("public")
@blp.arguments(PublicQuerySchema, location="query")
@blp.response(200, ChallengePageSchema)
def challenges(args: dict[str, Any]) -> dict[str, Any]:
    """Published challenges with their application windows, open ones first."""
    return page_json(
        portal.challenge_page(
            session(), jurisdiction=args.get("jurisdiction"), page=args["page"], per_page=args["page_size"]
        )
    )


@blp.get("/notices")
@blp.doc(security=[])
@api_rule("public")
@blp.arguments(PublicQuerySchema, location="query")
@blp.response(200, NoticePageSchema)
def notices(args: dict[str, Any]) -> dict[str, Any]:
    """Publicity notices with the exact end of each window, soonest end first."""
    return page_json(
        portal.notice_page(
            session(), jurisdiction=args.get("jurisdiction"), page=args["page"], per_page=args["page_size"]
        )
    )
