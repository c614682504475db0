"""Hostile and malformed input (the corpus in ``tests/system/hostile/``): every request gets a
summary or its documented JSON error, and the service answers the next request
normally.

The fast run goes through Flask's test client with the fake encoder, extraction
in a worker process and a short deadline (as ``newsgist serve`` runs it); the
megabyte-sized cases run with the slow tests.  ``test_corpus_against_a_live_server``
sends the whole corpus over HTTP to a real ``newsgist serve`` with the real model
and checks that it keeps answering and that its memory, threads and file
descriptors come back to their baseline.
"""

from __future__ import annotations

import json
import re

import pytest

import processes
from hostile import answers, live
from hostile.answers import worker_client
from hostile.corpus import ARTICLE, Case, cases, normal_request
from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.openapi import ERROR_CODES
from newsgist.pipeline import Pipeline

CASES = cases()
SMALL = [c for c in CASES if not c.big]
BIG = [c for c in CASES if c.big]


@pytest.fixture(scope="module")
def hostile_client():
    with worker_client(request_timeout=5) as client:
        yield client


def validate(status: int, body: dict) -> None:
    """The answer matches the OpenAPI document's schema for that status."""
    answers.validate("/v1/summarize", status, body)


def check_answer(case: Case, status: int, content_type: str, payload: bytes) -> dict:
    assert content_type.startswith("application/json"), (case.name, status, payload[:200])
    body = json.loads(payload)
    assert status in case.expect, f"{case.name}: {status} {body}"
    validate(status, body)
    if status == 200:
        assert case.expect[200] is None
        check_summary(body)
    else:
        code = body["error"]["code"]
        assert code in case.expect[status], f"{case.name}: {status} {code}"
        assert code in ERROR_CODES[status]
        assert body["error"]["message"].strip()
    return body


def check_summary(body: dict) -> None:
    indices = [s["index"] for s in body["sentences"]]
    assert indices == sorted(set(indices)), "summary sentences are not in article order"
    if "text" in body:
        for s in body["sentences"]:
            assert body["text"][s["start"]:s["end"]] == s["text"]


def check_normal(status: int, payload: bytes) -> None:
    body = json.loads(payload)
    assert status == 200, body
    assert len(body["sentences"]) == 3
    check_summary(body)
    assert all(s["text"] in ARTICLE for s in body["sentences"])


def _through_client(client, case: Case):
    r = client.post("/v1/summarize", data=case.body, content_type=case.content_type,
                    headers=case.headers)
    check_answer(case, r.status_code, r.content_type or "", r.data)
    after = client.post("/v1/summarize", data=normal_request(), content_type="application/json")
    check_normal(after.status_code, after.data)


@pytest.mark.parametrize("case", SMALL, ids=[c.name for c in SMALL])
def test_hostile_input(hostile_client, case):
    _through_client(hostile_client, case)


@pytest.mark.slow
@pytest.mark.parametrize("case", BIG, ids=[c.name for c in BIG])
def test_hostile_input_megabytes(hostile_client, case):
    _through_client(hostile_client, case)


def test_the_corpus_covers_the_issue():
    """Every kind of input the issue names is in the corpus (so none gets dropped)."""
    names = " | ".join(c.name for c in CASES)
    for needle in ["empty body", "empty object", "both html and text", "is a number",
                   "sentences=-1", "sentences=0", "sentences=21", "sentences='3'",
                   "sentences=3.5", "one byte over the limit", "gzip", "form", "invalid utf-8",
                   "lone surrogates", "nested 100,000 deep", "5 MB of text without punctuation",
                   "only scripts and styles", "entity flood", "binary garbage", "rtl_mixed",
                   "emoji", "zero_width", "pdf bytes as html"]:
        assert needle in names, needle


def test_zero_width_and_mixed_scripts_keep_offsets(hostile_client):
    """Zero-width and bidi characters are folded away, and offsets still point at the text."""
    for case in CASES:
        if case.name in ("rtl_mixed.html", "zero_width.html"):
            body = hostile_client.post("/v1/summarize", data=case.body,
                                       content_type="application/json").get_json()
            assert len(body["sentences"]) == 3
            assert not re.search("[\u200b\u200d\u2060\ufeff]", body["text"])
            check_summary(body)


