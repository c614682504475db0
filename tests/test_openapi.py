"""Real answers (success and every error) validated against /openapi.json."""

from __future__ import annotations

import json

import jsonschema
import pytest

from newsgist.api import create_app


@pytest.fixture
def spec(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    jsonschema.Draft202012Validator.check_schema(doc["components"]["schemas"]["Summary"])
    return doc


def validate(spec, path, method, response):
    op = spec["paths"][path][method]
    assert str(response.status_code) in op["responses"], (
        f"{method.upper()} {path} answered {response.status_code}, which the spec does not list")
    schema = op["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    root = {**spec, **schema}  # resolve #/components/... against the whole document
    jsonschema.Draft202012Validator(root).validate(response.get_json())


def test_spec_is_openapi_31_and_lists_the_routes(spec):
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/v1/summarize", "/v1/digest", "/v1/health",
                                 "/openapi.json"}


def test_summary_answers_match(spec, client, news_html):
    for body in ({"html": news_html}, {"html": news_html, "include_text": True, "length": "long"},
                 {"text": "One sentence here is fine. Two sentences are here too. Three make it."}):
        r = client.post("/v1/summarize", json=body)
        assert r.status_code == 200
        validate(spec, "/v1/summarize", "post", r)


def test_health_matches(spec, client):
    validate(spec, "/v1/health", "get", client.get("/v1/health"))


@pytest.mark.parametrize("kwargs", [
    {"data": b"{", "content_type": "application/json"},
    {"data": b"{}", "content_type": "application/json"},
    {"data": json.dumps({"text": "x"}), "content_type": "text/plain"},
    {"json": {"html": "<p>Too short.</p>"}},
    {"json": {"text": "a b c"}, "headers": {"Origin": "https://evil.example"}},
    {"json": {"text": "a b c"}, "headers": {"Host": "evil.example"}},
])
def test_error_answers_match(spec, client, kwargs):
    r = client.post("/v1/summarize", **kwargs)
    assert r.status_code >= 400
    validate(spec, "/v1/summarize", "post", r)


def test_413_and_503_match(spec, settings, pipeline):
    small = create_app(settings.with_(max_body_bytes=10), pipeline).test_client()
    validate(spec, "/v1/summarize", "post", small.post("/v1/summarize", json={"text": "x" * 50}))
    busy = create_app(settings.with_(max_queue=0), pipeline).test_client()
    validate(spec, "/v1/summarize", "post",
             busy.post("/v1/summarize", json={"text": "A b c. D e f. G h i."}))


def test_every_error_code_raised_by_the_code_is_documented(spec):
    import pathlib
    import re

    documented = set(spec["components"]["schemas"]["Error"]["properties"]["error"]
                     ["properties"]["code"]["enum"])
    source = "\n".join(p.read_text() for p in
                       pathlib.Path(__import__("newsgist").__file__).parent.glob("*.py"))
    used = set(re.findall(r'code="([a-z_]+)"', source)) | set(re.findall(r'code = "([a-z_]+)"', source))
    assert used <= documented, used - documented
