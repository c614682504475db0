"""The real thing: `newsgist serve` as a process with the real model, called over HTTP,
and the real model summarizing the fixture news page."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

BOILERPLATE = ["No time to read", "Get a summary", "Previous Article", "Next Article",
               "Pseudoscorpion", "Tyumen", "cookies", "Subscribe", "Share on", "Most read",
               "All rights reserved", "Advertisement", "Photo:", "Updated", "newsletter"]


@pytest.fixture(scope="module")
def server():
    """Start `python -m newsgist serve --port 0`, wait for its ready line, yield its port."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "newsgist", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    port = None
    deadline = time.monotonic() + 180  # a generous bound on a shared CI machine, not a test
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"NewsGist ready on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        proc.kill()
        pytest.fail("server did not start:\n" + "".join(lines))
    yield port
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=data, headers=hdrs)
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), json.loads(payload)


def test_health(server):
    status, _, body = request(server, "GET", "/v1/health")
    assert status == 200 and body["status"] == "ok" and body["model"] == "all-MiniLM-L6-v2"


def test_summary_of_the_fixture_page(server, news_html):
    status, headers, body = request(server, "POST", "/v1/summarize",
                                    {"html": news_html, "include_text": True})
    assert status == 200
    assert headers["Server"].startswith("newsgist")  # waitress, not a debug server
    sentences = body["sentences"]
    assert len(sentences) == 3
    assert [s["index"] for s in sentences] == sorted(s["index"] for s in sentences)
    for s in sentences:
        assert body["text"][s["start"]:s["end"]] == s["text"]
    for phrase in BOILERPLATE:
        assert phrase.lower() not in body["text"].lower(), phrase


def test_foreign_origin_and_host_are_refused(server, news_html):
    status, headers, body = request(server, "POST", "/v1/summarize", {"html": news_html},
                                    {"Origin": "https://example.com"})
    assert status == 403 and body["error"]["code"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in headers
    status, _, body = request(server, "POST", "/v1/summarize", {"html": news_html},
                              {"Host": "example.com"})
    assert status == 403 and body["error"]["code"] == "forbidden_host"


def test_9_mib_body_is_413(server):
    status, _, body = request(server, "POST", "/v1/summarize",
                              b'{"text": "' + b"a" * (9 * 1024 * 1024) + b'"}')
    assert status == 413 and body["error"]["code"] == "body_too_large"


def test_text_plain_is_415(server):
    status, _, body = request(server, "POST", "/v1/summarize", b'{"text": "a"}',
                              {"Content-Type": "text/plain"})
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"


def test_real_model_summary_is_free_of_boilerplate(real_pipeline, news_html):
    summary = real_pipeline.summarize_html(news_html, sentences=7)
    assert len(summary.sentences) == 7
    article_text = summary.article.text
    for s in summary.sentences:
        assert s.text in article_text
        for phrase in BOILERPLATE:
            assert phrase.lower() not in s.text.lower()


def test_real_model_rank_sentences(real_pipeline):
    sentences = [
        "The central bank raised interest rates by half a point on Tuesday.",
        "It was the largest increase in two decades, aimed at curbing inflation.",
        "Cats are popular pets in many countries.",
        "Markets fell sharply after the central bank's rate decision.",
        "Analysts expect further rate increases later this year as inflation persists.",
    ]
    chosen = real_pipeline.rank_sentences(sentences, sentences=3)
    assert chosen == sorted(chosen) and len(chosen) == 3
    assert 2 not in chosen  # the off-topic sentence is never among the three


def test_real_model_outline_of_a_list_page_over_http(server):
    from support import FIXTURES

    html = (FIXTURES / "pages" / "sections" / "listicle.html").read_text(encoding="utf-8")
    status, _, body = request(server, "POST", "/v1/summarize", {"html": html, "sentences": 3})
    assert status == 200 and body["outline_kind"] == "list"
    outline = body["outline"]
    assert [e["heading"] for e in outline][:3] == ["1. Inkwell", "2. Margin", "3. Quillbox"]
    for entry in outline:
        # The sentence that stands for an item's section names that item.
        name = entry["heading"].split(". ", 1)[1].split()[0]
        assert entry["sentence"] is not None and entry["sentence"]["start"] > entry["end"]
        assert name in entry["sentence"]["text"] or name in entry["sentence"]["context"]["before"]
    assert len(outline) == 7 and not body["outline_truncated"]


def test_real_model_summary_of_a_paper_like_page_covers_its_sections(real_pipeline):
    """A report of four sections, each about its own subject, with a long introduction:
    the section-aware summary reaches at least two sections besides the introduction."""
    topics = {"Rainfall": "Rainfall in the valley doubled over the decade, and the wet season "
                          "now starts three weeks earlier than it did.",
              "Crops": "Farmers switched from wheat to rice because the fields stay flooded "
                       "for most of the spring.",
              "Roads": "The county rebuilt forty kilometres of road on raised embankments so "
                       "that school buses can run in the floods.",
              "Health": "Clinics reported more cases of waterborne illness each summer, and "
                        "a new water plant opened last year."}
    intro = " ".join(f"This report looks at how the valley changed, point {i} of the "
                     f"introduction about the valley's decade of change." for i in range(8))
    body = "".join(f"<h2>{t}</h2><p>{s} {s.replace('.', ' again.')} {s}</p>"
                   for t, s in topics.items())
    html = (f"<html lang='en'><body><article><h1>A decade in the valley</h1><p>{intro}</p>"
            f"{body}</article></body></html>")
    summary = real_pipeline.summarize_html(html, sentences=3)
    assert summary.outline is not None and len(summary.outline.entries) == 4
    owners = {summary.article.section_of_block[s.paragraph] for s in summary.sentences}
    assert len(owners - {0}) >= 2