# -- the whole corpus against a real server --------------------------------------------
@pytest.mark.slow
def test_corpus_against_a_live_server(capsys):
    """`newsgist serve` with the real model: the whole corpus over HTTP, each request
    followed by a health check and a normal summary; afterwards the server's memory
    (itself and its extraction workers), threads and file descriptors are back to
    their baseline."""
    server = processes.ServerProcess(["--port", "0"], env={"NEWSGIST_REQUEST_TIMEOUT": "10"})
    try:
        port = server.port
        pid = server.proc.pid
        warm_up(port)
        before = processes.footprint(pid)
        for case in CASES:
            status, headers, payload = live.http(
                port, "POST", "/v1/summarize", case.body,
                headers=case.headers, content_type=case.content_type or None)
            check_answer(case, status, headers.get("content-type", ""), payload)
            status, _, payload = live.http(port, "GET", "/v1/health")
            assert status == 200 and json.loads(payload)["status"] == "ok"
            status, _, payload = live.http(port, "POST", "/v1/summarize", normal_request())
            check_normal(status, payload)
        # Threads and connections wind down as their clients go; workers that grew
        # are replaced after their job.
        processes.wait_until(lambda: _settled(pid, before), bound=30, step=0.5)
        after = processes.footprint(pid)
        with capsys.disabled():
            print(f"\nhostile corpus ({len(CASES)} cases) against a live server: "
                  f"server RSS {before['rss']:.0f} -> {after['rss']:.0f} MB, with workers "
                  f"{before['tree']:.0f} -> {after['tree']:.0f} MB, threads "
                  f"{before['threads']} -> {after['threads']}, fds {before['fds']} -> "
                  f"{after['fds']}")
        assert after["rss"] <= before["rss"] * 1.10, (before, after)
        assert after["tree"] <= before["tree"] * 1.10, (before, after)
        assert after["threads"] <= before["threads"], (before, after)
        assert after["fds"] <= before["fds"], (before, after)
    finally:
        server.stop()
    assert "Traceback" not in server.output


def warm_up(port: int) -> None:
    """What a server does once in its life is not a leak: normal requests; one article
    of maximal-length sentences (the inference runtime keeps a memory arena sized by
    the largest batch it has run, bounded by the model's 256-token window); one body
    over 256 KB (the first starts the thread that hands freed memory back); the same
    long article in French (the multilingual model loads on the first such page)."""
    for _ in range(3):
        status, _, payload = live.http(port, "POST", "/v1/summarize", normal_request())
        check_normal(status, payload)
    longest = " ".join(f"Sentence {i} is " + "about the council and its budget for buses " * 40
                       + "in the city." for i in range(48))
    longest_fr = " ".join(f"La phrase {i} parle " + "du conseil et de son budget pour les bus "
                          * 40 + "de la ville." for i in range(48))
    for text in (longest, longest_fr):
        status, _, payload = live.http(port, "POST", "/v1/summarize", {"text": text})
        assert status == 200, payload[:300]
    status, _, payload = live.http(port, "POST", "/v1/summarize", {"text": "word " * 60_000})
    assert status == 422, payload[:300]


def _settled(pid: int, before: dict) -> bool:
    now = processes.footprint(pid)
    return (now["rss"] <= before["rss"] * 1.10 and now["tree"] <= before["tree"] * 1.10
            and now["threads"] <= before["threads"] and now["fds"] <= before["fds"])


# -- hostile HTTP, below the app: what waitress itself refuses ---------------------------
MiB = 2**20
HTTP_CASES = {
    "body far over the limit (Content-Length)": (
        b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (64 * MiB), 413, "body_too_large"),
    "Content-Length that is no number": (
        b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: lots\r\n\r\n{}", 400, "bad_request"),
    "not HTTP at all": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256))
                        + b"\r\n\r\n", 400, "bad_request"),
    "headers too large": (b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: "
                          + b"a" * (300 * 1024) + b"\r\n\r\n", 431, "bad_request"),
    "unknown transfer encoding": (
        b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, "bad_request"),
    "both Content-Length and chunked": (
        b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"0\r\n\r\n", 400,
        {"bad_request", "invalid_json"}),  # waitress reads it chunked: an empty body
}


@pytest.fixture(scope="module")
def http_server():
    settings = Settings()
    app = create_app(settings, Pipeline(settings, encoder=live.hashing_encoder()))
    server = live.ThreadedServer(app, settings)
    yield server
    server.close()


def _exchange(port: int, raw: bytes) -> tuple[int, dict, bytes]:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        try:
            s.sendall(raw)
        except OSError:
            pass  # the server may answer and close before reading everything
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("name", list(HTTP_CASES))
def test_malformed_http_gets_a_json_error(http_server, name):
    raw, status, code = HTTP_CASES[name]
    got, headers, body = _exchange(http_server.port, raw)
    assert got == status, body[:200]
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] in ({code} if isinstance(code, str) else code) and error["message"]
    status, _, payload = live.http(http_server.port, "POST", "/v1/summarize", normal_request())
    check_normal(status, payload)


def test_a_chunked_json_body_is_read_like_any_other(http_server):
    body = normal_request()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 100]), body[i:i + 100])
                      for i in range(0, len(body), 100))
    raw = (b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n")
    status, _, payload = _exchange(http_server.port, raw)
    check_normal(status, payload)
