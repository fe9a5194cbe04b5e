"""Property-based API fuzzing from the OpenAPI schema: no input may cause a server error."""

from __future__ import annotations

import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

MAX_EXAMPLES = 15  # per operation: ~25 operations finish well inside a minute


def test_no_server_errors(web_app: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    failures: dict[str, str] = {}
    tested = []
    t0 = time.perf_counter()
    for result in schema.get_all_operations():
        op = result.ok()

        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        try:
            fuzz()
        except Exception as exc:  # collect every failing operation, then report them all
            failures[op.label] = str(exc)[:2000]
        tested.append(op.label)
    assert len(tested) >= 15, tested  # the schema really lists the API
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert time.perf_counter() - t0 < 90
