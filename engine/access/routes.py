"""The named access rules of the web pages and API endpoints.

Every route declares one of these (``web.access.rule`` / ``web.access.api_rule``); a test walks the URL map and
fails on a route without one. A rule is the gate at the door — who may knock at all — and says which question
the handler then asks the policy (``engine.access.policy``) about the resource itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.access.administration import ACCOUNT_ADMIN_ROLES, DIRECTORY_ROLES
from engine.access.principal import OVERSIGHT_ROLES
from engine.users import INSTANCE_CONTROL_ROLES

#: Every role code in use: the staff of the web UI.
STAFF_ROLES = frozenset(
    {
        "bureau",
        "recommender",
        "issuer",
        "solver",
        "expert",
        "panel_chair",
        "approver",
        "third_party",
        "supervisor",
        "process_owner",
        "admin",
    }
)
DEPLOY_ROLES = frozenset({"admin", "process_owner"})


@dataclass(frozen=True)
class RouteRule:
    name: str
    #: None: no sign-in needed; else a sign-in (web) or a token (API) with one of these roles somewhere
    roles: frozenset[str] | None
    #: what the handler asks the policy about the resource, beyond the gate
    then: str


ROUTE_RULES: dict[str, RouteRule] = {
    r.name: r
    for r in (
        RouteRule("public", None, "nothing: published data only (portal read model, public API, assets)"),
        RouteRule(
            "account", STAFF_ROLES, "nothing beyond the sign-in: the user's own queue, tokens, reminders"
        ),
        RouteRule("instance", STAFF_ROLES, "policy.instance_viewer: read the instance; fields by audience"),
        RouteRule(
            "attachment", STAFF_ROLES, "policy.instance_viewer + attachment_for: only files the viewer sees"
        ),
        RouteRule("task", STAFF_ROLES, "policy.task_viewer: the lane's role and a part in the instance"),
        RouteRule("monitor", OVERSIGHT_ROLES, "oversight of the jurisdiction"),
        RouteRule(
            "control", INSTANCE_CONTROL_ROLES, "engine: bureau or admin of the instance's jurisdiction"
        ),
        RouteRule(
            "viewer", frozenset({"supervisor", "admin", "bureau", "process_owner"}), "nothing: local file"
        ),
        RouteRule("modeler", DEPLOY_ROLES, "engine: deploy roles"),
        RouteRule("reports", frozenset({"bureau", "supervisor", "admin"}), "the jurisdictions of the grants"),
        RouteRule(
            "apply", frozenset({"solver"}), "engine.applications: solver of the jurisdiction, linked unit"
        ),
        RouteRule(
            "solver",
            frozenset({"solver"}),
            "engine.access.solvers: the applications and projects of the user's own unit, party fields only",
        ),
        RouteRule(
            "accounts",
            ACCOUNT_ADMIN_ROLES,
            "administration.require_account_admin: admin of every jurisdiction",
        ),
        RouteRule(
            "directory",
            DIRECTORY_ROLES,
            "administration.require_directory: admin or bureau of the organisation's jurisdiction",
        ),
        RouteRule("token", STAFF_ROLES, "the handler asks the policy for the resource (API)"),
        RouteRule(
            "calendar",
            frozenset({"admin", "bureau"}),
            "the national holiday schedule; instances listed only where readable_clause allows",
        ),
        RouteRule("clock", frozenset({"admin"}), "the simulated clock (training and demo deployments only)"),
        RouteRule(
            "start",
            STAFF_ROLES,
            "engine.start_forms.startable (engine.access.starting): processes the user may start, and where",
        ),
        RouteRule(
            "versions",
            frozenset({"supervisor", "admin", "bureau", "process_owner"}),
            "nothing: deployed process definitions and policy tables compared, no instance data",
        ),
    )
}
