"""Hostile input to ``POST /v1/digest``: every hostile page of the summary corpus
(``tests/system/hostile/corpus.py``) as one tab of a digest beside a normal one, and
hostile digest requests of their own.  A hostile page is summarized or listed in
``failed`` with a documented code; it never fails the digest nor the next one.

The fast run goes through Flask's test client with extraction in a worker
process and a short deadline per page (as ``newsgist serve`` runs it); the
megabyte-sized pages and a live ``newsgist serve`` with the real model run with
the slow tests."""

from __future__ import annotations

import json

import pytest

import processes
from hostile import answers, live
from hostile.answers import worker_client
from hostile.corpus import ARTICLE, Case, cases
from newsgist.openapi import ERROR_CODES, PAGE_FAILURE_CODES
from test_digest import FOOTBALL

NORMAL = {"text": FOOTBALL, "url": "https://sport.example/rovers", "title": "Rovers"}


def _page_cases() -> list[tuple[Case, dict]]:
    """The corpus cases that are a page (a JSON object with html or text) and whose
    answer depends on the page, not on the request's shape."""
    out = []
    for case in cases():
        if case.content_type != "application/json" or case.headers:
            continue
        if set(case.expect) & {400, 413, 415}:
            continue
        try:
            body = json.loads(case.body)
        except ValueError:
            continue
        page = {k: body[k] for k in ("html", "text", "url", "title") if k in body}
        if isinstance(body, dict) and len([k for k in ("html", "text") if k in page]) == 1:
            out.append((case, page))
    return out


PAGE_CASES = _page_cases()
SMALL = [(c, p) for c, p in PAGE_CASES if not c.big]
BIG = [(c, p) for c, p in PAGE_CASES if c.big]


@pytest.fixture(scope="module")
def hostile_client():
    # Each page has its own deadline, and a digest's pages queue for the one worker: a
    # worker replaced after a killed page warms up while the next digest's pages wait.
    with worker_client(request_timeout=10) as client:
        yield client


def validate(status: int, body: dict) -> None:
    answers.validate("/v1/digest", status, body)
    if status >= 400:
        assert body["error"]["code"] in ERROR_CODES[status]


def where(body: dict, page: int) -> str:
    if any(one["page"] == page for one in body["singles"]):
        return "single"
    if any(s["page"] == page for story in body["stories"] for s in story["sources"]):
        return "story"
    [failed] = [f for f in body["failed"] if f["page"] == page]
    return failed["error"]["code"]


def check_page(case: Case, body: dict) -> None:
    """The normal page (0) is summarized; the hostile one (1) as its summary would be."""
    assert where(body, 0) in ("single", "story")
    outcome = where(body, 1)
    if outcome in ("single", "story"):
        assert 200 in case.expect, f"{case.name}: summarized, but its summary is an error"
    else:
        assert outcome in PAGE_FAILURE_CODES, outcome
        allowed = set().union(*(codes for status, codes in case.expect.items()
                                if status != 200 and codes))
        assert outcome in allowed | {"timeout"}, f"{case.name}: {outcome}"


def check_normal_digest(status: int, payload: bytes) -> None:
    body = json.loads(payload)
    assert status == 200, body
    validate(status, body)
    assert len(body["stories"]) == 1 and body["failed"] == [], body


def normal_digest() -> dict:
    return {"pages": [{"text": ARTICLE, "url": "https://a.example/1"},
                      {"text": ARTICLE.replace("Monday", "Tuesday"), "url": "https://b.example/2"},
                      NORMAL]}


def _through_client(client, case: Case, page: dict) -> None:
    # json.dumps escapes lone surrogates (as \ud800), as JSON allows; the client's own
    # encoder would refuse them.
    r = client.post("/v1/digest", data=json.dumps({"pages": [NORMAL, page]}),
                    content_type="application/json")
    body = r.get_json()
    assert r.status_code == 200, (case.name, body)
    validate(200, body)
    check_page(case, body)
    after = client.post("/v1/digest", json=normal_digest())
    check_normal_digest(after.status_code, after.data)


@pytest.mark.parametrize("case, page", SMALL, ids=[c.name for c, _ in SMALL])
def test_hostile_page_in_a_digest(hostile_client, case, page):
    _through_client(hostile_client, case, page)


