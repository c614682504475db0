"""Security and privacy: any web page the reader visits can try to talk to the service.

* loopback only by default; another interface needs ``--allow-remote`` and prints
  a warning;
* the Host allow-list (DNS rebinding) and the Origin allow-list are enforced
  before any work, on every route and method, ``OPTIONS`` preflights included:
  a foreign origin gets a 403 and no CORS allow headers;
* a ``text/plain`` or form POST (which browsers send without a preflight) does
  no work;
* page contents never reach the log, and bodies are never spilled to disk.
"""

from __future__ import annotations

import json
import logging
import tempfile

import pytest

import processes
from hostile import live
from newsgist.api import create_app
from newsgist.cli import serve_command
from newsgist.config import Settings
from newsgist.pipeline import Pipeline
from newsgist.server import server_options
from support import HashingEncoder

ARTICLE = ("The council approved the transport budget on Monday. It adds forty electric "
           "buses to the fleet. Members said the buses will cut noise downtown. Opponents "
           "wanted road repairs instead. The mayor said roads are funded separately.")
EXTENSION_ORIGINS = ["chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                     "moz-extension://0b4c5e5e-3f3a-4c8e-9d2a-6b1f0c7a9e11"]
FOREIGN_ORIGINS = ["https://evil.example", "http://localhost:3000", "http://127.0.0.1:8765",
                   "null", "file://", "https://chrome-extension.evil.example",
                   "http://[::1]:8080"]
ALLOWED_HOSTS = ["localhost", "localhost:8765", "127.0.0.1", "127.0.0.1:40123", "[::1]",
                 "[::1]:8765", "LOCALHOST:8765"]
FOREIGN_HOSTS = ["example.com", "evil.example:8765", "localhost.evil.example",
                 "127.0.0.1.nip.io", "localhost.", "127.0.0.2", "0.0.0.0:8765", "[::2]",
                 "localhost:8765:80", "", "10.0.0.5"]
CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-methods",
                "access-control-allow-headers", "access-control-allow-credentials")
ROUTES = [("GET", "/v1/health"), ("GET", "/openapi.json"), ("POST", "/v1/summarize"),
          ("OPTIONS", "/v1/summarize"), ("GET", "/nowhere")]


class Spy(Pipeline):
    """A pipeline that records whether any work was asked of it."""

    def __init__(self):
        settings = Settings()
        super().__init__(settings, encoder=HashingEncoder())
        self.calls = 0

    def summarize_html(self, *a, **kw):
        self.calls += 1
        return super().summarize_html(*a, **kw)

    def summarize_text(self, *a, **kw):
        self.calls += 1
        return super().summarize_text(*a, **kw)


@pytest.fixture
def spy():
    return Spy()


@pytest.fixture
def guarded(spy):
    return create_app(spy.settings, spy).test_client()


def _cors(response) -> dict:
    return {k.lower(): v for k, v in response.headers.items()
            if k.lower() in CORS_HEADERS}


def _code(response) -> str:
    assert response.is_json, response.data[:200]
    return response.get_json()["error"]["code"]


# -- where it listens -----------------------------------------------------------------
def test_loopback_is_the_default():
    s = Settings.from_env({})
    assert s.host == "127.0.0.1" and not s.allow_remote
    assert server_options(s)["host"] == "127.0.0.1"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_another_interface_is_refused_without_the_flag(host, capsys):
    assert serve_command(Settings(host=host, port=0)) == 2
    err = capsys.readouterr().err
    assert "--allow-remote" in err and host in err


@pytest.mark.slow
def test_allow_remote_listens_and_warns():
    server = processes.ServerProcess(["--host", "0.0.0.0", "--allow-remote", "--port", "0"],
                                     fake=True, wait_ready=False)
    try:
        m = server.wait_for(r"NewsGist ready on http://0\.0\.0\.0:(\d+)")
        assert m, server.output
        assert "WARNING" in server.output and "other machines can reach" in server.output
        # Answered on loopback; the Host allow-list still applies to everyone else.
        status, _, _ = live.http(int(m.group(1)), "GET", "/v1/health")
        assert status == 200
        status, _, body = live.http(int(m.group(1)), "GET", "/v1/health",
                                    headers={"Host": "192.168.1.20:8765"})
        assert status == 403 and json.loads(body)["error"]["code"] == "forbidden_host"
    finally:
        assert server.stop() == 0


