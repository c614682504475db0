"""Schemathesis against the service's own ``/openapi.json``: requests generated from the
document (valid ones, and invalid ones in negative mode) go to the Flask app over
WSGI with the fake encoder; no answer may be a 5xx, and every answer must match
the schema: its status is documented, its content type and body match.

The same run, smaller, also goes over HTTP to a real ``newsgist serve`` process
(fake encoder): waitress's parsing and the extraction workers are in the path.

Bounded: a fixed number of examples per operation, so ``make test`` stays short.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

import processes
from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.pipeline import Pipeline
from support import HashingEncoder

_settings = Settings()
app = create_app(_settings, Pipeline(_settings, encoder=HashingEncoder()))
# A schema-valid request is a summary (200) or "no readable article" (422, the
# documented answer to valid JSON whose page holds no article); never a 400 or 415.
config = schemathesis.config.SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": [200, 422]}},
    "generation": {"mode": "all"},
})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


@schema.parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_answers_match_the_openapi_document(case):
    response = case.call_and_validate()
    assert response.status_code < 500


def test_the_document_is_what_schemathesis_tests():
    """The API's routes are generated for (a silently empty run would prove nothing);
    schemathesis leaves out the route that serves the document itself."""
    operations = {f"{op.ok().method.upper()} {op.ok().path}"
                  for op in schema.get_all_operations()}
    assert operations >= {"POST /v1/summarize", "POST /v1/digest", "GET /v1/health"}


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_foreign_origins_are_refused_in_generated_requests_too(origin):
    """Generated bodies from a foreign Origin are refused before any work."""
    operation = schema["/v1/summarize"]["POST"]
    case = operation.Case(body={"text": "One. Two. Three."}, media_type="application/json",
                          headers={"Origin": origin})
    response = case.call()
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_origin"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_a_live_server_answers_match_the_openapi_document(mode):
    from hypothesis import given
    from schemathesis.generation.modes import GenerationMode

    server = processes.ServerProcess(["--port", "0"], fake=True)
    try:
        base = f"http://127.0.0.1:{server.port}"
        remote = schemathesis.openapi.from_url(f"{base}/openapi.json", config=config)
        operations = [result.ok() for result in remote.get_all_operations()]
        assert len(operations) >= 2
        if mode == "negative":  # only the summary takes input that can be made invalid
            operations = [op for op in operations if op.method.upper() == "POST"]
        for operation in operations:
            @given(case=operation.as_strategy(GenerationMode(mode)))
            @settings(max_examples=25, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
            def check(case):
                response = case.call_and_validate(base_url=base)
                assert response.status_code < 500

            check()
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output
