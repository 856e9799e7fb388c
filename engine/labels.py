"""The names of role and jurisdiction codes shown to people, as (Chinese, English) pairs like the engine's
errors. A code without a name is shown as itself."""

from __future__ import annotations

ROLE_NAMES: dict[str, tuple[str, str]] = {
    "bureau": ("科技局", "Science bureau"),
    "recommender": ("推荐单位", "Recommender"),
    "issuer": ("发榜单位", "Issuer"),
    "solver": ("揭榜单位", "Solver"),
    "expert": ("评审专家", "Expert"),
    "panel_chair": ("专家组组长", "Panel chair"),
    "approver": ("审批机构", "Approver"),
    "third_party": ("第三方机构", "Third party"),
    "supervisor": ("监督部门", "Supervisor"),
    "process_owner": ("流程负责人", "Process owner"),
    "admin": ("系统管理员", "Administrator"),
}

JURISDICTION_NAMES: dict[str, tuple[str, str]] = {
    "urumqi": ("乌鲁木齐", "Urumqi"),
    "dazu": ("大足", "Dazu"),
    "karamay": ("克拉玛依", "Karamay"),
    "zhangye": ("张掖", "Zhangye"),
}

#: What a grant or an organisation without a jurisdiction covers.
EVERY_JURISDICTION = ("全部辖区", "every jurisdiction")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang.startswith("zh") else pair[1]


def role_name(code: str, lang: str = "zh") -> str:
    pair = ROLE_NAMES.get(code)
    return _pick(pair, lang) if pair else code


def jurisdiction_name(code: str | None, lang: str = "zh") -> str:
    if code is None:
        return _pick(EVERY_JURISDICTION, lang)
    pair = JURISDICTION_NAMES.get(code)
    return _pick(pair, lang) if pair else code