@pytest.mark.slow
@pytest.mark.parametrize("case, page", BIG, ids=[c.name for c, _ in BIG])
def test_hostile_page_in_a_digest_megabytes(hostile_client, case, page):
    _through_client(hostile_client, case, page)


def test_the_corpus_reaches_the_digest():
    names = " | ".join(c.name for c, _ in PAGE_CASES)
    for needle in ["lone surrogates in html", "binary garbage as a string", "pdf bytes as html",
                   "billion laughs", "rtl_mixed", "emoji", "zero_width",
                   "nested 100,000 deep", "5 MB of text without punctuation"]:
        assert needle in names, needle


DIGEST_CASES = {
    "pages nested 10,000 deep": (b'{"pages": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
                                 400, {"invalid_json", "invalid_pages"}),
    "100,000 pages": (json.dumps({"pages": [{}] * 100_000}).encode(), 400, {"too_many_pages"}),
    "pages of nulls": (json.dumps({"pages": [None, None]}).encode(), 400, {"invalid_pages"}),
    "a page that is a list": (json.dumps({"pages": [[ARTICLE]]}).encode(), 400,
                              {"invalid_pages"}),
    "pages is null": (b'{"pages": null}', 400, {"invalid_pages"}),
    "pages as a string of json": (json.dumps({"pages": json.dumps([NORMAL])}).encode(), 400,
                                  {"invalid_pages"}),
    "sentences=10**30": (json.dumps({"pages": [NORMAL], "sentences": 10**30}).encode(), 400,
                         {"invalid_sentences"}),
    "the same page 30 times": (json.dumps({"pages": [NORMAL] * 30}).encode(), 200, None),
    "thirty empty pages": (json.dumps({"pages": [{"html": ""}] * 30}).encode(), 200, None),
    "urls and titles that are not what they say": (json.dumps({"pages": [
        dict(NORMAL, url="javascript:alert(1)", title="<script>alert(1)</script>" * 500),
        dict(NORMAL, url="http://[::1", title="\u202e\u200b"),
        dict(NORMAL, url="https://" + "a" * 5000 + ".example/")]}).encode(), 200, None),
}


@pytest.mark.parametrize("name", list(DIGEST_CASES))
def test_hostile_digest_requests(hostile_client, name):
    raw, status, codes = DIGEST_CASES[name]
    r = hostile_client.post("/v1/digest", data=raw, content_type="application/json")
    body = r.get_json()
    assert r.status_code == status, body
    validate(r.status_code, body)
    if codes:
        assert body["error"]["code"] in codes
    else:
        for story in body["stories"]:
            for source in story["sources"]:
                assert source["url"] is None or len(source["url"]) <= 2048
                assert source["title"] is None or len(source["title"]) <= 2048
    after = hostile_client.post("/v1/digest", json=normal_digest())
    check_normal_digest(after.status_code, after.data)


@pytest.mark.slow
def test_hostile_digests_against_a_live_server():
    """`newsgist serve` with the real model: the small hostile pages in digests of 30
    tabs, each followed by a health check and a normal digest."""
    server = processes.ServerProcess(["--port", "0"], env={"NEWSGIST_REQUEST_TIMEOUT": "10"})
    try:
        port = server.port
        chunks = [SMALL[i:i + 29] for i in range(0, len(SMALL), 29)]
        for chunk in chunks:
            status, _, payload = live.http(port, "POST", "/v1/digest",
                                           {"pages": [NORMAL] + [p for _, p in chunk]})
            body = json.loads(payload)
            assert status == 200, body
            validate(status, body)
            assert where(body, 0) in ("single", "story")
            for n, (case, _) in enumerate(chunk, start=1):
                outcome = where(body, n)
                assert outcome in ("single", "story") or outcome in PAGE_FAILURE_CODES, \
                    (case.name, outcome)
            status, _, payload = live.http(port, "GET", "/v1/health")
            assert status == 200 and json.loads(payload)["status"] == "ok"
            status, _, payload = live.http(port, "POST", "/v1/digest", normal_digest())
            check_normal_digest(status, payload)
    finally:
        server.stop()
    assert "Traceback" not in server.output
