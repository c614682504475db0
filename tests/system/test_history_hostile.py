"""Hostile input to the history routes: every request gets its documented JSON answer
(never a 5xx, never an HTML page), the history stays whole, and the next request is
answered normally."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.history.store import DB_NAME
from newsgist.openapi import openapi_document
from newsgist.pipeline import Pipeline
from support import ARTICLE, HashingEncoder

SPEC = openapi_document()

# (method, path with its raw query string): what a careless or malicious client can send.
CASES = [
    ("GET", "/v1/history?q=%27%3B%20DROP%20TABLE%20entries%3B%20--"),
    ("GET", "/v1/history?q=%22%20OR%201%3D1%20--"),
    ("GET", "/v1/history?q=1%27%20UNION%20SELECT%20vector%20FROM%20entries--"),
    ("GET", "/v1/history?q=title%3A%2A%20OR%20summary%3A%2A"),
    ("GET", "/v1/history?q=NEAR%28a%20b%2C%200%29"),
    ("GET", "/v1/history?q=%22%22%22%22"),
    ("GET", "/v1/history?q=%00"),
    ("GET", "/v1/history?q=%ff%fe%fd"),              # not UTF-8
    ("GET", "/v1/history?q=%F0%9F%92%A9%E2%80%AE%E2%80%8B"),   # emoji, RTL override, ZWSP
    ("GET", "/v1/history?q=" + "x" * 100_000),
    ("GET", "/v1/history?q=" + "%20OR" * 5_000),
    ("GET", "/v1/history?q=a&q=b"),
    ("GET", "/v1/history?limit=99999999999999999999999999"),
    ("GET", "/v1/history?limit=1e3"),
    ("GET", "/v1/history?limit=%EF%BC%95"),          # a full-width digit
    ("GET", "/v1/history?limit=%D9%A3"),             # an Arabic-Indic digit
    ("GET", "/v1/history?limit="),
    ("GET", "/v1/history?before=0"),
    ("GET", "/v1/history?before=2026-13-45T99:99:99Z"),
    ("GET", "/v1/history?before=" + "9" * 5000),
    ("GET", "/v1/history?before=%27%20OR%201%3D1"),
    ("GET", "/v1/history/export?format=%27%3B--"),
    ("GET", "/v1/history/export?format=" + "json" * 1000),
    ("GET", "/v1/history/export?format=JSON"),
    ("DELETE", "/v1/history/1%20OR%201%3D1"),
    ("DELETE", "/v1/history/..%2F..%2Fetc%2Fpasswd"),
    ("DELETE", "/v1/history/0x10"),
    ("DELETE", "/v1/history/%EF%BC%91"),
    ("DELETE", "/v1/history/" + "9" * 10_000),
    ("DELETE", "/v1/history/0"),
    ("DELETE", "/v1/history/export"),
    ("POST", "/v1/history"),
    ("PUT", "/v1/history/1"),
    ("GET", "/v1/history/1"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=str(data))
    client = create_app(settings, Pipeline(settings, encoder=HashingEncoder())).test_client()
    r = client.post("/v1/summarize", json={"text": ARTICLE, "title": "Buses", "remember": True})
    assert r.status_code == 200
    client.data_dir = data
    return client


def documented(path: str, method: str) -> dict:
    """The responses the OpenAPI document lists for this request, by status."""
    route = path.split("?")[0]
    template = route if route in SPEC["paths"] else "/v1/history/{entry_id}" \
        if route.startswith("/v1/history/") and route.count("/") == 3 else None
    operation = SPEC["paths"].get(template, {}).get(method.lower())
    return operation["responses"] if operation else {}


@pytest.mark.parametrize("method, path", CASES, ids=[f"{m} {p[:60]}" for m, p in CASES])
def test_hostile_history_request(client, method, path):
    r = client.open(path, method=method)
    assert r.status_code < 500, r.data[:300]
    if r.status_code == 200 and path.startswith("/v1/history/export") and "json" not in path:
        assert r.mimetype == "text/markdown"
    else:
        assert r.mimetype == "application/json", (r.status_code, r.data[:200])
    if r.status_code >= 400:
        code = r.json["error"]["code"]
        responses = documented(path, method)
        if responses:     # a route of the history: the status is one it documents
            assert str(r.status_code) in responses, (r.status_code, code)
        else:             # a method no route has: Werkzeug's refusal, as JSON
            assert code in ("method_not_allowed", "not_found")
    # The history is whole and answers the next request normally.
    assert [e["title"] for e in client.get("/v1/history").json["entries"]] == ["Buses"]
    with sqlite3.connect(Path(client.data_dir) / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
