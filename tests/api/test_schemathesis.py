"""Fuzz the served OpenAPI document with schemathesis (in process, through WSGI: nothing leaves the machine).

Every operation gets a bounded number of generated requests, valid and invalid, with an admin's token on a
database holding deployed processes and a few instances. The run fails on any server error (5xx) and on any
response whose status, content type, headers or body the document does not describe."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import START
from tests.api.test_messages_and_public import _to_publicity

EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # collect every operation's failure, then report them together
        failures.append(f"{operation.label} [{mode.value}]: {exc}")


@pytest.mark.slow
def test_api_matches_its_openapi_document(app, as_user, tokens, deployed) -> None:  # type: ignore[no-untyped-def]
    bureau = as_user("bureau1")
    for n in range(3):
        bureau.post(
            "/api/v1/instances",
            json={"process": "publicity_demo", "business_key": f"FUZZ-{n}", "data": START},
        )
    _to_publicity(as_user, "FUZZ-NOTICE")  # so that the public notices list has an item to check
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, failures)
    assert not failures, "\n\n".join(failures)
