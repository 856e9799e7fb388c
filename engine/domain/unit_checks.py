"""Units a solver names by code (the consortium partners of an application): each is a registered organisation
or a unified social credit code (统一社会信用代码, GB 32100-2015) whose check character is right
(``stdnum.cn.uscc``); a consortium is two or more distinct legal persons led by the solver (000 §8, 003 §8:
联合体 with a lead unit). The locality rules: where a seed asks for a local legal person (issuer: 000 §9(一),
001 五(一)1, 002 二(一)1, 003 §8, 004 二; transfer-type solver: 000 §10(二), 002 二(四)) the unit has a valid USCC
and its registered region lies in the jurisdiction (policy ``local_regions``). Pure functions; the caller
passes the directory look-up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from engine.domain.application_intake import code_list
from engine.domain.problems import Problem

USCC_SOURCE = "GB 32100-2015"
CONSORTIUM_SOURCE = "000 §8, 003 §8"


def code_problem(code: str, registered: Callable[[str], bool]) -> tuple[str, str] | None:
    """Why ``code`` names no unit: (Chinese, English), or None when it is registered or a valid USCC."""
    if registered(code):
        return None
    compact = uscc.compact(code)
    try:
        uscc.validate(compact)
        return None
    except InvalidChecksum:
        return (
            f"“{code}”的统一社会信用代码校验位不正确，请核对营业执照上的代码。",
            f"The check character of the unified social credit code “{code}” is wrong; copy it from the "
            "business licence.",
        )
    except InvalidLength:
        pass  # not a code of 18 characters: named as an unknown unit below
    except ValidationError:
        if len(compact) == 18:
            return (
                f"“{code}”不是有效的统一社会信用代码：只能包含数字和除 I、O、Z、S、V 以外的大写字母。",
                f"“{code}” is not a valid unified social credit code: digits and capitals other than I, O, Z, S, "
                "V only.",
            )
    return (
        f"没有代码为“{code}”的单位：请填写合作单位的 18 位统一社会信用代码。",
        f"No unit has the code “{code}”: give the partner's 18-character unified social credit code.",
    )


def solver_as_partner() -> Problem:
    """The solver leads its consortium and is not one of its own partners (000 §8, 003 §8: a consortium is two
    or more legal persons)."""
    return Problem(
        "partners",
        "联合体由揭榜方牵头，揭榜方本身不能再列为合作单位。",
        "The solver leads the consortium; it cannot also be listed as a partner.",
        CONSORTIUM_SOURCE,
    )


def partner_problems(partners: Any, solver: str, registered: Callable[[str], bool]) -> list[Problem]:
    """The consortium partners an applicant lists (field ``partners``)."""
    codes = code_list(partners)
    out: list[Problem] = []
    for code in codes:
        found = code_problem(code, registered)
        if found:
            out.append(Problem("partners", found[0], found[1], USCC_SOURCE))
    if solver and any(uscc.compact(c) == uscc.compact(solver) for c in codes):
        out.append(solver_as_partner())
    if len({uscc.compact(c) for c in codes}) != len(codes):
        out.append(
            Problem(
                "partners",
                "同一合作单位只能列一次：联合体由两个及以上不同的法人组成。",
                "List each partner once: a consortium is two or more distinct legal persons.",
                CONSORTIUM_SOURCE,
            )
        )
    return out


@dataclass(frozen=True)
class Unit:
    """What the locality rules need to know of an organisation: its name, its USCC (None: not registered as a
    legal person) and the GB/T 2260 region of its registered address."""

    name: str
    uscc: str | None
    region: str | None


def is_local(unit: Unit, local_regions: Iterable[str]) -> bool:
    """Registered within the jurisdiction: its region lies under one of the policy's ``local_regions`` prefixes
    (乌鲁木齐市 6501, 重庆市大足区 500111, 克拉玛依市 6502, 张掖市 6207)."""
    return bool(unit.region) and any(str(unit.region).startswith(str(p)) for p in local_regions if p)


def _locality_problem(
    role_zh: str, role_en: str, code: str, unit: Unit | None, d: Mapping[str, Any], field: str, source: Any
) -> Problem | None:
    regions = list(d.get("local_regions") or [])
    area = str(d.get("local_area_zh") or "本地")
    if unit is None or not unit.uscc:
        name = unit.name if unit else code
        return Problem(
            field,
            f"{role_zh}“{name}”未登记有效的统一社会信用代码，无法确认其为{area}独立法人；请先由科技局登记。",
            f"The {role_en} “{name}” has no valid unified social credit code on record, so it cannot be "
            "confirmed as a local legal person; ask the bureau to register it.",
            source,
        )
    if not is_local(unit, regions):
        return Problem(
            field,
            f"{role_zh}“{unit.name}”的注册地（行政区划代码 {unit.region or '未登记'}）不在{area}：本类项目的"
            f"{role_zh}须为{area}具有独立法人资格的单位。",
            f"The {role_en} “{unit.name}” is registered outside the jurisdiction (region "
            f"{unit.region or 'unknown'}): for this category the {role_en} must be a local legal person.",
            source,
        )
    return None


def issuer_locality_problems(d: Mapping[str, Any], unit_of: Callable[[str], Unit | None]) -> list[Problem]:
    """The issuer of a need of a category the policy names (``local_issuer_categories``) is a local legal
    person: Urumqi 技术攻关 (000 §9(一), 002 二(一)1), Dazu (001 五(一)1), Karamay (003 §8), Zhangye (004 二)."""
    code = str(d.get("issuer_code") or "")
    if d.get("category") not in list(d.get("local_issuer_categories") or []) or not code:
        return []
    found = _locality_problem(
        "发榜方", "issuer", code, unit_of(code), d, "category", d.get("local_issuer_source")
    )
    return [found] if found else []


def solver_locality_problems(
    d: Mapping[str, Any], solver: str, unit_of: Callable[[str], Unit | None]
) -> list[Problem]:
    """The solver of a challenge of a category the policy names (``local_solver_categories``) is a local legal
    person: Urumqi 成果转化 (000 §10(二), 002 二(四))."""
    if d.get("category") not in list(d.get("local_solver_categories") or []) or not solver:
        return []
    found = _locality_problem(
        "揭榜方", "solver", solver, unit_of(solver), d, "plan", d.get("local_solver_source")
    )
    return [found] if found else []


#: The need categories as the need form names them (bpmn/shared/forms/need_post.form.json).
CATEGORY_NAMES = {
    "breakthrough": ("技术攻关", "tech-breakthrough"),
    "transfer": ("成果转化", "achievement-transfer"),
    "industry_common": ("行业共性", "industry-common"),
    "enterprise_posed": ("企业出题", "enterprise-posed"),
}


def locality_hints(d: Mapping[str, Any]) -> list[Problem]:
    """What the need form says beside the category before the issuer chooses it."""
    categories = [c for c in CATEGORY_NAMES if c in list(d.get("local_issuer_categories") or [])]
    if not categories:
        return []
    area = str(d.get("local_area_zh") or "本地")
    which_zh = which_en = ""
    if len(categories) < len(CATEGORY_NAMES):
        which_zh = "、".join(CATEGORY_NAMES[c][0] for c in categories) + "类需求的"
        which_en = " of a " + " or ".join(CATEGORY_NAMES[c][1] for c in categories) + " need"
    return [
        Problem(
            "category",
            f"{which_zh}发榜方须为{area}具有独立法人资格的单位（按统一社会信用代码和注册地核对）。",
            f"The issuer{which_en} must be a local legal person (checked by its unified social credit code and "
            "registered region).",
            d.get("local_issuer_source"),
        )
    ]