def _send_article(client, method: str, path: str, headers: dict):
    """A well-formed request (an article as JSON) that differs only by `headers`."""
    return client.open(path, method=method, headers=headers,
                       data=json.dumps({"text": ARTICLE}), content_type="application/json")


# -- Host (DNS rebinding) ---------------------------------------------------------------
@pytest.mark.parametrize("host", ALLOWED_HOSTS)
def test_local_host_names_are_answered(guarded, host):
    assert guarded.get("/v1/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
@pytest.mark.parametrize("method,path", ROUTES)
def test_foreign_host_is_refused_before_any_work(guarded, spy, host, method, path):
    r = _send_article(guarded, method, path, {"Host": host})
    assert r.status_code == 403 and _code(r) == "forbidden_host"
    assert spy.calls == 0


# -- Origin ---------------------------------------------------------------------------------
@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
@pytest.mark.parametrize("method,path", ROUTES)
def test_foreign_origin_is_refused_without_cors_headers(guarded, spy, origin, method, path):
    r = _send_article(guarded, method, path, {"Origin": origin})
    assert r.status_code == 403 and _code(r) == "forbidden_origin"
    assert _cors(r) == {}
    assert spy.calls == 0


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_preflight_from_a_foreign_origin_is_refused(guarded, origin):
    r = guarded.options("/v1/summarize", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 403 and _code(r) == "forbidden_origin"
    assert _cors(r) == {}


@pytest.mark.parametrize("origin", EXTENSION_ORIGINS)
def test_preflight_from_the_extension_is_allowed(guarded, origin):
    r = guarded.options("/v1/summarize", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    cors = _cors(r)
    assert cors["access-control-allow-origin"] == origin  # echoed, never "*"
    assert "POST" in cors["access-control-allow-methods"]
    assert "content-type" in cors["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in cors


@pytest.mark.parametrize("origin", EXTENSION_ORIGINS + [None])
def test_extension_and_local_programs_get_summaries(guarded, spy, origin):
    headers = {"Origin": origin} if origin else {}
    r = guarded.post("/v1/summarize", json={"text": ARTICLE}, headers=headers)
    assert r.status_code == 200 and spy.calls == 1
    assert _cors(r).get("access-control-allow-origin") == origin


def test_host_is_checked_before_origin(guarded):
    r = guarded.get("/v1/health", headers={"Host": "evil.example", "Origin": "https://x.example"})
    assert _code(r) == "forbidden_host"


# -- requests a web page can send without a preflight ----------------------------------------
SIMPLE = [("text/plain", json.dumps({"text": ARTICLE})),
          ("text/plain;charset=UTF-8", json.dumps({"text": ARTICLE})),
          ("application/x-www-form-urlencoded", "text=" + ARTICLE.replace(" ", "+")),
          ("multipart/form-data; boundary=x",
           f'--x\r\nContent-Disposition: form-data; name="text"\r\n\r\n{ARTICLE}\r\n--x--\r\n')]


@pytest.mark.parametrize("content_type,body", SIMPLE)
@pytest.mark.parametrize("origin", [None, EXTENSION_ORIGINS[0]])
def test_simple_posts_do_no_work(guarded, spy, monkeypatch, content_type, body, origin):
    import newsgist.api

    def no_parsing():
        raise AssertionError("the body of a non-JSON request was read")

    monkeypatch.setattr(newsgist.api, "_json_body", no_parsing)
    headers = {"Origin": origin} if origin else {}
    r = guarded.post("/v1/summarize", data=body, content_type=content_type, headers=headers)
    assert r.status_code == 415 and _code(r) == "unsupported_media_type"
    assert spy.calls == 0


@pytest.mark.parametrize("content_type,body", SIMPLE)
def test_simple_posts_from_a_web_page_are_refused_by_origin(guarded, spy, content_type, body):
    r = guarded.post("/v1/summarize", data=body, content_type=content_type,
                     headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and _code(r) == "forbidden_origin"
    assert _cors(r) == {} and spy.calls == 0


# -- privacy: logs ----------------------------------------------------------------------------
MARKER = "Zanzibar-7f3a quokka"  # page content that must not be seen in any log


def _marked_requests():
    page = ("<html><head><title>%s</title></head><body><article>" % MARKER
            + "".join(f"<p>{MARKER} sentence number {i} tells the story.</p>" for i in range(6))
            + "</article></body></html>")
    return [
        {"json": {"html": page, "url": f"https://news.example/{MARKER}", "title": MARKER}},
        {"json": {"text": f"{MARKER}. " * 20}},
        {"json": {"html": f"<p>{MARKER}</p>"}},                      # 422
        {"data": f'{{"text": "{MARKER}", ', "content_type": "application/json"},  # 400
        {"json": {"text": MARKER, "sentences": MARKER}},                 # 400
        {"data": MARKER, "content_type": "text/plain"},                  # 415
    ]


def test_page_contents_never_reach_the_log(guarded, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    for kwargs in _marked_requests():
        r = guarded.post("/v1/summarize", **kwargs)
        assert r.status_code in (200, 400, 415, 422)
    access = [rec.getMessage() for rec in caplog.records if rec.name == "newsgist.access"]
    assert any(m.startswith("POST /v1/summarize 200 in=") for m in access), access
    assert MARKER not in caplog.text
    assert "Zanzibar" not in caplog.text


def test_an_unexpected_failure_logs_where_not_what(guarded, spy, monkeypatch, caplog):
    """A bug's exception message may quote the page: the log keeps only its type and place."""
    caplog.set_level(logging.DEBUG)

    def broken(*a, **kw):
        raise ValueError(f"could not handle {MARKER}")

    monkeypatch.setattr(spy, "summarize_text", broken)
    r = guarded.post("/v1/summarize", json={"text": MARKER})
    assert r.status_code == 500 and _code(r) == "internal_error"
    assert MARKER not in r.get_data(as_text=True)
    assert "ValueError" in caplog.text and "broken" in caplog.text  # where: type and frame
    assert MARKER not in caplog.text


@pytest.mark.slow
def test_a_live_server_logs_no_page_contents(tmp_path):
    """The real `newsgist serve` (fake encoder): its whole output, worker processes
    included, after summaries and errors carrying a marker."""
    server = processes.ServerProcess(["--port", "0"], fake=True)
    try:
        for kwargs in _marked_requests():
            body = kwargs.get("json") or kwargs.get("data")
            status, _, _ = live.http(server.port, "POST", "/v1/summarize",
                                     body if isinstance(body, dict) else body.encode(),
                                     content_type=kwargs.get("content_type", "application/json"))
            assert status in (200, 400, 415, 422)
    finally:
        assert server.stop() == 0
    assert "POST /v1/summarize 200" in server.output
    assert MARKER not in server.output and "Zanzibar" not in server.output


# -- privacy: no page content on disk ---------------------------------------------------------
def _spill_count(options: dict, monkeypatch) -> int:
    """How many temporary files waitress opens while serving a 6 MB page and a 6 MB answer."""
    created = []
    real = tempfile.TemporaryFile

    def spy_tempfile(*a, **kw):
        created.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(tempfile, "TemporaryFile", spy_tempfile)
    settings = Settings()
    app = create_app(settings, Pipeline(settings, encoder=HashingEncoder()))
    server = live.ThreadedServer(app, settings, options)
    try:
        text = "\n\n".join(f"Paragraph {i} says the council met about the budget on Monday."
                           for i in range(100_000))[:6 * 2**20]
        status, _, payload = live.http(server.port, "POST", "/v1/summarize",
                                       {"text": text, "include_text": True})
        assert status == 200 and len(payload) > 5 * 2**20
    finally:
        server.close()
    return len(created)


def test_bodies_and_answers_stay_in_memory(monkeypatch):
    assert _spill_count(server_options(Settings()), monkeypatch) == 0


def test_the_spill_check_would_see_waitress_defaults(monkeypatch):
    """Control: with waitress's default buffer sizes the same exchange goes to disk,
    so the test above is able to fail."""
    defaults = {k: v for k, v in server_options(Settings()).items()
                if k not in ("inbuf_overflow", "outbuf_overflow")}
    assert _spill_count(defaults, monkeypatch) > 0

