"""The bureau's decision on a termination, the agreement a termination or an extension needs besides the
bureau's, and their refusal.

Who agrees is policy (the jurisdiction's table: ``termination_cosigner``, ``ext_needs_approver``,
``ext_needs_issuer``); this module says what a refusal needs and how it is told:

- 001 八(八): a Dazu termination or extension takes effect only with the district government's consent;
- 003 §17: a Karamay termination is decided by the bureau and the issuer jointly;
- 003 §19: a Karamay extension request goes to the bureau and the issuer, and both agree;
- 000 §14, 001 八(八), 003 §17: the bureau itself reviews a termination first and may refuse it.

A party that refuses says why (checked before submit, beside the reason field): the requester is told the
decision and its reason, and the project goes on as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.domain.check_registry import register
from engine.domain.problems import Hint, Problem

#: the value of a decision field that refuses (the forms' option "不同意")
REFUSE = "reject"


@dataclass(frozen=True)
class Decision:
    """A form's decision field, the reason field a refusal must fill and the data key of the rule's source."""

    check: str
    decision: str
    reason: str
    source: str
    zh: str
    en: str


DECISIONS: tuple[Decision, ...] = (
    # 000 §14 经市科技局审核同意, 001 八(八) 区科技局审核, 003 §17: the bureau refusing a termination says why
    Decision(
        "termination_decision_reason",
        "termination_decision",
        "termination_opinion",
        "termination_source",
        "不同意终止的，须写明理由（将告知申请方）。",
        "To refuse the termination, give the reason (the requester is told).",
    ),
    Decision(
        "termination_consent_reason",
        "consent_decision",
        "consent_opinion",
        "termination_cosigner_source",
        "不同意终止的，须写明理由（将告知申请方）。",
        "To refuse the termination, give the reason (the requester is told).",
    ),
    Decision(
        "extension_approver_reason",
        "gov_decision",
        "gov_reason",
        "ext_source",
        "不同意延期的，须写明理由（将告知揭榜方）。",
        "To refuse the extension, give the reason (the solver is told).",
    ),
    Decision(
        "extension_issuer_reason",
        "issuer_decision",
        "issuer_reason",
        "ext_source",
        "发榜方不同意延期的，须写明理由（将告知揭榜方）。",
        "To refuse the extension as the issuer, give the reason (the solver is told).",
    ),
)

#: who refused a termination (the bureau, or ``termination_cosigner``) → how the requester is told
PARTY: dict[str, tuple[str, str]] = {
    "bureau": ("科技局", "the bureau"),
    "approver": ("区政府", "the district government"),
    "issuer": ("发榜方", "the issuer"),
}


def refused(decision: Any) -> bool:
    """Whether a decision field's value refuses."""
    return str(decision or "") == REFUSE


def _source(d: Mapping[str, Any], spec: Decision) -> str | None:
    value = d.get(spec.source)
    return str(value) if value else None


def reason_problems(spec: Decision, d: Mapping[str, Any]) -> list[Problem]:
    """A refusal (``spec.decision`` is ``reject``) without a reason is refused beside the reason field."""
    if not refused(d.get(spec.decision)) or str(d.get(spec.reason) or "").strip():
        return []
    return [Problem(spec.reason, spec.zh, spec.en, _source(d, spec))]


def reason_hints(spec: Decision, d: Mapping[str, Any]) -> list[Hint]:
    return [Hint(spec.reason, spec.zh, spec.en, _source(d, spec))]


def party(cosigner: str) -> tuple[str, str]:
    """The party that refused a termination (``bureau`` or a ``termination_cosigner``) in Chinese and English."""
    return PARTY.get(str(cosigner or ""), ("审批方", "the approving party"))


for _spec in DECISIONS:
    register(
        _spec.check,
        lambda d, c, spec=_spec: reason_problems(spec, d),
        lambda d, c, spec=_spec: reason_hints(spec, d),
    )
