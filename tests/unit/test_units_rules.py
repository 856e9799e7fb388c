"""Unit rules: local legal persons with a checked 统一社会信用代码 (000 §8–10, 001 五(一)1, 002 二, 003 §8, 004 二),
the contract registration (002 五(二)6) and the pilot's 3–5 projects (004 二), as pure functions."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import uscc

from engine.domain import contract_registration, pilot, unit_checks
from engine.domain.unit_checks import Unit
from engine.errors import ValidationFailed
from engine.field_errors import FieldErrors

URUMQI = {
    "local_regions": ["6501"],
    "local_area_zh": "乌鲁木齐市域内",
    "local_issuer_categories": ["breakthrough"],
    "local_issuer_source": "000 §9(一), 002 二(一)1",
    "local_solver_categories": ["transfer"],
    "local_solver_source": "000 §10(二), 002 二(四)",
}
HERE = Unit("本地企业", "91650102MA70000019", "650102")
BEIJING = Unit("北京研究院", "91110108MA00000017", "110108")


def _units(code: str) -> Unit | None:
    return {"HERE": HERE, "BEIJING": BEIJING, "NOCODE": Unit("无代码单位", None, "650102")}.get(code)


def test_000_9_breakthrough_issuer_must_be_local() -> None:
    d = {**URUMQI, "category": "breakthrough", "issuer_code": "BEIJING"}
    (problem,) = unit_checks.issuer_locality_problems(d, _units)
    assert problem.field == "category" and problem.citation == "000 §9(一), 002 二(一)1"
    assert "110108" in problem.zh and "乌鲁木齐市域内" in problem.zh
    assert unit_checks.issuer_locality_problems({**d, "issuer_code": "HERE"}, _units) == []


def test_000_9_2_transfer_issuer_may_be_anywhere() -> None:
    d = {**URUMQI, "category": "transfer", "issuer_code": "BEIJING"}
    assert unit_checks.issuer_locality_problems(d, _units) == []


def test_000_8_issuer_without_uscc_or_unknown_is_refused() -> None:
    d = {**URUMQI, "category": "breakthrough"}
    (nocode,) = unit_checks.issuer_locality_problems({**d, "issuer_code": "NOCODE"}, _units)
    assert "未登记有效的统一社会信用代码" in nocode.zh
    (unknown,) = unit_checks.issuer_locality_problems({**d, "issuer_code": "GONE"}, _units)
    assert "“GONE”" in unknown.zh


def test_000_10_2_transfer_solver_must_be_local_breakthrough_solver_anywhere() -> None:
    (problem,) = unit_checks.solver_locality_problems({**URUMQI, "category": "transfer"}, "BEIJING", _units)
    assert problem.citation == "000 §10(二), 002 二(四)" and "揭榜方“北京研究院”" in problem.zh
    assert unit_checks.solver_locality_problems({**URUMQI, "category": "transfer"}, "HERE", _units) == []
    assert (
        unit_checks.solver_locality_problems({**URUMQI, "category": "breakthrough"}, "BEIJING", _units) == []
    )


def test_local_region_is_a_prefix_of_the_registered_region() -> None:
    assert unit_checks.is_local(Unit("x", "c", "650121"), ["6501"])  # 乌鲁木齐县
    assert not unit_checks.is_local(Unit("x", "c", "650203"), ["6501"])  # 克拉玛依区
    assert not unit_checks.is_local(Unit("x", "c", None), ["6501"])


def test_demo_units_get_valid_codes_in_their_region() -> None:
    from web.demo import DEMO_REGIONS, demo_uscc

    codes = {demo_uscc(f"{j.upper()}-S{i}", r) for j, r in DEMO_REGIONS.items() for i in range(1, 5)}
    assert len(codes) == 16 and all(uscc.is_valid(c) for c in codes)
    assert demo_uscc("URUMQI-ISS", "650102")[2:8] == "650102"


def test_region_defaults_to_the_registration_authority_and_must_have_six_digits() -> None:
    from engine.directory import check_region

    errors = FieldErrors()
    assert check_region("", "91650100MA70000004", errors) == "650100" and not errors
    assert check_region("620702", "91650100MA70000004", errors) == "620702"
    assert not errors
    assert check_region("6501", "91650100MA70000004", errors) == ""
    with pytest.raises(ValidationFailed) as caught:
        errors.raise_any()
    assert "6 位数字" in caught.value.details["fields"]["region"][0]


def test_002_5_2_6_registration_date_between_opening_and_today() -> None:
    d = {"opened_on": "2026-07-20", "contract_reg_number": "2026650100000123"}
    assert (
        contract_registration.registration_problems(
            {**d, "contract_reg_date": "2026-07-21"}, date(2026, 7, 21)
        )
        == []
    )
    (early,) = contract_registration.registration_problems(
        {**d, "contract_reg_date": "2026-07-19"}, date(2026, 7, 21)
    )
    assert early.field == "contract_reg_date" and early.citation == "002 五(二)6"
    (future,) = contract_registration.registration_problems(
        {**d, "contract_reg_date": "2026-07-22"}, date(2026, 7, 21)
    )
    assert "晚于今天" in future.zh
    (blank,) = contract_registration.registration_problems(
        {"opened_on": "2026-07-20", "contract_reg_number": " ", "contract_reg_date": "2026-07-20"},
        date(2026, 7, 21),
    )
    assert blank.field == "contract_reg_number"


ZHANGYE = {
    "jurisdiction": "zhangye",
    "project_code": "ZHANGYE-2026-006",
    "pilot_projects_min": 3,
    "pilot_projects_max": 5,
    "pilot_period_start": "2021-05-11T00:00:00+08:00",
    "pilot_source": "004 二",
}


def test_004_2_sixth_pilot_project_refused_rejection_allowed() -> None:
    asked: list[tuple[str, object, str]] = []

    def five(j: str, since: object, exclude: str) -> int:
        asked.append((j, since, exclude))
        return 5

    (problem,) = pilot.quota_problems({**ZHANGYE, "approval": "approve"}, five)
    assert problem.field == "approval" and problem.citation == "004 二" and "上限 5 个" in problem.zh
    assert asked == [("zhangye", "2021-05-11T00:00:00+08:00", "ZHANGYE-2026-006")]
    assert pilot.quota_problems({**ZHANGYE, "approval": "reject"}, five) == []
    assert pilot.quota_problems({**ZHANGYE, "approval": "approve"}, lambda *a: 4) == []


def test_004_2_fewer_than_three_is_a_warning_and_other_jurisdictions_have_no_pilot() -> None:
    (hint,) = pilot.quota_hints(ZHANGYE, lambda *a: 2)
    assert "已支持 2 个项目" in hint.zh and "尚少于 3 个" in hint.zh
    (hint,) = pilot.quota_hints(ZHANGYE, lambda *a: 3)
    assert "尚少于" not in hint.zh
    none = {**ZHANGYE, "pilot_projects_max": None, "pilot_projects_min": None, "approval": "approve"}
    assert pilot.quota_hints(none, lambda *a: 9) == [] and pilot.quota_problems(none, lambda *a: 9) == []


def test_000_9_the_need_form_names_the_categories_whose_issuer_must_be_local() -> None:
    (hint,) = unit_checks.locality_hints(URUMQI)
    assert hint.field == "category" and hint.zh.startswith("技术攻关类需求的发榜方须为乌鲁木齐市域内")
    every = {
        **URUMQI,
        "local_issuer_categories": list(unit_checks.CATEGORY_NAMES),
        "local_area_zh": "张掖市内",
    }
    (hint,) = unit_checks.locality_hints(every)
    assert hint.zh.startswith("发榜方须为张掖市内具有独立法人资格的单位")
    assert unit_checks.locality_hints({**URUMQI, "local_issuer_categories": []}) == []
