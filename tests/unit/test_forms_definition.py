"""Form definitions: the shipped examples load; every kind of mistake is refused with file and path."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from forms.definition import DEFINITIONS_DIR, FormDefinition, load_builtin
from forms.errors import FormDefinitionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
L = {"zh": "标签", "en": "Label"}


def form(*fields: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"id": "t", "title": {"zh": "测试", "en": "Test"}, "fields": list(fields), **top}


def problems(raw: Any, filename: str = "t.form.json") -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        FormDefinition.load(raw, filename=filename)
    return caught.value


@pytest.mark.parametrize("path", sorted(DEFINITIONS_DIR.glob("*.form.json")), ids=lambda p: p.name)
def test_shipped_definitions_load_and_match_their_file_name(path: Path) -> None:
    defn = FormDefinition.load_path(path)
    assert path.name == f"{defn.id}.form.json"
    assert defn.filename == path.name


def test_examples_have_the_fields_the_workflow_relies_on() -> None:
    need = load_builtin("need_submit")
    assert [o.value for o in need.field("category").options] == ["tech_breakthrough", "achievement_transfer"]
    assert need.field("pledge_unit").required and need.field("pledge_leader").required
    assert need.field("budget").type == "money" and need.field("deadline").type == "date"
    app = load_builtin("application_submit")
    members = app.field("members")
    assert members.type == "group" and members.min_items == 1
    assert [f.name for f in members.fields] == ["name", "role", "title"]
    assert app.field("attachments").type == "file"
    review = load_builtin("review_decision")
    score = review.field("score")
    assert (score.min, score.max) == (Decimal(0), Decimal(100))
    assert review.field("reason").required


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.form.json")), ids=lambda p: p.name)
def test_engine_fixture_forms_load(path: Path) -> None:
    FormDefinition.load(path.read_text("utf-8"), filename=path.name)


def test_load_accepts_text_bytes_and_dicts_alike() -> None:
    raw = form({"name": "a", "type": "text", "label": L})
    from_dict = FormDefinition.load(raw)
    from_text = FormDefinition.load(json.dumps(raw))
    from_bytes = FormDefinition.load(json.dumps(raw, ensure_ascii=False).encode("utf-8"))
    assert from_dict == from_text == from_bytes
    assert from_dict.fields[0].max_length == 500  # a default keeps input bounded
    assert next(iter(from_dict.iter_fields()))[0] == "a"


def test_parsed_values_are_typed() -> None:
    defn = FormDefinition.load(
        form(
            {"name": "n", "type": "number", "label": L, "min": 0.5, "max": 10},
            {"name": "m", "type": "money", "label": L, "max": 100},
            {"name": "d", "type": "date", "label": L, "min": "2026-01-01"},
            {"name": "g", "type": "group", "label": L, "fields": [{"name": "x", "type": "text", "label": L}]},
        )
    )
    n, m, d, g = defn.fields
    assert (n.min, n.max) == (Decimal("0.5"), Decimal(10))
    assert (m.min, m.max) == (0, 100)  # money min defaults to 0 fen
    assert d.min == date(2026, 1, 1)
    assert g.max_items == 100 and [p for p, _ in defn.iter_fields()] == ["n", "m", "d", "g", "g.*.x"]


def test_error_names_the_file_the_path_and_the_problem_in_both_languages() -> None:
    exc = problems(
        form(
            {"name": "a", "type": "text", "label": L},
            {"name": "budget", "type": "money", "label": L, "min": 500, "max": 100},
        ),
        filename="need_submit.form.json",
    )
    assert "need_submit.form.json" in str(exc)
    assert "fields[1](budget).min" in str(exc)
    assert "greater than" in str(exc)
    assert "大于" in exc.zh and "need_submit.form.json" in exc.zh
    assert exc.filename == "need_submit.form.json"
    assert [p.path for p in exc.problems] == ["fields[1](budget).min"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    exc = problems(form({"name": "a", "type": "bogus", "label": L}, {"name": "b", "type": "text"}))
    paths = [p.path for p in exc.problems]
    assert "fields[0](a).type" in paths and "fields[1](b).label" in paths


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        ("{not json", "", "not valid JSON"),
        ('{"id": "t", "id": "u"}', "", "appears twice"),
        ("[]", "", "must be a JSON object"),
        (
            '{"id": "t", "title": {"zh": "a", "en": "b"}, "fields": [{"name": "a", "type": "number", '
            '"label": {"zh": "a", "en": "b"}, "min": NaN}]}',
            "",
            "not valid JSON",
        ),
    ],
)
def test_unparseable_files(raw: str, path: str, fragment: str) -> None:
    exc = problems(raw)
    assert exc.problems[0].path == path
    assert fragment in str(exc)


def test_non_utf8_bytes_are_refused() -> None:
    assert "UTF-8" in str(problems("{}".encode("utf-16")))


TEXT = {"name": "a", "type": "text", "label": L}


@pytest.mark.parametrize(
    ("top", "path", "fragment"),
    [
        ({"id": None}, "id", "must be a name"),
        ({"id": "has space"}, "id", "must be a name"),
        ({"title": None}, "title", "is required"),
        ({"title": {"zh": "只有中文"}}, "title.en", "non-empty string"),
        ({"title": {"zh": "a", "en": "b", "fr": "c"}}, "title.fr", "unknown language"),
        ({"fields": []}, "fields", "non-empty list"),
        ({"fields": "a"}, "fields", "non-empty list"),
        ({"fields": ["a"]}, "fields[0]", "must be a JSON object"),
        ({"version": 2}, "version", "unknown key"),
    ],
)
def test_top_level_problems(top: dict[str, Any], path: str, fragment: str) -> None:
    raw = form(TEXT)
    raw.update(top)
    exc = problems(raw)
    assert any(p.path == path and fragment in p.en for p in exc.problems), exc.problems


def test_comment_keys_are_allowed() -> None:
    FormDefinition.load(form({**TEXT, "_comment": "why"}, _comment="top"))


def opts(*values: Any) -> list[dict[str, Any]]:
    return [{"value": v, "label": L} for v in values]


SUB = [{"name": "x", "type": "text", "label": L}]


@pytest.mark.parametrize(
    ("field", "path", "fragment"),
    [
        ({"type": "text", "label": L}, "fields[0].name", "identifier"),
        ({"name": "1abc", "type": "text", "label": L}, "fields[0](1abc).name", "identifier"),
        ({"name": "a-b", "type": "text", "label": L}, "fields[0](a-b).name", "identifier"),
        ({"name": "_x", "type": "text", "label": L}, "fields[0](_x).name", "identifier"),
        ({"name": "x" * 65, "type": "text", "label": L}, f"fields[0]({'x' * 65}).name", "identifier"),
        ({"name": "a", "type": "bogus", "label": L}, "fields[0](a).type", "unknown type"),
        ({"name": "a", "label": L}, "fields[0](a).type", "unknown type"),
        ({"name": "a", "type": "text"}, "fields[0](a).label", "is required"),
        ({"name": "a", "type": "text", "label": {"zh": "", "en": "x"}}, "fields[0](a).label.zh", "non-empty"),
        ({"name": "a", "type": "text", "label": "标签"}, "fields[0](a).label", "must be an object"),
        ({**TEXT, "help": {"zh": "帮助"}}, "fields[0](a).help.en", "non-empty"),
        ({**TEXT, "required": "yes"}, "fields[0](a).required", "true or false"),
        ({**TEXT, "max_lenght": 5}, "fields[0](a).max_lenght", "unknown key"),
        ({**TEXT, "options": []}, "fields[0](a).options", "unknown key"),
        ({**TEXT, "min_length": 5, "max_length": 2}, "fields[0](a).min_length", "greater than"),
        ({**TEXT, "max_length": 0}, "fields[0](a).max_length", "whole number ≥ 1"),
        ({**TEXT, "min_length": True}, "fields[0](a).min_length", "whole number"),
        ({**TEXT, "pattern": "(unclosed"}, "fields[0](a).pattern", "invalid regular expression"),
        ({**TEXT, "pattern_message": L}, "fields[0](a).pattern_message", "needs a pattern"),
        ({"name": "a", "type": "number", "label": L, "min": 5, "max": 1}, "fields[0](a).min", "greater than"),
        ({"name": "a", "type": "number", "label": L, "min": "1"}, "fields[0](a).min", "must be a number"),
        (
            {"name": "a", "type": "number", "label": L, "integer": True, "min": 0.5},
            "fields[0](a).min",
            "whole number",
        ),
        (
            {"name": "a", "type": "number", "label": L, "integer": True, "decimals": 2},
            "fields[0](a).decimals",
            "no decimals",
        ),
        ({"name": "a", "type": "number", "label": L, "max": 1e20}, "fields[0](a).max", "within"),
        ({"name": "a", "type": "money", "label": L, "min": 1.5}, "fields[0](a).min", "fen"),
        ({"name": "a", "type": "money", "label": L, "max": "100"}, "fields[0](a).max", "fen"),
        ({"name": "a", "type": "money", "label": L, "max": -1}, "fields[0](a).min", "greater than"),
        ({"name": "a", "type": "money", "label": L, "max": 10**20}, "fields[0](a).max", "within"),
        ({"name": "a", "type": "date", "label": L, "min": "2026/01/01"}, "fields[0](a).min", "YYYY-MM-DD"),
        ({"name": "a", "type": "date", "label": L, "max": "2026-02-30"}, "fields[0](a).max", "YYYY-MM-DD"),
        (
            {"name": "a", "type": "date", "label": L, "min": "2026-02-01", "max": "2026-01-01"},
            "fields[0](a).min",
            "greater than",
        ),
        ({"name": "a", "type": "select", "label": L}, "fields[0](a).options", "non-empty list"),
        (
            {"name": "a", "type": "select", "label": L, "options": []},
            "fields[0](a).options",
            "non-empty list",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": ["x"]},
            "fields[0](a).options[0]",
            "must be an object",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": [{"value": "x"}]},
            "fields[0](a).options[0].label",
            "is required",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": opts(1)},
            "fields[0](a).options[0].value",
            "non-empty string",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": opts("")},
            "fields[0](a).options[0].value",
            "non-empty string",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": opts("x", "x")},
            "fields[0](a).options[1].value",
            "duplicate option",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": [{"value": "x", "label": L, "extra": 1}]},
            "fields[0](a).options[0].extra",
            "unknown key",
        ),
        (
            {"name": "a", "type": "select", "label": L, "options": opts("x"), "min_items": 1},
            "fields[0](a).min_items",
            "only for a multiple select",
        ),
        (
            {
                "name": "a",
                "type": "select",
                "label": L,
                "options": opts("x", "y"),
                "multiple": True,
                "min_items": 2,
                "max_items": 1,
            },
            "fields[0](a).min_items",
            "greater than",
        ),
        ({"name": "a", "type": "checkbox", "label": L, "min": 1}, "fields[0](a).min", "unknown key"),
        ({"name": "a", "type": "group", "label": L}, "fields[0](a).fields", "non-empty list"),
        (
            {"name": "a", "type": "group", "label": L, "fields": SUB, "min_items": 3, "max_items": 2},
            "fields[0](a).min_items",
            "greater than",
        ),
        (
            {"name": "a", "type": "group", "label": L, "fields": SUB, "min_items": -1},
            "fields[0](a).min_items",
            "whole number",
        ),
        (
            {"name": "a", "type": "group", "label": L, "fields": [*SUB, *SUB]},
            "fields[0](a).fields[1](x).name",
            "duplicate field name",
        ),
        (
            {
                "name": "a",
                "type": "group",
                "label": L,
                "fields": [{"name": "g", "type": "group", "label": L, "fields": SUB}],
            },
            "fields[0](a).fields[0](g).type",
            "cannot be inside a group",
        ),
        (
            {
                "name": "a",
                "type": "group",
                "label": L,
                "fields": [{"name": "r", "type": "readonly", "label": L, "source": "x"}],
            },
            "fields[0](a).fields[0](r).type",
            "cannot be inside a group",
        ),
        (
            {"name": "a", "type": "group", "label": L, "fields": [{"name": "x", "type": "text"}]},
            "fields[0](a).fields[0](x).label",
            "is required",
        ),
        (
            {"name": "a", "type": "file", "label": L, "max_size": 0},
            "fields[0](a).max_size",
            "whole number ≥ 1",
        ),
        ({"name": "a", "type": "file", "label": L, "accept": "pdf"}, "fields[0](a).accept", "non-empty list"),
        ({"name": "a", "type": "file", "label": L, "accept": ["pdf"]}, "fields[0](a).accept[0]", "extension"),
        (
            {"name": "a", "type": "file", "label": L, "max_items": 3},
            "fields[0](a).max_items",
            "multiple files",
        ),
        ({"name": "a", "type": "readonly", "label": L}, "fields[0](a).source", "data key"),
        ({"name": "a", "type": "readonly", "label": L, "source": "a b"}, "fields[0](a).source", "data key"),
        (
            {"name": "a", "type": "readonly", "label": L, "source": "x", "required": True},
            "fields[0](a).required",
            "cannot be required",
        ),
        (
            {"name": "a", "type": "readonly", "label": L, "source": "x", "format": "html"},
            "fields[0](a).format",
            "one of",
        ),
    ],
)
def test_field_problems(field: dict[str, Any], path: str, fragment: str) -> None:
    exc = problems(form(field))
    assert any(p.path == path and fragment in p.en for p in exc.problems), [
        (p.path, p.en) for p in exc.problems
    ]
    assert all(p.zh for p in exc.problems)


def test_duplicate_field_names_are_refused() -> None:
    exc = problems(form(TEXT, {**TEXT, "type": "number"}))
    assert [p.path for p in exc.problems] == ["fields[1](a).name"]
    assert "duplicate field name 'a'" in str(exc) and "重复" in exc.zh


def test_one_name_for_disjoint_jurisdictions_is_one_field_per_case() -> None:
    """Dazu's acceptance panel is a picker of the expert pool, elsewhere a text: one name, one field per case;
    a name given twice for a jurisdiction both cover (or for every jurisdiction) stays refused."""
    picker = {"name": "a", "type": "picker", "of": "expert", "label": L, "jurisdictions": ["dazu"]}
    text = {**TEXT, "jurisdictions": ["urumqi", "karamay"]}
    defn = FormDefinition.load(form(text, picker))
    assert [f.type for f in defn.for_jurisdiction("dazu").fields] == ["picker"]
    assert [f.type for f in defn.for_jurisdiction("urumqi").fields] == ["text"]
    for other in ({**picker, "jurisdictions": ["dazu", "karamay"]}, {**picker, "jurisdictions": []}):
        exc = problems(form(text, other))
        assert "duplicate field name 'a'" in str(exc)


def test_the_same_name_in_different_groups_is_fine() -> None:
    FormDefinition.load(
        form(
            {"name": "title", "type": "text", "label": L},
            {
                "name": "g",
                "type": "group",
                "label": L,
                "fields": [{"name": "title", "type": "text", "label": L}],
            },
        )
    )


def test_load_builtin_rejects_path_tricks() -> None:
    with pytest.raises(ValueError):
        load_builtin("../secret")


def test_each_jurisdiction_reads_its_own_description_of_a_shared_form() -> None:
    """The shared 审核终止 form: Dazu's clerk reads about the district government, Karamay's about the issuer's
    joint review, an Urumqi or Zhangye clerk about neither."""
    decide = FormDefinition.load_path(
        Path(__file__).resolve().parents[2] / "bpmn/shared/forms/termination_decision.form.json"
    )
    texts = {j: decide.for_jurisdiction(j).description for j in ("urumqi", "zhangye", "dazu", "karamay")}
    assert all(t is not None for t in texts.values())
    for j in ("urumqi", "zhangye"):
        text = texts[j]
        assert text is not None and not any(w in text.zh for w in ("大足", "克拉玛依", "区政府", "发榜方"))
        assert not any(w in text.en for w in ("Dazu", "Karamay", "district government", "issuer"))
    dazu, karamay = texts["dazu"], texts["karamay"]
    assert (
        dazu is not None and "区政府同意" in dazu.zh and "发榜方" not in dazu.zh and "001 八(八)" in dazu.en
    )
    assert (
        karamay is not None
        and "发榜方" in karamay.zh
        and "区政府" not in karamay.zh
        and "003 §17" in karamay.en
    )
    # the fields stay the same: one form
    assert [f.name for f in decide.for_jurisdiction("dazu").fields] == [f.name for f in decide.fields]


def test_a_description_for_names_jurisdictions_and_says_both_languages() -> None:
    own = {"zh": "大足区的说明", "en": "What applies in Dazu"}
    defn = FormDefinition.load(
        form({"name": "a", "type": "text", "label": L}, description=L, description_for={"dazu": own})
    )
    assert defn.for_jurisdiction("dazu").description is not None
    assert defn.for_jurisdiction("dazu").description.en == "What applies in Dazu"  # type: ignore[union-attr]
    assert defn.for_jurisdiction("urumqi").description == defn.description
    assert defn.for_jurisdiction(None).description == defn.description
    found = problems(form({"name": "a", "type": "text", "label": L}, description_for={"Dazu!": own}))
    assert "description_for.Dazu!" in str(found)
    found = problems(
        form({"name": "a", "type": "text", "label": L}, description_for={"dazu": {"zh": "只有中文"}})
    )
    assert "description_for.dazu.en" in str(found)
    assert "description_for" in str(
        problems(form({"name": "a", "type": "text", "label": L}, description_for=[]))
    )
