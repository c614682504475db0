"""HTTP API through Flask's test client (fake encoder): answers and one test per error code."""

from __future__ import annotations

import json

import pytest

from support import ARTICLE as ARTICLE_TEXT


def post(client, body, **kw):
    headers = kw.pop("headers", {})
    return client.post("/v1/summarize", data=json.dumps(body) if not isinstance(body, (bytes, str)) else body,
                       content_type=kw.pop("content_type", "application/json"), headers=headers, **kw)


def error_code(response):
    assert response.is_json, response.data[:200]
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]["code"]


def test_summarize_html_returns_sentences_in_article_order(client, news_html):
    r = post(client, {"html": news_html, "url": "https://news.example/paris-china"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["title"] == "Paris-China Talks Signal Focus on Peace Efforts in Ukraine"
    assert body["url"] == "https://news.example/paris-china"
    assert body["lang"] == "en"
    assert len(body["sentences"]) == 3
    indices = [s["index"] for s in body["sentences"]]
    assert indices == sorted(indices)
    assert set(body["stats"]) == {"sentences_total", "words_total", "summary_words",
                                  "reading_minutes_article", "reading_minutes_summary"}
    assert body["stats"]["summary_words"] < body["stats"]["words_total"]
    assert set(body["timings_ms"]) >= {"extract", "segment", "embed", "rank"}
    assert "text" not in body


def test_include_text_gives_offsets_into_the_text(client, news_html):
    body = post(client, {"html": news_html, "include_text": True, "sentences": 5}).get_json()
    assert len(body["sentences"]) == 5
    blocks = body["blocks"]
    assert [body["text"][b["start"]:b["end"]] for b in blocks] == body["text"].split("\n\n")
    for s in body["sentences"]:
        assert body["text"][s["start"]:s["end"]] == s["text"]
        block = blocks[s["paragraph"]]
        assert block["start"] <= s["start"] < s["end"] <= block["end"]
        assert s["kind"] == block["kind"] == "paragraph"
        # the neighbouring article text, for the extension to find the article's copy
        assert body["text"][:s["start"]].rstrip().endswith(s["context"]["before"])
        assert body["text"][s["end"]:].lstrip().startswith(s["context"]["after"])
        assert s["context"]["before"] or s["context"]["after"]


def test_summarize_text(client):
    body = post(client, {"text": ARTICLE_TEXT, "sentences": 2, "title": "Buses"}).get_json()
    assert body["title"] == "Buses"
    assert len(body["sentences"]) == 2
    assert all(s["text"] in ARTICLE_TEXT for s in body["sentences"])


@pytest.mark.parametrize("length,count", [("short", 3), ("medium", 5), ("long", 7)])
def test_length_presets(client, news_html, length, count):
    assert len(post(client, {"html": news_html, "length": length}).get_json()["sentences"]) == count


def test_health(client):
    body = client.get("/v1/health").get_json()
    assert body["status"] == "ok" and body["model"] and body["version"]


def test_health_says_loading_before_the_model_is_there(settings):
    from newsgist.api import create_app
    from newsgist.pipeline import Pipeline

    client = create_app(settings, Pipeline(settings)).test_client()  # model not loaded
    assert client.get("/v1/health").get_json()["status"] == "loading"
    r = post(client, {"text": ARTICLE_TEXT})
    assert r.status_code == 503 and error_code(r) == "model_loading"
    assert r.headers["Retry-After"]


# -- one test per error status ------------------------------------------------------
@pytest.mark.parametrize("body,code", [
    (b"{not json", "invalid_json"),
    (b"[1, 2]", "invalid_json"),
    (b"{\"text\": \"\xff\xfe\"}", "invalid_encoding"),
    ({}, "missing_content"),
    ({"html": "<p>a</p>", "text": "a"}, "ambiguous_content"),
    ({"html": 42}, "invalid_field"),
    ({"text": ARTICLE_TEXT, "sentences": 0}, "invalid_sentences"),
    ({"text": ARTICLE_TEXT, "sentences": 21}, "invalid_sentences"),
    ({"text": ARTICLE_TEXT, "sentences": "3"}, "invalid_sentences"),
    ({"text": ARTICLE_TEXT, "sentences": 3.5}, "invalid_sentences"),
    ({"text": ARTICLE_TEXT, "sentences": True}, "invalid_sentences"),
    ({"text": ARTICLE_TEXT, "length": "huge"}, "invalid_length"),
    ({"text": ARTICLE_TEXT, "length": "short", "sentences": 3}, "invalid_field"),
    ({"text": ARTICLE_TEXT, "include_text": "yes"}, "invalid_field"),
    ({"text": ARTICLE_TEXT, "url": 5}, "invalid_field"),
])
def test_400_bad_body(client, body, code):
    r = post(client, body)
    assert r.status_code == 400
    assert error_code(r) == code


def test_403_foreign_host(client):
    r = client.get("/v1/health", headers={"Host": "evil.example:8765"})
    assert r.status_code == 403 and error_code(r) == "forbidden_host"


@pytest.mark.parametrize("host", ["localhost", "localhost:8765", "127.0.0.1:1", "[::1]:8765"])
def test_local_hosts_are_answered(client, host):
    assert client.get("/v1/health", headers={"Host": host}).status_code == 200


def test_403_foreign_origin_gets_no_cors_headers(client):
    r = post(client, {"text": ARTICLE_TEXT}, headers={"Origin": "https://example.com"})
    assert r.status_code == 403 and error_code(r) == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_extension_origin_gets_its_own_cors_header(client):
    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    r = post(client, {"text": ARTICLE_TEXT}, headers={"Origin": origin})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == origin


def test_413_body_over_the_limit(settings, pipeline):
    from newsgist.api import create_app

    client = create_app(settings.with_(max_body_bytes=1000), pipeline).test_client()
    r = post(client, {"text": "x" * 1001})
    assert r.status_code == 413 and error_code(r) == "body_too_large"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_415_not_json(client, content_type, fake_encoder):
    r = post(client, json.dumps({"text": ARTICLE_TEXT}), content_type=content_type)
    assert r.status_code == 415 and error_code(r) == "unsupported_media_type"
    assert fake_encoder.calls == 0


def test_422_no_article(client):
    r = post(client, {"html": "<html><body><nav><a href='/'>Home</a></nav><p>Hello.</p></body></html>"})
    assert r.status_code == 422 and error_code(r)
    assert "sentence" in r.get_json()["error"]["message"] or "article" in r.get_json()["error"]["message"]


def test_422_empty_text(client):
    r = post(client, {"text": "   "})
    assert r.status_code == 422 and error_code(r) == "empty_input"


def test_404_and_405_are_json(client):
    r = client.get("/nope")
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = client.get("/v1/summarize")
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"


def test_503_when_overloaded(settings, pipeline):
    from newsgist.api import create_app

    app = create_app(settings.with_(max_queue=0), pipeline)
    r = post(app.test_client(), {"text": ARTICLE_TEXT})
    assert r.status_code == 503 and error_code(r) == "overloaded"
    assert r.headers["Retry-After"]


def test_same_page_again_uses_the_embedding_cache(client, news_html, fake_encoder):
    first = post(client, {"html": news_html, "length": "short"}).get_json()
    calls = fake_encoder.calls
    second = post(client, {"html": news_html, "length": "long"}).get_json()
    assert fake_encoder.calls == calls
    assert second["cached"] is True and first["cached"] is False
    assert len(second["sentences"]) == 7
