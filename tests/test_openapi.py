"""Real answers (success and every error) validated against /openapi.json."""

from __future__ import annotations

import json

import jsonschema
import pytest

from newsgist.api import create_app
from support import FIXTURES


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
                                 "/openapi.json", "/v1/history", "/v1/history/export",
                                 "/v1/history/{entry_id}"}


def test_summary_answers_match(spec, client, news_html):
    for body in ({"html": news_html}, {"html": news_html, "include_text": True, "length": "long"},
                 {"text": "One sentence here is fine. Two sentences are here too. Three make it."}):
        r = client.post("/v1/summarize", json=body)
        assert r.status_code == 200
        validate(spec, "/v1/summarize", "post", r)


def test_outline_answers_match(spec, client):
    for name in ("listicle.html", "nested_guide.html"):
        html = (FIXTURES / "pages" / "sections" / name).read_text(encoding="utf-8")
        r = client.post("/v1/summarize", json={"html": html})
        assert r.status_code == 200 and r.get_json()["outline"]
        validate(spec, "/v1/summarize", "post", r)


def test_health_matches(spec, client):
    validate(spec, "/v1/health", "get", client.get("/v1/health"))


@pytest.mark.parametrize("kwargs, status, code", [
    ({"data": b"{", "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": b"{}", "content_type": "application/json"}, 400, "missing_content"),
    ({"data": json.dumps({"text": "x"}), "content_type": "text/plain"}, 415,
     "unsupported_media_type"),
    ({"json": {"html": "<p>Too short.</p>"}}, 422, "no_article"),
    ({"json": {"text": "a b c"}, "headers": {"Origin": "https://evil.example"}}, 403,
     "forbidden_origin"),
    ({"json": {"text": "a b c"}, "headers": {"Host": "evil.example"}}, 403, "forbidden_host"),
])
def test_error_answers_match(spec, client, kwargs, status, code):
    r = client.post("/v1/summarize", **kwargs)
    assert (r.status_code, r.get_json()["error"]["code"]) == (status, code)
    validate(spec, "/v1/summarize", "post", r)


def test_413_and_503_match(spec, settings, pipeline):
    small = create_app(settings.with_(max_body_bytes=10), pipeline).test_client()
    r = small.post("/v1/summarize", json={"text": "x" * 50})
    assert (r.status_code, r.get_json()["error"]["code"]) == (413, "body_too_large")
    assert "limit of 10 bytes" in r.get_json()["error"]["message"]
    validate(spec, "/v1/summarize", "post", r)
    busy = create_app(settings.with_(max_queue=0), pipeline).test_client()
    r = busy.post("/v1/summarize", json={"text": "A b c. D e f. G h i."})
    assert (r.status_code, r.get_json()["error"]["code"]) == (503, "overloaded")
    assert r.headers["Retry-After"] == "1"
    validate(spec, "/v1/summarize", "post", r)
