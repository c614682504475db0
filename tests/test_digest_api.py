"""POST /v1/digest: answers and every error, each checked against /openapi.json."""

from __future__ import annotations

import gzip
import json

import jsonschema
import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.openapi import ERROR_CODES, PAGE_FAILURE_CODES, openapi_document
from newsgist.pipeline import Pipeline
from support import ARTICLE, HashingEncoder
from test_digest import ARTICLE_B, FOOTBALL

SPEC = openapi_document()


def validate(response) -> dict:
    responses = SPEC["paths"]["/v1/digest"]["post"]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{status} is not documented for /v1/digest"
    schema = responses[status]["content"]["application/json"]["schema"]
    body = response.get_json()
    jsonschema.Draft202012Validator({**SPEC, **schema}).validate(body)
    if response.status_code >= 400:
        assert body["error"]["code"] in ERROR_CODES[response.status_code]
        assert body["error"]["message"].strip()
    return body


def digest(client, body, **kw):
    if isinstance(body, (dict, list)):
        return client.post("/v1/digest", json=body, **kw)
    return client.post("/v1/digest", data=body, content_type="application/json", **kw)


PAGES = [{"text": ARTICLE, "url": "https://citydesk.example/buses", "title": "Buses approved"},
         {"text": FOOTBALL, "url": "https://sport.example/rovers", "title": "Rovers sign striker"},
         {"text": ARTICLE_B, "url": "https://courier.example/buses", "title": "Council buys buses"}]


def test_a_digest_with_one_story_one_single_and_one_failed_page(client):
    pages = PAGES + [{"html": "<html><body><nav>Home</nav></body></html>",
                      "url": "https://empty.example/", "title": "Nothing here"}]
    r = digest(client, {"pages": pages, "length": "medium"})
    assert r.status_code == 200
    body = validate(r)
    [story] = body["stories"]
    assert [s["page"] for s in story["sources"]] == [0, 2]
    assert [s["site"] for s in story["sources"]] == ["citydesk.example", "courier.example"]
    assert len(story["sentences"]) == 5
    assert all(0 <= x["source"] < 2 for x in story["sentences"])
    [single] = body["singles"]
    assert single["page"] == 1 and single["site"] == "sport.example"
    assert single["title"] == "Rovers sign striker"
    assert len(single["sentences"]) == 4  # medium is 5; the page has 4
    [failed] = body["failed"]
    assert failed["page"] == 3 and failed["url"] == "https://empty.example/"
    assert failed["error"]["code"] in PAGE_FAILURE_CODES and failed["error"]["message"]
    assert body["model"] == "fake-hashing-encoder" and body["warnings"] == []


def test_every_page_failing_is_still_a_digest(client):
    r = digest(client, {"pages": [{"text": "Too short."}, {"html": ""}]})
    body = validate(r)
    assert r.status_code == 200 and body["stories"] == [] and body["singles"] == []
    assert [f["error"]["code"] for f in body["failed"]] == ["no_article", "empty_page"]


def test_the_second_digest_is_answered_from_the_cache(client, fake_encoder):
    first = validate(digest(client, {"pages": PAGES}))
    calls = fake_encoder.calls
    again = validate(digest(client, {"pages": PAGES[::-1]}))
    assert fake_encoder.calls == calls and again["cached"] and not first["cached"]
    r = client.post("/v1/summarize", json=PAGES[1])
    assert r.get_json()["cached"] and fake_encoder.calls == calls


