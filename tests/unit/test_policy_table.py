"""Policy tables without a database: declared types and ranges, rows → variables, value differences."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.policy_table import check_parameter_tables, declared, policy_values, rows_to_values, value_problem
from engine.version_history import policy_changes
from engine.xmlsafe import parse_xml

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_shipped_policy_table_fits_its_declaration(jurisdiction: str) -> None:
    name = f"bpmn/{jurisdiction}/policy_{jurisdiction}.dmn"
    tree = parse_xml((BPMN / jurisdiction / f"policy_{jurisdiction}.dmn").read_bytes())
    assert check_parameter_tables(name, tree) == []
    assert set(policy_values((BPMN / jurisdiction / f"policy_{jurisdiction}.dmn").read_bytes())) == set(
        declared()
    )


def test_the_2025_edition_fits_too() -> None:
    path = BPMN / "urumqi" / "editions" / "2025" / "policy_urumqi.dmn.edition"
    assert check_parameter_tables("policy_urumqi.dmn", parse_xml(path.read_bytes())) == []


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("ext_notice_days", [0, 30], [-5, 1.5, True, "30", None]),  # integer ≥ 0
        ("fiscal_ratio_pct", [0, 30, 100], [-1, 101, 300, 30.5]),  # 001 十(一): a percentage 0–100
        ("race_first_pct", [None, 0, 20], [120]),  # nullable percentage (001 十(二): case by case)
        ("fiscal_cap_fen", [0, 100000000], [-1, 1000.5, "100万"]),  # money in fen ≥ 0
        ("publicity_unit", ["working_days", "days"], ["workdays", "工作日", 5]),  # 001 八(五), 000 §12(5)
        ("panel_odd", [True, False], ["yes", 1, None]),
        ("call_opens", [None, "2026-04-25T10:00:00+08:00"], ["2026-04-25T10:00:00", "2026-13-40", 20260425]),
        ("task_book_requires", [[], ["confidentiality"]], ["confidentiality", [1]]),
        ("money_source", ["001 十(一)"], [None, 1]),
    ],
)
def test_values_are_checked_against_type_and_range(key: str, good: list[object], bad: list[object]) -> None:
    p = declared()[key]
    assert [v for v in good if value_problem(p, v)] == []
    assert [v for v in bad if not value_problem(p, v)] == []


def test_rows_become_one_variable_each_and_differences_are_named() -> None:
    assert rows_to_values({"parameter": ["first_pct", "panel_odd"], "value": [50, True]}) == {
        "first_pct": 50,
        "panel_odd": True,
    }
    assert rows_to_values({}) == {}
    changes = policy_changes(
        {"publicity_length": "5", "first_pct": "50"}, {"publicity_length": "6", "first_pct": "50"}
    )
    assert [(c.key, c.zh, c.en, c.old, c.new) for c in changes] == [
        ("publicity_length", "公示期长度", "Publicity length", "5", "6")
    ]
