"""Units a solver names by code (the consortium partners of an application): each is a registered organisation
or a unified social credit code (统一社会信用代码, GB 32100-2015) whose check character is right
(``stdnum.cn.uscc``); a consortium is two or more distinct legal persons led by the solver (000 §8, 003 §8:
联合体 with a lead unit). Pure functions; the caller passes the directory look-up."""

from __future__ import annotations

from collections.abc import Callable
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


def partner_problems(partners: Any, solver: str, registered: Callable[[str], bool]) -> list[Problem]:
    """The consortium partners an applicant lists (field ``partners``)."""
    codes = code_list(partners)
    out: list[Problem] = []
    for code in codes:
        found = code_problem(code, registered)
        if found:
            out.append(Problem("partners", found[0], found[1], USCC_SOURCE))
    if solver and any(uscc.compact(c) == uscc.compact(solver) for c in codes):
        out.append(
            Problem(
                "partners",
                "联合体由揭榜方牵头，揭榜方本身不能再列为合作单位。",
                "The solver leads the consortium; it cannot also be listed as a partner.",
                CONSORTIUM_SOURCE,
            )
        )
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
