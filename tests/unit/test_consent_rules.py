"""The refusal of the agreement a termination or an extension needs besides the bureau's
(engine/domain/consent.py): a refusal names its reason, beside the reason field, with the rule's source."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain import consent
from engine.domain.checks import CHECKS, CheckContext, hints, problems

CTX = CheckContext(date(2027, 3, 1), lambda _project: 0)
DAZU = {"termination_cosigner_source": "001 八(八): the district government consents after the bureau"}
KARAMAY = {"ext_source": "003 §19"}


def _texts(names: list[str], data: dict[str, object]) -> dict[str, str]:
    return {p.field: p.text("zh") for p in problems(names, data, CTX)}


def test_the_reason_checks_are_registered_for_the_forms() -> None:
    names = {"termination_decision_reason", "termination_consent_reason", "extension_approver_reason"}
    assert names | {"extension_issuer_reason"} <= set(CHECKS)


def test_001_8_8_refusing_a_termination_needs_a_reason() -> None:
    """001 八(八): the district government's refusal is told to the requester with its reason."""
    refused = dict(DAZU, consent_decision="reject", consent_opinion="  ")
    found = _texts(["termination_consent_reason"], refused)
    assert "须写明理由" in found["consent_opinion"] and "001 八(八)" in found["consent_opinion"]
    assert _texts(["termination_consent_reason"], dict(refused, consent_opinion="仍有望完成")) == {}
    assert _texts(["termination_consent_reason"], dict(DAZU, consent_decision="approve")) == {}


def test_000_14_the_bureau_refusing_a_termination_needs_a_reason() -> None:
    """000 §14 经市科技局审核同意 (and 001 八(八), 003 §17): the bureau's own refusal says why, beside the opinion."""
    urumqi = {"termination_source": "000 §14"}  # the termination table cites its article
    found = _texts(["termination_decision_reason"], dict(urumqi, termination_decision="reject"))
    assert found == {"termination_opinion": "不同意终止的，须写明理由（将告知申请方）。（依据：000 §14）"}
    refused = dict(urumqi, termination_decision="reject", termination_opinion="技术路线仍可调整")
    assert _texts(["termination_decision_reason"], refused) == {}
    assert _texts(["termination_decision_reason"], dict(urumqi, termination_decision="approve")) == {}


def test_003_19_the_issuer_refusing_an_extension_needs_a_reason() -> None:
    found = _texts(["extension_issuer_reason"], dict(KARAMAY, issuer_decision="reject"))
    assert "003 §19" in found["issuer_reason"]
    assert _texts(["extension_issuer_reason"], dict(KARAMAY, issuer_decision="approve")) == {}


def test_001_8_8_the_government_refusing_an_extension_needs_a_reason() -> None:
    data = {"ext_source": "unspecified in 001 八(八): policy parameter", "gov_decision": "reject"}
    assert "gov_reason" in _texts(["extension_approver_reason"], data)
    assert _texts(["extension_approver_reason"], dict(data, gov_reason="不属不可抗力")) == {}


def test_the_requirement_is_shown_before_typing() -> None:
    (hint,) = hints(["termination_consent_reason"], DAZU, CTX)
    assert hint.field == "consent_opinion" and "001 八(八)" in hint.text("zh")
    assert "give the reason" in hint.text("en")


@pytest.mark.parametrize(
    ("cosigner", "zh", "en"),
    [
        ("bureau", "科技局", "the bureau"),
        ("approver", "区政府", "the district government"),
        ("issuer", "发榜方", "the issuer"),
    ],
)
def test_the_refusing_party_is_named_in_each_language(cosigner: str, zh: str, en: str) -> None:
    assert consent.party(cosigner) == (zh, en)
    assert consent.refused("reject") and not consent.refused("approve") and not consent.refused(None)
