"""The reading history through the API (fake encoder): remember, since, the routes."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.history.store import DB_NAME
from newsgist.pipeline import Pipeline
from support import ARTICLE, HashingEncoder

# A later article of the same story: its lead repeats the first one and adds a fact.
FOLLOW_UP = (
    "The city council approved a new budget for public transport on Monday. "
    "A tram line to the airport was added to the plan on Thursday at a cost of two hundred "
    "million euros. "
    "The budget adds forty electric buses to the fleet by next spring.\n\n"
    "Council members said the buses will cut emissions and noise downtown. "
    "The mayor said road repairs are funded separately this year."
)
OTHER = (
    "A rare orchid bloomed in the botanical garden greenhouse this week. "
    "Gardeners had waited eleven years for the plant to flower. "
    "Visitors queued for hours to see the pale yellow petals.\n\n"
    "The orchid grows wild only on a few mountain slopes. "
    "Botanists will collect its seeds to grow more plants."
)


@pytest.fixture
def clock():
    class Clock:
        now = 1_800_000_000.0

        def __call__(self):
            return self.now
    return Clock()


@pytest.fixture
def app(settings, pipeline, clock):
    app = create_app(settings, pipeline)
    app.config["TESTING"] = True
    from newsgist.history import History
    app.extensions["newsgist"]["history"] = History(settings, clock=clock)
    return app


def remember(client, text, title, **extra):
    r = client.post("/v1/summarize", json={"text": text, "title": title, "remember": True,
                                           **extra})
    assert r.status_code == 200, r.json
    return r.json


def db_path(settings):
    return os.path.join(settings.data_dir, DB_NAME)


def test_nothing_is_stored_without_remember(client, settings):
    r = client.post("/v1/summarize", json={"text": ARTICLE})
    assert r.status_code == 200 and "since" not in r.json
    assert not os.path.exists(settings.data_dir)


def test_a_remembered_page_is_stored_privately_without_its_text(client, settings):
    body = remember(client, ARTICLE, "Council approves electric buses",
                    url="https://news.example/buses")
    assert body["since"] is None and isinstance(body["history_id"], int)
    path = db_path(settings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
    shown = [s["text"] for s in body["sentences"]]
    not_shown = [s for s in ARTICLE.replace("\n\n", " ").split(". ") if
                 not any(s.rstrip(".") in t for t in shown)]
    assert not_shown
    client.application.extensions["newsgist"]["history"].close()
    raw = b"".join(open(p, "rb").read() for p in
                   [path, path + "-wal"] if os.path.exists(p))
    for sentence in not_shown:   # the article's other sentences are nowhere in the files
        assert sentence.encode() not in raw
    entries = client.get("/v1/history").json["entries"]
    assert [e["summary"] for e in entries] == [shown]
    assert entries[0]["site"] == "news.example" and entries[0]["title"] == \
        "Council approves electric buses"


def test_a_later_page_of_the_story_says_what_is_new(client, clock):
    first = remember(client, ARTICLE, "Council approves electric buses")
    clock.now += 3 * 86400
    later = remember(client, FOLLOW_UP, "Council adds airport tram to electric bus plan")
    since = later["since"]
    assert [r["title"] for r in since["read"]] == ["Council approves electric buses"]
    seen = {s["text"] for s in first["sentences"]}
    new = [s["text"] for s in since["new"]]
    assert any("tram line to the airport" in t for t in new)
    assert not seen & set(new)                      # nothing already shown is "new"
    assert all(t in FOLLOW_UP for t in new)         # verbatim sentences of the page
    for s in since["new"]:
        assert FOLLOW_UP.replace("\n\n", " ")[s["start"]:s["end"]] == s["text"] or \
            s["text"] in FOLLOW_UP
    entries = client.get("/v1/history").json["entries"]
    assert entries[0]["story"] == entries[1]["story"] == entries[1]["id"]


def test_remember_changes_nothing_of_the_summary(client, settings):
    plain = create_app(settings, Pipeline(settings, encoder=HashingEncoder())).test_client()
    expected = plain.post("/v1/summarize", json={"text": FOLLOW_UP, "length": "medium"}).json
    body = remember(client, FOLLOW_UP, None, length="medium")
    assert body["cached"] is False and expected["cached"] is False
    for key in ("sentences", "stats", "title", "outline", "warnings"):
        assert body[key] == expected[key]
    again = remember(client, FOLLOW_UP, None, length="short")
    assert again["cached"] is True


def test_another_story_or_an_old_one_has_no_since(client, clock, settings):
    remember(client, ARTICLE, "Council approves electric buses")
    assert remember(client, OTHER, "Rare orchid blooms")["since"] is None
    clock.now += (settings.history_story_days + 1) * 86400
    assert remember(client, FOLLOW_UP, "Council adds airport tram")["since"] is None


def test_history_off_warns_and_writes_nothing(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"), history=False)
    client = create_app(settings, Pipeline(settings, encoder=HashingEncoder())).test_client()
    r = client.post("/v1/summarize", json={"text": ARTICLE, "remember": True})
    assert r.status_code == 200
    assert r.json["since"] is None and r.json["history_id"] is None
    assert any("NEWSGIST_HISTORY=0" in w for w in r.json["warnings"])
    assert not os.path.exists(db_path(settings))


def test_remember_must_be_a_boolean(client):
    r = client.post("/v1/summarize", json={"text": ARTICLE, "remember": "yes"})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_field"


def test_list_is_newest_first_with_limit_and_before(client, clock):
    for n in range(5):
        clock.now += 60
        remember(client, OTHER if n % 2 else ARTICLE, f"Page {n}")
    entries = client.get("/v1/history?limit=2").json["entries"]
    assert [e["title"] for e in entries] == ["Page 4", "Page 3"]
    after = client.get(f"/v1/history?limit=2&before={entries[-1]['read_at']}").json["entries"]
    assert [e["title"] for e in after] == ["Page 2", "Page 1"]


def test_search_finds_the_entry_about_the_query(client):
    remember(client, ARTICLE, "Council approves electric buses")
    remember(client, OTHER, "Rare orchid blooms")
    found = client.get("/v1/history?q=orchid").json["entries"]
    assert [e["title"] for e in found][:1] == ["Rare orchid blooms"]
    found = client.get("/v1/history?q=gardeners+waited+for+the+plant").json["entries"]
    assert [e["title"] for e in found][:1] == ["Rare orchid blooms"]
    assert client.get("/v1/history?q=zeppelin").json["entries"] == []


def test_export_markdown_and_json(client):
    remember(client, ARTICLE, "Council [approves] buses", url="https://news.example/a")
    md = client.get("/v1/history/export")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    text = md.get_data(as_text=True)
    assert "[Council \\[approves\\] buses](<https://news.example/a>)" in text
    assert "## " in text and "> The city council approved" in text
    js = client.get("/v1/history/export?format=json")
    assert js.mimetype == "application/json" and len(js.json["entries"]) == 1


def test_forget_and_clear(client, settings):
    a = remember(client, ARTICLE, "A")["history_id"]
    remember(client, OTHER, "B")
    assert client.delete(f"/v1/history/{a}").json == {"deleted": 1}
    r = client.delete(f"/v1/history/{a}")
    assert r.status_code == 404 and r.json["error"]["code"] == "unknown_entry"
    assert [e["title"] for e in client.get("/v1/history").json["entries"]] == ["B"]
    assert client.get("/v1/history?q=orchid").json["entries"][0]["title"] == "B"
    assert client.delete("/v1/history").json == {"deleted": 1}
    assert client.get("/v1/history").json["entries"] == []
    assert client.get("/v1/history?q=orchid").json["entries"] == []


@pytest.mark.parametrize("path, code", [
    ("/v1/history?q=", "invalid_query"),
    ("/v1/history?q=%20%20", "invalid_query"),
    ("/v1/history?q=" + "a" * 501, "invalid_query"),
    ("/v1/history?q=%00abc", "invalid_query"),
    ("/v1/history?limit=0", "invalid_limit"),
    ("/v1/history?limit=-1", "invalid_limit"),
    ("/v1/history?limit=100000000000000000000", "invalid_limit"),
    ("/v1/history?limit=ten", "invalid_limit"),
    ("/v1/history?before=yesterday", "invalid_before"),
    ("/v1/history?before=9999999-01-01", "invalid_before"),
    ("/v1/history/export?format=pdf", "invalid_format"),
])
def test_bad_parameters_are_a_400_with_a_code(client, path, code):
    r = client.get(path)
    assert r.status_code == 400 and r.json["error"]["code"] == code


@pytest.mark.parametrize("entry, status, code", [
    ("abc", 400, "invalid_id"), ("1;DROP TABLE entries", 400, "invalid_id"),
    ("-1", 400, "invalid_id"), ("9" * 40, 400, "invalid_id"), ("%D9%A3", 400, "invalid_id"),
    ("12345", 404, "unknown_entry"),
])
def test_bad_ids_are_a_4xx_with_a_code(client, entry, status, code):
    r = client.delete(f"/v1/history/{entry}")
    assert r.status_code == status and r.json["error"]["code"] == code


@pytest.mark.parametrize("q", ["'; DROP TABLE entries; --", "\" OR 1=1 --", "title:council",
                               "NEAR(council buses)", "council AND NOT", "*", "x UNION SELECT"])
def test_sql_and_fts_looking_text_is_only_text(client, settings, q):
    remember(client, ARTICLE, "Council approves electric buses")
    r = client.get("/v1/history", query_string={"q": q})
    assert r.status_code in (200, 400) and ("entries" in r.json or "error" in r.json)
    assert len(client.get("/v1/history").json["entries"]) == 1
    with sqlite3.connect(db_path(settings)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_routes_are_behind_the_host_and_origin_guard(client):
    for method, path in [("get", "/v1/history"), ("get", "/v1/history/export"),
                         ("delete", "/v1/history"), ("delete", "/v1/history/1")]:
        r = getattr(client, method)(path, headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_origin"
        r = getattr(client, method)(path, headers={"Host": "evil.example"})
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_host"


def test_an_unusable_data_directory_is_a_clear_503(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = Settings(data_dir=str(blocker / "data"))
    client = create_app(settings, Pipeline(settings, encoder=HashingEncoder())).test_client()
    r = client.get("/v1/history")
    assert r.status_code == 503 and r.json["error"]["code"] == "history_unavailable"
    r = client.post("/v1/summarize", json={"text": ARTICLE, "remember": True})
    assert r.status_code == 503 and r.json["error"]["code"] == "history_unavailable"