def test_the_digest_body_may_be_larger_than_a_summary_body(fake_encoder):
    pages = [dict(p, html=f"<html><body><article><p>{p['text']}</p></article>"
                          f"{'<div></div>' * 150}</body></html>") for p in PAGES]
    for p in pages:
        del p["text"]
    size = len(json.dumps({"pages": pages}))
    settings = Settings(max_body_bytes=size // 2, max_digest_bytes=2 * size)
    client = create_app(settings, Pipeline(settings, encoder=fake_encoder)).test_client()
    r = digest(client, {"pages": pages})
    assert r.status_code == 200, r.get_json()
    assert len(validate(r)["stories"]) == 1
    r = digest(client, {"pages": pages * 3})  # 9 pages, each fine, over the limit in all
    assert r.status_code == 413
    assert validate(r)["error"]["code"] == "body_too_large"
    assert f"{2 * size} bytes" in r.get_json()["error"]["message"]
    r = client.post("/v1/summarize", json=pages[0])  # the summary keeps its own limit
    assert r.status_code == 200
    r = client.post("/v1/summarize", json={"text": "x" * size})
    assert r.status_code == 413


def test_a_page_over_the_page_limit_is_listed_as_failed(fake_encoder):
    settings = Settings(max_body_bytes=2000)
    client = create_app(settings, Pipeline(settings, encoder=fake_encoder)).test_client()
    r = digest(client, {"pages": PAGES + [{"text": ARTICLE * 6}]})
    body = validate(r)
    assert [(f["page"], f["error"]["code"]) for f in body["failed"]] == [(3, "page_too_large")]


@pytest.mark.parametrize("body, code", [
    (b"{", "invalid_json"),
    (b"[]", "invalid_json"),
    (b'{"pages": ["\xff"]}', "invalid_encoding"),
    ({}, "invalid_pages"),
    ({"pages": []}, "invalid_pages"),
    ({"pages": {"text": ARTICLE}}, "invalid_pages"),
    ({"pages": "text"}, "invalid_pages"),
    ({"pages": [ARTICLE]}, "invalid_pages"),
    ({"pages": [{"text": ARTICLE}, None]}, "invalid_pages"),
    ({"pages": [{"text": ARTICLE}] * 31}, "too_many_pages"),
    ({"pages": [{"url": "https://a.example"}]}, "missing_content"),
    ({"pages": [{"text": ARTICLE, "html": "<p>x</p>"}]}, "ambiguous_content"),
    ({"pages": [{"html": 42}]}, "invalid_field"),
    ({"pages": [{"text": ARTICLE, "url": 5}]}, "invalid_field"),
    ({"pages": [{"text": ARTICLE, "title": ["x"]}]}, "invalid_field"),
    ({"pages": PAGES, "sentences": 0}, "invalid_sentences"),
    ({"pages": PAGES, "sentences": 21}, "invalid_sentences"),
    ({"pages": PAGES, "sentences": "3"}, "invalid_sentences"),
    ({"pages": PAGES, "length": "huge"}, "invalid_length"),
    ({"pages": PAGES, "length": "short", "sentences": 3}, "invalid_field"),
])
def test_400(client, body, code):
    r = digest(client, body)
    assert r.status_code == 400
    assert validate(r)["error"]["code"] == code


def test_400_names_the_page(client):
    r = digest(client, {"pages": [{"text": ARTICLE}, {"text": ARTICLE}, {"html": 1}]})
    assert r.get_json()["error"]["message"].startswith("pages[2]: ")


def test_403(client):
    r = digest(client, {"pages": PAGES}, headers={"Host": "evil.example"})
    assert r.status_code == 403 and validate(r)["error"]["code"] == "forbidden_host"
    r = digest(client, {"pages": PAGES}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and validate(r)["error"]["code"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_the_extension_may_ask(client):
    origin = "moz-extension://0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
    r = digest(client, {"pages": PAGES}, headers={"Origin": origin})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == origin
    pre = client.options("/v1/digest", headers={"Origin": origin,
                                                "Access-Control-Request-Method": "POST"})
    assert pre.headers["Access-Control-Allow-Origin"] == origin


def test_415(client):
    r = client.post("/v1/digest", data=json.dumps({"pages": PAGES}), content_type="text/plain")
    assert r.status_code == 415 and validate(r)["error"]["code"] == "unsupported_media_type"
    r = client.post("/v1/digest", data=gzip.compress(json.dumps({"pages": PAGES}).encode()),
                    content_type="application/json", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 415 and validate(r)["error"]["code"] == "unsupported_media_type"


def test_503_loading_and_overloaded(settings):
    loading = create_app(settings, Pipeline(settings))  # no encoder yet: "loading"
    r = digest(loading.test_client(), {"pages": PAGES})
    assert r.status_code == 503 and validate(r)["error"]["code"] == "model_loading"
    assert r.headers["Retry-After"]
    busy = create_app(settings.with_(max_queue=0), Pipeline(settings, encoder=HashingEncoder()))
    r = digest(busy.test_client(), {"pages": PAGES})
    assert r.status_code == 503 and validate(r)["error"]["code"] == "overloaded"


def test_504_when_the_whole_digest_runs_past_its_deadline():
    settings = Settings(digest_timeout=1e-6)
    client = create_app(settings, Pipeline(settings, encoder=HashingEncoder())).test_client()
    r = digest(client, {"pages": PAGES})
    assert r.status_code == 504 and validate(r)["error"]["code"] == "timeout"


def test_the_document_describes_the_route(client):
    doc = client.get("/openapi.json").get_json()
    request = doc["components"]["schemas"]["DigestRequest"]
    assert request["properties"]["pages"]["maxItems"] == 30
    assert set(doc["paths"]["/v1/digest"]["post"]["responses"]) >= {
        "200", "400", "403", "413", "415", "503", "504"}
